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
import { bybitWs } from './ws.js';

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
export {
  BYBIT_WS_OPS,
  bybitWsAuthSignature,
  bybitWsAuthVerify,
  parseBybitWsFrame,
} from './ws-frames.js';

/** Carries its own parse (the JSON body) through the gateway's request stages. */
const rest: ExchangeAdapter<BybitBody> = {
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
    const ws = base.replace(/^http/, 'ws');
    return {
      urls: {
        api: {
          public: base,
          private: base,
          spot: base,
          futures: base,
          v2: base,
          // CCXT Pro: private streams at the gateway's /bybit/v5/private, order entry at /bybit/v5/trade.
          ws: { private: { contract: `${ws}/v5/private`, trade: `${ws}/v5/trade` } },
        },
      },
    };
  },
  console: BYBIT_CONSOLE,
};

export const bybit: ExchangeAdapter<BybitBody> = { ...rest, ws: bybitWs(rest) };
export { bybitRateRules, bybitWsUsageHeaders } from './rate-rules.js';
