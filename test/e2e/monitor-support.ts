/**
 * Shared pieces of the monitor end-to-end tests: a real webhook receiver (node:http) that
 * checks keywarden's HMAC signature with its own code (not keywarden's verifier), raw
 * token-mode HTTP calls with a chosen source IP, and a clock tests can move.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import type { ExchangeId } from '../../src/core/index.js';
import type { Harness } from '../gateway/harness.js';

export const HOOK_SECRET = 'whsec_e2e_0123456789abcdef';
export const HOOK_ENV = { KW_E2E_HOOK_SECRET: HOOK_SECRET };

/** What the receiver got, once the signature checked out. */
export interface ReceivedAlert {
  rule: string;
  severity: string;
  title: string;
  message: string;
  client: string | null;
  keyLabel: string | null;
  count: number;
  detail: Record<string, unknown>;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Accepts a POST only when `x-keywarden-signature` is `v1=HMAC-SHA256(secret, "<ts>.<body>")`,
 * the timestamp is within 5 minutes and the delivery id is new (a replay is refused).
 */
export async function startAlertReceiver(secret = HOOK_SECRET) {
  const alerts: ReceivedAlert[] = [];
  const rejected: string[] = [];
  const deliveries = new Set<string>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const ts = header(req.headers, 'x-keywarden-timestamp') ?? '';
      const sig = header(req.headers, 'x-keywarden-signature') ?? '';
      const delivery = header(req.headers, 'x-keywarden-delivery') ?? '';
      const expected = Buffer.from(
        `v1=${createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex')}`,
      );
      const given = Buffer.from(sig);
      const fresh = /^\d+$/.test(ts) && Math.abs(Date.now() / 1000 - Number(ts)) <= 300;
      const valid = given.length === expected.length && timingSafeEqual(given, expected);
      if (!fresh || !valid || !delivery || deliveries.has(delivery)) {
        rejected.push(!valid ? 'bad_signature' : !fresh ? 'stale' : 'replay');
        res.writeHead(400).end();
        return;
      }
      deliveries.add(delivery);
      alerts.push(JSON.parse(body) as ReceivedAlert);
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/keywarden`,
    alerts,
    rejected,
    of(rule: string, client?: string): ReceivedAlert[] {
      return alerts.filter((a) => a.rule === rule && (client === undefined || a.client === client));
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type AlertReceiver = Awaited<ReturnType<typeof startAlertReceiver>>;

/** A webhook sink entry for `monitor.sinks`: every severity, sent at once. */
export function webhookSink(url: string, extra: Record<string, unknown> = {}) {
  return {
    type: 'webhook',
    name: 'e2e-hook',
    url,
    secret: { env: 'KW_E2E_HOOK_SECRET' },
    minSeverity: 'info',
    groupWaitMs: 0,
    ...extra,
  };
}

export interface CallOptions {
  token?: string;
  body?: string;
  /** Source IP as seen through the trusted proxy (127.0.0.1 must be in server.trustedProxies). */
  ip?: string;
}

/** Token-mode request through the gateway (keywarden signs). */
export async function call(
  h: Harness,
  exchange: ExchangeId,
  method: string,
  path: string,
  o: CallOptions = {},
) {
  const r = await request(`${h.url}/${exchange}${path}`, {
    method: method as 'GET',
    headers: {
      ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
      ...(o.body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      ...(o.ip ? { 'x-forwarded-for': o.ip } : {}),
    },
    ...(o.body !== undefined ? { body: o.body } : {}),
  });
  const text = await r.body.text();
  const code = r.headers['x-keywarden-code'];
  return { status: r.statusCode, code: typeof code === 'string' ? code : undefined, body: text };
}

/** A Binance limit order body (quantity × price is the notional the monitor sees). */
export function binanceOrder(symbol: string, quantity: number, price: number): string {
  return `symbol=${symbol}&side=BUY&type=LIMIT&timeInForce=GTC&quantity=${quantity}&price=${price}`;
}

/**
 * A clock that runs at real speed from wherever a test last put it, shared by the gateway,
 * the sandbox and the monitor so signatures stay fresh while days pass in the test.
 */
export function movableClock(start: number) {
  let base = start;
  let realAt = Date.now();
  return {
    now: () => base + (Date.now() - realAt),
    set(t: number) {
      base = t;
      realAt = Date.now();
    },
  };
}
