/**
 * KuCoin spot REST (api.kucoin.com, API v1/v2/v3 as CCXT 4.5.84 calls them). Private calls are
 * signed with HMAC-SHA256 in base64 over timestamp + METHOD + path[?query] + body, with the
 * passphrase HMAC-signed for v2/v3 keys (auth.ts). Bodies are JSON objects.
 */
import type { ExchangeAdapter, WireParseResult } from '../adapter.js';
import { headerValue } from '../http-text.js';
import { classifyParsed } from '../json-endpoint.js';
import { wireAdapter } from '../wire-adapter.js';
import { kucoinVerifyClient } from './auth.js';
import { kucoinCancelAll } from './cancel-all.js';
import { kucoinClassify } from './classify.js';
import { kucoinConsole } from './console.js';
import { issueKucoinClientCredential, validateKucoinCredential } from './credential.js';
import { kucoinErrorResponse } from './errors.js';
import { kucoinIntrospect } from './introspection.js';
import { kucoinParseTicker, kucoinTickerRequest } from './market-data.js';
import { kucoinParse } from './parse.js';
import { kucoinSign, kucoinStripAuth } from './sign.js';

export {
  KUCOIN_AUTH_HEADERS,
  KUCOIN_PARTNER_HEADERS,
  KUCOIN_TIMESTAMP_TOLERANCE_MS,
  kucoinHmac,
  kucoinPassphrase,
  kucoinPrehash,
  kucoinVerify,
} from './auth.js';
export { kucoinError } from './errors.js';
export { API_KEY_INFO_PATH } from './introspection.js';
export { kucoinParse } from './parse.js';
export { kucoinMarketId, kucoinSymbol } from './symbols.js';

export const kucoin: ExchangeAdapter = wireAdapter({
  id: 'kucoin',
  defaultBaseUrl: 'https://api.kucoin.com',
  console: kucoinConsole,
  forwardedHeaders: [],
  credentialFields: ['apiKey', 'secret', 'password'],

  /**
   * Every api.kucoin.com host CCXT names, pointed at `base`; the futures hosts are left alone
   * (their paths overlap the spot ones). `uta: false` keeps CCXT on the classic spot API instead
   * of asking /api/ua/v1/account/mode first; spot markets only.
   */
  ccxtOverride(base) {
    return {
      urls: {
        api: { public: base, private: base, earn: base, uta: base, utaV2: base, utaPrivate: base },
      },
      options: { uta: false, fetchMarkets: { types: ['spot'] } },
    };
  },

  validateCredential: validateKucoinCredential,

  parse(request): WireParseResult {
    const parsed = kucoinParse(request);
    return parsed.ok ? { ok: true, request } : parsed;
  },

  clientKeyId(request) {
    return headerValue(request.headers, 'kc-api-key') || undefined;
  },

  verifyClient: (request, verifier, ctx) => kucoinVerifyClient(request, verifier, ctx.clock.now()),
  stripAuth: kucoinStripAuth,
  sign: kucoinSign,

  classify: (request) => classifyParsed(request, kucoinParse, kucoinClassify),

  introspect: (credential, send, ctx) => kucoinIntrospect(kucoinSign, credential, send, ctx),
  cancelAllOrders: (credential, send, ctx) => kucoinCancelAll(kucoinSign, credential, send, ctx),
  errorResponse: kucoinErrorResponse,
  issueClientCredential: issueKucoinClientCredential,
  tickerRequest: kucoinTickerRequest,
  parseTicker: kucoinParseTicker,
});
export { kucoinRateRules } from './rate-rules.js';
