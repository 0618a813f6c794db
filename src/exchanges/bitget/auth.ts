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
import {
  headerAuthFailure as fail,
  hmacSha256Base64,
  passphraseAuth,
  timestampedPrehash,
} from '../passphrase-auth.js';

/** In the order Bitget is taken to report a missing one. */
export const BITGET_AUTH_HEADERS = [
  'access-key',
  'access-sign',
  'access-timestamp',
  'access-passphrase',
] as const;

/**
 * Bitget refuses a request whose ACCESS-TIMESTAMP is too far from its clock (40008).
 * UNCONFIRMED: the documents give no figure for the default window (`receiveWindow` may narrow
 * it, at most 60 s); 30 s is what OKX, whose scheme Bitget's follows, uses.
 */
export const BITGET_TIMESTAMP_TOLERANCE_MS = 30_000;

const EPOCH_MS = /^\d{13}$/;

export function bitgetSignature(prehash: string, secret: string): string {
  return hmacSha256Base64(secret, prehash);
}

/**
 * What Bitget signs: the path, then `?query` only when there is one, exactly as sent. The
 * adapter refuses percent-escapes in a query (see parse), so the sent and the decoded query
 * are the same text and no reading of "the query string" can differ between client and exchange.
 */
export const bitgetPrehash = timestampedPrehash;

/**
 * The codes Bitget answers its checks with (CCXT's table of Bitget codes: 40001, 40003, 40005,
 * 40006, 40008, 40009, 40011, 40012). UNCONFIRMED: the order in which the real exchange checks them.
 */
const BITGET_AUTH = passphraseAuth({
  headers: BITGET_AUTH_HEADERS,
  missing: [
    fail('40001', 'ACCESS_KEY cannot be empty', 'missing_credentials'),
    fail('40003', 'Signature cannot be empty', 'missing_credentials'),
    fail('40005', 'Invalid ACCESS_TIMESTAMP', 'missing_credentials'),
    fail('40011', 'ACCESS_PASSPHRASE cannot be empty', 'missing_credentials'),
  ],
  timestampMs: (text) => (EPOCH_MS.test(text) ? Number(text) : undefined),
  toleranceMs: BITGET_TIMESTAMP_TOLERANCE_MS,
  malformedTimestamp: fail('40005', 'Invalid ACCESS_TIMESTAMP', 'malformed'),
  staleTimestamp: fail('40008', 'Request timestamp expired', 'stale_timestamp'),
  badPassphrase: fail('40012', 'apikey/password is incorrect', 'bad_passphrase'),
  badSignature: fail('40009', 'sign signature error', 'bad_signature'),
  unknownKey: fail('40006', 'Invalid ACCESS_KEY', 'bad_signature'),
});

/** Header presence, timestamp, passphrase and signature, in that order, with Bitget's codes. */
export const bitgetVerify = BITGET_AUTH.verify;

/** The gateway's check of a bot's own Bitget signature. */
export const verifyBitgetClient = BITGET_AUTH.verifyClient;
