/**
 * The webhook receiver `npm start` runs to show alerts arriving: a plain node:http server on
 * 127.0.0.1 that does what README's "Receiving the generic webhook" asks of a receiver —
 * verify the HMAC signature over the raw body before parsing, and drop replayed deliveries.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DELIVERY_HEADER, verifyWebhookSignature } from '../monitor/index.js';

/** The fields of a verified delivery the demo prints (the payload carries no secret). */
export interface ReceivedAlert {
  rule: string;
  severity: string;
  message: string;
  client: string | null;
  keyLabel: string | null;
}

export interface DeliveryCopy {
  headers: Record<string, string>;
  body: string;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedAlert[];
  /** The last accepted delivery exactly as it came in, for the replay demonstration. */
  lastDelivery(): DeliveryCopy | undefined;
  close(): Promise<void>;
}

const TOLERANCE_SECONDS = 300;

function copyHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers))
    if (k.startsWith('x-keywarden-') && typeof v === 'string') out[k] = v;
  return out;
}

/** Listens on 127.0.0.1, port 0; `received` holds the verified alerts in arrival order. */
export async function startWebhookReceiver(secret: string): Promise<WebhookReceiver> {
  const received: ReceivedAlert[] = [];
  const seen = new Set<string>();
  let last: DeliveryCopy | undefined;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const check = verifyWebhookSignature(secret, req.headers, raw, Date.now(), TOLERANCE_SECONDS);
      if (!check.ok) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end(check.error);
        return;
      }
      const delivery = req.headers[DELIVERY_HEADER];
      if (typeof delivery !== 'string' || seen.has(delivery)) {
        res.writeHead(409, { 'content-type': 'text/plain' }).end('replayed delivery');
        return;
      }
      seen.add(delivery);
      let body: ReceivedAlert;
      try {
        body = JSON.parse(raw.toString('utf8')) as ReceivedAlert;
      } catch {
        res.writeHead(400, { 'content-type': 'text/plain' }).end('not JSON');
        return;
      }
      const alert: ReceivedAlert = {
        rule: body.rule,
        severity: body.severity,
        message: body.message,
        client: body.client,
        keyLabel: body.keyLabel,
      };
      last = { headers: copyHeaders(req.headers), body: raw.toString('utf8') };
      received.push(alert);
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/keywarden`,
    received,
    lastDelivery: () => last,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
