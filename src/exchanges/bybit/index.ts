/**
 * Bybit v5 REST (exchanges.md §5): the adapter assembled from its parts. Authentication is in
 * auth.ts, request parsing in parse.ts, classification in classify.ts, error shapes in errors.ts.
 */
import type { Classification, ExchangeAdapter } from '../adapter.js';
import {
  bybitClientKeyId,
  issueBybitClientCredential,
  signBybit,
  stripBybitAuth,
  validateBybitCredential,
  verifyBybitClient,
} from './auth.js';
import { cancelAllOrders } from './cancel-all.js';
import { classifyBybit } from './classify.js';
import { BYBIT_CONSOLE } from './console.js';
import { bybitErrorResponse } from './errors.js';
import { introspectBybit } from './introspection.js';
import {
  instrumentRequest,
  parseInstrument,
  parseRestingOrder,
  parseTicker,
  restingOrderRequest,
  tickerRequest,
} from './lookups.js';
import { parseBybit } from './parse.js';

export {
  BYBIT_AUTH_HEADERS,
  BYBIT_DEFAULT_RECV_WINDOW,
  BYBIT_MAX_RECV_WINDOW,
  type BybitAuthFailure,
  bybitPayload,
  bybitReplayKey,
  bybitSignature,
  bybitVerify,
} from './auth.js';
export { bybitError } from './errors.js';
export { bybitMarketId, bybitSymbol } from './symbols.js';

export const bybit: ExchangeAdapter = {
  id: 'bybit',
  defaultBaseUrl: 'https://api.bybit.com',
  validateCredential: validateBybitCredential,
  parse: parseBybit,
  clientKeyId: bybitClientKeyId,
  verifyClient: verifyBybitClient,
  stripAuth: stripBybitAuth,
  sign: signBybit,
  classify(request): Classification {
    return classifyBybit(request);
  },
  introspect: introspectBybit,
  cancelAllOrders,
  errorResponse: bybitErrorResponse,
  issueClientCredential: issueBybitClientCredential,
  tickerRequest,
  parseTicker,
  instrumentRequest,
  parseInstrument,
  restingOrderRequest,
  parseRestingOrder,

  forwardedHeaders: [],

  credentialFields: ['apiKey', 'secret'],
  ccxtOverride(base: string) {
    return { urls: { api: { public: base, private: base, spot: base, futures: base, v2: base } } };
  },
  console: BYBIT_CONSOLE,
};
