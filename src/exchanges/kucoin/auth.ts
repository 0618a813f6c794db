/**
 * KuCoin request signing (docs: kucoin.com/docs-new/authentication, "Signing a Message").
 * Private calls carry KC-API-KEY, KC-API-TIMESTAMP (ms), KC-API-KEY-VERSION,
 * KC-API-SIGN = base64(HMAC-SHA256(secret, timestamp + METHOD + path[?query] + body)) and
 * KC-API-PASSPHRASE: the passphrase itself for a v1 key, base64(HMAC-SHA256(secret, passphrase))
 * for v2 and v3 keys. The host is not signed.
 */
import { createHmac } from 'node:crypto';
import { safeEqual } from '../../core/index.js';
import type { ExchangeRequest, VerifyResult } from '../adapter.js';
import { headerValue } from '../http-text.js';

/** The account's own auth headers: what the gateway strips from a client and adds when signing. */
export const KUCOIN_AUTH_HEADERS = [
  'kc-api-key',
  'kc-api-sign',
  'kc-api-timestamp',
  'kc-api-passphrase',
  'kc-api-key-version',
] as const;

/**
 * CCXT's broker-attribution headers (KC-API-PARTNER, -PARTNER-SIGN = HMAC over timestamp +
 * partner id + the client's api key, -PARTNER-VERIFY) and KC-BROKER-NAME. They are not the
 * account's auth, and the partner signature names the client's key, not the real one: stripped
 * and never re-added, so keywarden forwards no attribution it cannot vouch for.
 */
export const KUCOIN_PARTNER_HEADERS = [
  'kc-api-partner',
  'kc-api-partner-sign',
  'kc-api-partner-verify',
  'kc-broker-name',
] as const;

/** KuCoin refuses a timestamp more than 5 s from its server time (400002). */
export const KUCOIN_TIMESTAMP_TOLERANCE_MS = 5_000;

/**
 * The key version keywarden signs with. CCXT always sends `2` and hashes the passphrase, which
 * is also how a v3 key's passphrase is sent. UNCONFIRMED: that KuCoin accepts version `2` on a
 * v3 key for every endpoint (CCXT relies on it; docs-new lists 400008 "V1 & V2 API keys are no
 * longer supported by this API" for some endpoints).
 */
export const KUCOIN_SIGN_KEY_VERSION = '2';

export function kucoinHmac(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text).digest('base64');
}

/**
 * What KuCoin signs: the path plus `?query` only when a query was sent. The query is signed as
 * sent: `parse` admits only characters no URL layer encodes or decodes, so it is the same text
 * KuCoin signs ("the URL content that has not been URL-encoded").
 */
export function kucoinPrehash(timestamp: string, request: ExchangeRequest): string {
  const target = request.query === '' ? request.path : `${request.path}?${request.query}`;
  return `${timestamp}${request.method.toUpperCase()}${target}${request.body}`;
}

/** The KC-API-PASSPHRASE a key of `version` sends. */
export function kucoinPassphrase(version: string, secret: string, passphrase: string): string {
  return version === '1' ? passphrase : kucoinHmac(secret, passphrase);
}

/** Why a request failed KuCoin auth, with KuCoin's own code and message. */
export interface KucoinAuthFailure {
  code: string;
  msg: string;
  result: Extract<VerifyResult, { ok: false }>;
}

const fail = (
  code: string,
  msg: string,
  reason: KucoinAuthFailure['result']['reason'],
): KucoinAuthFailure => ({
  code,
  msg,
  result: { ok: false, reason, message: `${code} ${msg}` },
});

const MS_TIMESTAMP = /^\d{13}$/;
const KEY_VERSIONS = new Set(['1', '2', '3']);

/**
 * Header presence, timestamp, key version, passphrase and signature, in the order KuCoin reports
 * them (the key's existence, 400003, is the caller's lookup). Shared by the gateway (client
 * verification) and the sandbox (the emulated exchange). A missing KC-API-KEY-VERSION reads as
 * a v1 key, as KuCoin's v1 keys sent none (UNCONFIRMED for today's servers).
 */
export function kucoinVerify(
  request: ExchangeRequest,
  secret: string,
  passphrase: string | undefined,
  now: number,
): KucoinAuthFailure | undefined {
  const h = (n: string) => headerValue(request.headers, n);
  const key = h('kc-api-key');
  const sign = h('kc-api-sign');
  const ts = h('kc-api-timestamp');
  const pass = h('kc-api-passphrase');
  if (!key || !sign || !ts || !pass) {
    return fail(
      '400001',
      'Any of KC-API-KEY, KC-API-SIGN, KC-API-TIMESTAMP, KC-API-PASSPHRASE is missing in your request header.',
      'missing_credentials',
    );
  }
  if (!MS_TIMESTAMP.test(ts)) return fail('400002', 'Invalid KC-API-TIMESTAMP.', 'malformed');
  if (Math.abs(now - Number(ts)) > KUCOIN_TIMESTAMP_TOLERANCE_MS)
    return fail('400002', 'Invalid KC-API-TIMESTAMP.', 'stale_timestamp');
  const version = h('kc-api-key-version') ?? '1';
  if (!KEY_VERSIONS.has(version)) return fail('400009', 'Invalid KC-API-KEY-VERSION.', 'malformed');
  if (passphrase === undefined || !safeEqual(pass, kucoinPassphrase(version, secret, passphrase)))
    return fail('400004', 'Invalid KC-API-PASSPHRASE.', 'bad_passphrase');
  if (!safeEqual(sign, kucoinHmac(secret, kucoinPrehash(ts, request))))
    return fail('400005', 'Invalid KC-API-SIGN.', 'bad_signature');
  return undefined;
}
