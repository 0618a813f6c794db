/** Signing with the real key, and removing a client's auth before that. */
import type { Credential, ExchangeRequest, SignContext } from '../adapter.js';
import { withoutHeaders } from '../http-text.js';
import {
  KUCOIN_AUTH_HEADERS,
  KUCOIN_PARTNER_HEADERS,
  KUCOIN_SIGN_KEY_VERSION,
  kucoinHmac,
  kucoinPassphrase,
  kucoinPrehash,
} from './auth.js';

export type KucoinSign = (
  request: ExchangeRequest,
  credential: Credential,
  ctx: SignContext,
) => ExchangeRequest;

const STRIPPED = [...KUCOIN_AUTH_HEADERS, ...KUCOIN_PARTNER_HEADERS];

/** Every client auth header, and CCXT's partner headers (auth.ts says why). */
export function kucoinStripAuth(request: ExchangeRequest): ExchangeRequest {
  return { ...request, headers: withoutHeaders(request.headers, STRIPPED) };
}

/** The headers in CCXT's order, so a signed request reads byte for byte as CCXT's own. */
export const kucoinSign: KucoinSign = (request, credential, ctx) => {
  const headers = withoutHeaders(request.headers, [...STRIPPED, 'content-type']);
  const timestamp = String(ctx.clock.now());
  const method = request.method.toUpperCase();
  const secret = credential.secret;
  headers['KC-API-KEY-VERSION'] = KUCOIN_SIGN_KEY_VERSION;
  headers['KC-API-KEY'] = credential.apiKey;
  headers['KC-API-TIMESTAMP'] = timestamp;
  if (request.body !== '') headers['Content-Type'] = 'application/json';
  headers['KC-API-PASSPHRASE'] = kucoinPassphrase(KUCOIN_SIGN_KEY_VERSION, secret, credential.password ?? '');
  const signed = { ...request, method, headers };
  headers['KC-API-SIGN'] = kucoinHmac(secret, kucoinPrehash(timestamp, signed));
  return signed;
};
