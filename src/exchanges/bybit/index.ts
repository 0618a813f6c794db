/**
 * Bybit v5 REST (exchanges.md §5): the adapter assembled from its parts. Authentication is in
 * auth.ts, request parsing in parse.ts, classification in classify.ts, error shapes in errors.ts.
 */
import { signedRequest, wireOf } from '../../core/index.js';
import type { ExchangeAdapter } from '../adapter.js';
import {
  bybitClientKeyId,
  issueBybitClientCredential,
  signBybit,
  stripBybitAuth,
  validateBybitCredential,
  verifyBybitClient,
} from './auth.js';
import { cancelAllOrders } from './cancel-all.js';
import { type BybitBody, classifyBybit } from './classify.js';
import { BYBIT_CONSOLE } from './console.js';
import { bybitErrorResponse } from './errors.js';
import { introspectBybit } from './introspection.js';
import { bybitMarketData } from './lookups.js';
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

/** Carries its own parse (the JSON body) through the gateway's request stages. */
export const bybit: ExchangeAdapter<BybitBody> = {
  id: 'bybit',
  defaultBaseUrl: 'https://api.bybit.com',
  validateCredential: validateBybitCredential,
  parse: parseBybit,
  clientKeyId: (request) => bybitClientKeyId(wireOf(request)),
  verifyClient: (request, verifier, ctx) => verifyBybitClient(wireOf(request), verifier, ctx),
  stripAuth: (request) => stripBybitAuth(wireOf(request)),
  sign: (request, credential, ctx) => signedRequest(signBybit(request, credential, ctx)),
  classify: classifyBybit,
  introspect: introspectBybit,
  cancelAllOrders,
  errorResponse: bybitErrorResponse,
  issueClientCredential: issueBybitClientCredential,
  ...bybitMarketData,

  forwardedHeaders: [],

  credentialFields: ['apiKey', 'secret'],
  ccxtOverride(base: string) {
    return { urls: { api: { public: base, private: base, spot: base, futures: base, v2: base } } };
  },
  console: BYBIT_CONSOLE,
};
export { bybitRateRules } from './rate-rules.js';
