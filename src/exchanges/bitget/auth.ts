/**
 * Bitget v2 request signing (https://www.bitget.com/api-doc/common/signature). Private calls
 * carry ACCESS-KEY, ACCESS-PASSPHRASE (plain), ACCESS-TIMESTAMP (epoch milliseconds) and
 * ACCESS-SIGN = base64(HMAC-SHA256(secret, timestamp + METHOD + path [+ '?' + query] + body)).
 * The host and the gateway's `/bitget` prefix are not signed. Shared by the adapter (client
 * verification, signing with the real key) and the sandbox (the emulated exchange).
 *
 * RSA keys (Bitget signs RSA-SHA256 over the same prehash when a key was created with a public
 * key) are out of scope: an RSA private key as `secret` is refused by `validateCredential`.
 */
import { createHmac } from 'node:crypto';
import { safeEqual } from '../../core/index.js';
import type { ExchangeRequest, VerifyResult } from '../adapter.js';
import { headerValue } from '../http-text.js';

export const BITGET_AUTH_HEADERS = ['access-key', 'access-sign', 'access-timestamp', 'access-passphrase'];

/**
 * Bitget refuses a request whose ACCESS-TIMESTAMP is too far from its clock (40008).
 * UNCONFIRMED: the documents give no figure for the default window (`receiveWindow` may narrow
 * it, at most 60 s); 30 s is what OKX, whose scheme Bitget's follows, uses.
 */
export const BITGET_TIMESTAMP_TOLERANCE_MS = 30_000;

const EPOCH_MS = /^\d{13}$/;

export function bitgetSignature(prehash: string, secret: string): string {
  return createHmac('sha256', secret).update(prehash).digest('base64');
}

/**
 * What Bitget signs: the path, then `?query` only when there is one, exactly as sent. The
 * adapter refuses percent-escapes in a query (see parse), so the sent and the decoded query
 * are the same text and no reading of "the query string" can differ between client and exchange.
 */
export function bitgetPrehash(timestamp: string, request: ExchangeRequest): string {
  const target = request.query === '' ? request.path : `${request.path}?${request.query}`;
  return `${timestamp}${request.method.toUpperCase()}${target}${request.body}`;
}

/** Why a request failed Bitget auth, with Bitget's own code. */
export interface BitgetAuthFailure {
  code: string;
  msg: string;
  result: Extract<VerifyResult, { ok: false }>;
}

const fail = (
  code: string,
  msg: string,
  reason: BitgetAuthFailure['result']['reason'],
): BitgetAuthFailure => ({ code, msg, result: { ok: false, reason, message: `${code} ${msg}` } });

/**
 * Header presence, timestamp, passphrase and signature, in that order, with the codes Bitget
 * answers them with (CCXT's table of Bitget codes: 40001, 40003, 40005, 40008, 40009, 40011, 40012).
 * UNCONFIRMED: the order in which the real exchange checks them.
 */
export function bitgetVerify(
  request: ExchangeRequest,
  secret: string,
  passphrase: string | undefined,
  now: number,
): BitgetAuthFailure | undefined {
  const h = (n: string) => headerValue(request.headers, n);
  const sign = h('access-sign');
  const ts = h('access-timestamp');
  const pass = h('access-passphrase');
  if (!h('access-key')) return fail('40001', 'ACCESS_KEY cannot be empty', 'missing_credentials');
  if (!sign) return fail('40003', 'Signature cannot be empty', 'missing_credentials');
  if (!ts) return fail('40005', 'Invalid ACCESS_TIMESTAMP', 'missing_credentials');
  if (!pass) return fail('40011', 'ACCESS_PASSPHRASE cannot be empty', 'missing_credentials');
  if (!EPOCH_MS.test(ts)) return fail('40005', 'Invalid ACCESS_TIMESTAMP', 'malformed');
  if (Math.abs(now - Number(ts)) > BITGET_TIMESTAMP_TOLERANCE_MS)
    return fail('40008', 'Request timestamp expired', 'stale_timestamp');
  if (passphrase === undefined || !safeEqual(pass, passphrase))
    return fail('40012', 'apikey/password is incorrect', 'bad_passphrase');
  if (!safeEqual(sign, bitgetSignature(bitgetPrehash(ts, request), secret)))
    return fail('40009', 'sign signature error', 'bad_signature');
  return undefined;
}
