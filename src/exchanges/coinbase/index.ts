/**
 * Coinbase Advanced Trade (and the Coinbase App v2 endpoints bots use for sends).
 *
 * Auth is a per-request JWT (CDP keys): ES256 with an EC P-256 PEM, or EdDSA with a base64
 * Ed25519 key. The JWT binds method, host and path (`uri` claim) but NOT the query string or the
 * body — that is Coinbase's design, so keywarden re-signs only what policy checked. Legacy HMAC
 * keys (CB-ACCESS-*) are signed too, since some old keys still exist.
 */

import type { ExchangeAdapter } from '../adapter.js';
import { wireAdapter } from '../wire-adapter.js';
import {
  coinbaseClientKeyId,
  issueCoinbaseClientCredential,
  signCoinbase,
  stripAuthHeaders,
  validateCoinbaseCredential,
  verifyCoinbaseClient,
} from './auth.js';
import { cancelAllOrders } from './cancel-all.js';
import { classifyCoinbase, parseRestingOrder, restingOrderRequest } from './classify.js';
import { COINBASE_CONSOLE } from './console.js';
import { coinbaseErrorResponse } from './errors.js';
import { introspect } from './introspection.js';
import { parseTicker, tickerRequest } from './market-data.js';
import { parseCoinbase } from './parse.js';
import { coinbaseWs } from './ws.js';

export { legacyPrehash, legacySignature, signCoinbase } from './auth.js';
export { classifyCoinbase, parseJsonBody, toProductId, toSymbol } from './classify.js';
export { coinbaseError, coinbaseErrorResponse, coinbaseUnauthorized } from './errors.js';
export {
  buildJwt,
  type DecodedJwt,
  decodeJwt,
  JWT_LIFETIME_SECONDS,
  type JwtCheck,
  type JwtOptions,
  jwtUri,
  uriPrefix,
  verifyJwt,
  verifyWsJwt,
} from './jwt.js';
export { type CoinbaseSigningKey, generateCdpKeyPair, loadSigningKey } from './signing-key.js';
export { COINBASE_WS_PRIVATE_CHANNELS, classifyCoinbaseWs, parseCoinbaseWsFrame } from './ws.js';

export const COINBASE_BASE_URL = 'https://api.coinbase.com';

const rest: ExchangeAdapter = wireAdapter({
  id: 'coinbase',
  defaultBaseUrl: COINBASE_BASE_URL,
  validateCredential: validateCoinbaseCredential,
  parse: parseCoinbase,
  clientKeyId: coinbaseClientKeyId,
  verifyClient: verifyCoinbaseClient,
  stripAuth: stripAuthHeaders,
  sign: signCoinbase,
  classify: classifyCoinbase,
  restingOrderRequest,
  parseRestingOrder,
  introspect,
  cancelAllOrders,
  errorResponse: coinbaseErrorResponse,
  issueClientCredential: issueCoinbaseClientCredential,
  tickerRequest,
  parseTicker,

  // CDP keys cannot change permissions once created, and key_permissions says nothing of the
  // key's IP allowlist (introspect reports ipRestricted: false), so both go through the console.
  forwardedHeaders: ['cb-version'],
  credentialFields: ['apiKey', 'secret'],
  ccxtOverride(base: string) {
    // CCXT Pro: one WebSocket URL for every channel; the gateway's /coinbase/ws-user relays the user channel only.
    return { urls: { api: { rest: base, ws: `${base.replace(/^http/, 'ws')}/ws-user` } } };
  },
  console: COINBASE_CONSOLE,
});

export const coinbase: ExchangeAdapter = { ...rest, ws: coinbaseWs(rest) };
export { coinbaseRateRules } from './rate-rules.js';
