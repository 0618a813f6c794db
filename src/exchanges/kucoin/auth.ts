/**
 * KuCoin request signing (docs: kucoin.com/docs-new/authentication, "Signing a Message").
 * Private calls carry KC-API-KEY, KC-API-TIMESTAMP (ms), KC-API-KEY-VERSION,
 * KC-API-SIGN = base64(HMAC-SHA256(secret, timestamp + METHOD + path[?query] + body)) and
 * KC-API-PASSPHRASE: the passphrase itself for a v1 key, base64(HMAC-SHA256(secret, passphrase))
 * for v2 and v3 keys. The host is not signed.
 */
import {
  headerAuthFailure as fail,
  hmacSha256Base64,
  passphraseAuth,
  timestampedPrehash,
} from '../passphrase-auth.js';

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

export const kucoinHmac = hmacSha256Base64;

/**
 * What KuCoin signs: the path plus `?query` only when a query was sent. The query is signed as
 * sent: `parse` admits only characters no URL layer encodes or decodes, so it is the same text
 * KuCoin signs ("the URL content that has not been URL-encoded").
 */
export const kucoinPrehash = timestampedPrehash;

/** The KC-API-PASSPHRASE a key of `version` sends. */
export function kucoinPassphrase(version: string, secret: string, passphrase: string): string {
  return version === '1' ? passphrase : kucoinHmac(secret, passphrase);
}

const MS_TIMESTAMP = /^\d{13}$/;
const KEY_VERSIONS = new Set(['1', '2', '3']);

const MISSING = fail(
  '400001',
  'Any of KC-API-KEY, KC-API-SIGN, KC-API-TIMESTAMP, KC-API-PASSPHRASE is missing in your request header.',
  'missing_credentials',
);
const BAD_VERSION = fail('400009', 'Invalid KC-API-KEY-VERSION.', 'malformed');

/**
 * KuCoin's codes, in the order it reports them (the key's existence, 400003, is the caller's
 * lookup). A missing KC-API-KEY-VERSION reads as a v1 key, as KuCoin's v1 keys sent none
 * (UNCONFIRMED for today's servers); the version is checked before the passphrase it decides.
 */
const KUCOIN_AUTH = passphraseAuth({
  headers: ['kc-api-key', 'kc-api-sign', 'kc-api-timestamp', 'kc-api-passphrase'],
  missing: [MISSING, MISSING, MISSING, MISSING],
  timestampMs: (text) => (MS_TIMESTAMP.test(text) ? Number(text) : undefined),
  toleranceMs: KUCOIN_TIMESTAMP_TOLERANCE_MS,
  malformedTimestamp: fail('400002', 'Invalid KC-API-TIMESTAMP.', 'malformed'),
  staleTimestamp: fail('400002', 'Invalid KC-API-TIMESTAMP.', 'stale_timestamp'),
  passphraseHeader(h, secret, passphrase) {
    const version = h('kc-api-key-version') ?? '1';
    if (!KEY_VERSIONS.has(version)) return BAD_VERSION;
    return passphrase === undefined ? undefined : kucoinPassphrase(version, secret, passphrase);
  },
  badPassphrase: fail('400004', 'Invalid KC-API-PASSPHRASE.', 'bad_passphrase'),
  badSignature: fail('400005', 'Invalid KC-API-SIGN.', 'bad_signature'),
  unknownKey: fail('400003', 'KC-API-KEY does not exist.', 'bad_signature'),
});

/**
 * Header presence, timestamp, key version, passphrase and signature, in the order KuCoin reports
 * them. Shared by the gateway (client verification) and the sandbox (the emulated exchange).
 */
export const kucoinVerify = KUCOIN_AUTH.verify;

/** The gateway's check of a bot's own KuCoin signature. */
export const kucoinVerifyClient = KUCOIN_AUTH.verifyClient;
