/**
 * Binance spot REST + SAPI wallet endpoints (exchanges.md §1). Signed payload = the query
 * string concatenated with the form body exactly as sent; HMAC-SHA256 hex, or Ed25519 / RSA
 * (PKCS#8 PEM in `secret`) base64 then percent-encoded, like CCXT.
 */
import type { ExchangeAdapter } from '../adapter.js';
import type { Params } from '../params.js';
import {
  binanceClientKeyId,
  issueBinanceClientCredential,
  signBinance,
  stripBinanceAuth,
  validateBinanceCredential,
  verifyBinanceClient,
} from './auth.js';
import { cancelAllOrders } from './cancel-all.js';
import { classifyBinance } from './classify.js';
import { BINANCE_CONSOLE } from './console.js';
import { binanceErrorResponse } from './errors.js';
import { introspectBinance } from './introspection.js';
import { parseRestingOrder, parseTicker, restingOrderRequest, tickerRequest } from './market-data.js';
import { parseBinance } from './parse.js';
import { binancePublicWeight } from './weights.js';
import { binanceWs } from './ws.js';

// Re-exported for modules that imported these helpers from here before http-text.ts existed.
export { dropRawParams, hasSpaceOrControl, headerValue, withoutHeaders } from '../http-text.js';
export { BINANCE_DEFAULT_RECV_WINDOW_MS, BINANCE_MAX_RECV_WINDOW_MS, binanceSignature } from './auth.js';
export { BINANCE_ERRORS, binanceErrorResponse } from './errors.js';
export { binanceParams } from './parse.js';
export { BINANCE_IP_WEIGHT_PER_MINUTE, binanceRateRules, binanceWsUsageHeaders } from './rate-rules.js';
export { BINANCE_QUOTE_ASSETS, binanceMarketId, binanceSymbol } from './symbols.js';
export { binanceOrderCount, binanceRequestWeight } from './weights.js';
export {
  BINANCE_WS_FRAME_FIELDS,
  BINANCE_WS_METHODS,
  binanceWsFrame,
  parseBinanceWsFrame,
} from './ws-frames.js';

const rest: ExchangeAdapter<Params> = {
  id: 'binance',
  defaultBaseUrl: 'https://api.binance.com',
  validateCredential: validateBinanceCredential,
  parse: parseBinance,
  clientKeyId: binanceClientKeyId,
  verifyClient: verifyBinanceClient,
  stripAuth: stripBinanceAuth,
  sign: signBinance,
  classify: classifyBinance,
  publicWeight: binancePublicWeight,
  restingOrderRequest,
  parseRestingOrder,
  introspect: introspectBinance,
  cancelAllOrders,
  errorResponse: binanceErrorResponse,
  issueClientCredential: issueBinanceClientCredential,
  tickerRequest,
  parseTicker,

  forwardedHeaders: [],

  credentialFields: ['apiKey', 'secret'],
  ccxtOverride(base: string) {
    return {
      urls: {
        api: {
          public: `${base}/api/v3`,
          private: `${base}/api/v3`,
          v1: `${base}/api/v1`,
          sapi: `${base}/sapi/v1`,
          sapiV2: `${base}/sapi/v2`,
          sapiV3: `${base}/sapi/v3`,
          sapiV4: `${base}/sapi/v4`,
          // CCXT Pro: the WebSocket API (orders, user data stream) at the gateway's /binance/ws-api/v3.
          ws: { 'ws-api': { spot: `${base.replace(/^http/, 'ws')}/ws-api/v3` } },
        },
      },
      // Spot only: CCXT would otherwise load futures markets from fapi/dapi hosts.
      options: { fetchMarkets: { types: ['spot'] } },
    };
  },
  console: BINANCE_CONSOLE,
};

export const binance: ExchangeAdapter<Params> = { ...rest, ws: binanceWs(rest) };
export * from './schemas.js';
