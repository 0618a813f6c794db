import { createHmac } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { fail, ok, type Result, safeEqual } from '../../core/index.js';
import { post } from './http.js';
import type { AlertMessage, AlertSink } from './sink-types.js';

/** Header carrying the signing time, in Unix seconds. */
export const TIMESTAMP_HEADER = 'x-keywarden-timestamp';
/** Header carrying `v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>` (several, comma-separated, during a secret rollover). */
export const SIGNATURE_HEADER = 'x-keywarden-signature';
/** Header carrying the delivery id, stable across retries: receivers drop ids they have already processed. */
export const DELIVERY_HEADER = 'x-keywarden-delivery';

/** The JSON body the generic webhook sends. */
export function webhookPayload(message: AlertMessage): string {
  const { alert } = message;
  return JSON.stringify({
    type: 'keywarden.alert',
    deliveryId: message.deliveryId,
    id: alert.id,
    at: new Date(alert.at).toISOString(),
    rule: alert.rule,
    severity: alert.severity,
    title: alert.title,
    message: alert.message,
    client: alert.client ?? null,
    keyLabel: alert.keyLabel ?? null,
    count: message.count,
    firstAt: new Date(message.firstAt).toISOString(),
    lastAt: new Date(message.lastAt).toISOString(),
    detail: alert.detail ?? {},
  });
}

export function signWebhook(secret: string, timestampSeconds: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex')}`;
}

/**
 * Generic webhook: JSON body, signed Stripe-style over `timestamp.body`. Each attempt is
 * signed afresh, so a retry after a long backoff is not mistaken for a replay.
 */
export function webhookSink(options: {
  name: string;
  url: string;
  secret: string;
  dispatcher?: Dispatcher;
  now?: () => number;
}): AlertSink {
  const now = options.now ?? Date.now;
  return {
    name: options.name,
    type: 'webhook',
    async send(message, signal) {
      const body = webhookPayload(message);
      const timestamp = Math.floor(now() / 1000);
      await post(options.name, {
        url: options.url,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'keywarden-alerts',
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: signWebhook(options.secret, timestamp, body),
          [DELIVERY_HEADER]: message.deliveryId,
        },
        body,
        signal,
        dispatcher: options.dispatcher,
      });
    },
  };
}

export type WebhookRejection = 'missing_headers' | 'bad_timestamp' | 'stale' | 'bad_signature';

/** The message's timestamp (Unix seconds), or why it was rejected. */
export type WebhookVerification = Result<number, WebhookRejection>;

/**
 * For receivers of the generic webhook: check the signature and reject replays.
 *
 * Pass the raw request body exactly as received (before any JSON parsing), the request
 * headers (Node's `req.headers` works as is), the current time in milliseconds and the
 * accepted clock skew in seconds (300 is a good default). A message is accepted only when
 * its timestamp is within the tolerance and one of its `v1=` signatures matches
 * HMAC-SHA256(secret, "<timestamp>.<body>") — compared in constant time. Within the
 * tolerance a captured message could still be replayed, so also drop
 * `x-keywarden-delivery` ids you have already processed.
 *
 * @example
 * const check = verifyWebhookSignature(secret, req.headers, rawBody, Date.now(), 300);
 * if (!check.ok) return res.writeHead(400).end(check.error);
 */
export function verifyWebhookSignature(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  body: string | Buffer,
  now: number,
  toleranceSeconds: number,
): WebhookVerification {
  const timestampText = header(headers, TIMESTAMP_HEADER);
  const signatures = header(headers, SIGNATURE_HEADER);
  if (timestampText === undefined || signatures === undefined) return fail('missing_headers');
  if (!/^\d{1,12}$/.test(timestampText)) return fail('bad_timestamp');
  const timestamp = Number(timestampText);
  if (Math.abs(now / 1000 - timestamp) > toleranceSeconds) return fail('stale');
  const expected = signWebhook(secret, timestamp, typeof body === 'string' ? body : body.toString('utf8'));
  let match = false;
  for (const candidate of signatures.split(',')) {
    // Check every candidate so timing does not reveal which one matched.
    if (safeEqual(candidate.trim(), expected)) match = true;
  }
  return match ? ok(timestamp) : fail('bad_signature');
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const direct = headers[name];
  const value = direct ?? Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1] ?? undefined;
  return Array.isArray(value) ? value[0] : value;
}
