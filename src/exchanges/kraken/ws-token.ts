/**
 * The WebSocket token keywarden hands a Kraken bot instead of Kraken's own. Kraken's token
 * (`GetWebSocketsToken`) lets whoever holds it trade on the account over WebSocket for 15
 * minutes: given to a bot, it would bypass keywarden. The gateway answers the bot's
 * `GetWebSocketsToken` (after the pipeline verified, allowed and audited it) with this token
 * instead, and the WebSocket edge takes it as the client's credential on every frame.
 *
 * Format `kwt1.<client api key>.<expiry, unix seconds>.<16 random bytes>.<mac>`, the MAC an
 * HMAC-SHA256 under the client's keywarden secret (its verifier), so keywarden keeps no token
 * state: a re-rolled, revoked or frozen client's tokens die with it (the pipeline's client state
 * applies to every frame), and an expired one is refused. Only the client's own secret makes
 * one: whoever can make it could sign the client's REST requests anyway, and it grants nothing
 * at the exchange. Kraken's real token never leaves keywarden (src/exchanges/kraken/ws.ts).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { safeEqual } from '../../core/index.js';
import type { ClientVerifier, VerifyResult } from '../adapter.js';

/** Kraken's token lifetime for a new connection or subscription (its `expires`, seconds). */
export const KRAKEN_WS_TOKEN_SECONDS = 900;
const PREFIX = 'kwt1';
const TOKEN = /^kwt1\.([A-Za-z0-9_-]{1,128})\.(\d{1,12})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

function mac(secret: string, apiKey: string, expires: string, nonce: string): string {
  return createHmac('sha256', Buffer.from(secret, 'base64'))
    .update(`keywarden kraken websocket token v1\n${apiKey}\n${expires}\n${nonce}`)
    .digest('base64url');
}

/** A new token for the client behind `verifier`, valid until `nowMs` + 15 minutes. */
export function mintKrakenWsToken(verifier: ClientVerifier, nowMs: number): string {
  const expires = String(Math.floor(nowMs / 1000) + KRAKEN_WS_TOKEN_SECONDS);
  const nonce = randomBytes(16).toString('base64url');
  return [
    PREFIX,
    verifier.apiKey,
    expires,
    nonce,
    mac(verifier.secret, verifier.apiKey, expires, nonce),
  ].join('.');
}

/** The client api key a token names (not yet verified), if it has the token's form. */
export function krakenWsTokenKeyId(token: string): string | undefined {
  return TOKEN.exec(token)?.[1];
}

/** Kraken's words for a token it does not accept (CCXT maps them to AuthenticationError). */
export const INVALID_SESSION = 'ESession:Invalid session';

export function verifyKrakenWsToken(
  token: string | undefined,
  verifier: ClientVerifier,
  nowMs: number,
): VerifyResult {
  if (token === undefined)
    return { ok: false, reason: 'missing_credentials', message: `${INVALID_SESSION}: token required` };
  const m = TOKEN.exec(token);
  if (!m) return { ok: false, reason: 'missing_credentials', message: `${INVALID_SESSION}: unknown token` };
  const [, apiKey = '', expires = '', nonce = '', given = ''] = m;
  if (!safeEqual(apiKey, verifier.apiKey) || !safeEqual(mac(verifier.secret, apiKey, expires, nonce), given))
    return { ok: false, reason: 'bad_signature', message: `${INVALID_SESSION}: unknown token` };
  if (Number(expires) * 1000 <= nowMs)
    return {
      ok: false,
      reason: 'stale_timestamp',
      message: `${INVALID_SESSION}: token expired (get a new one with GetWebSocketsToken)`,
    };
  return { ok: true };
}
