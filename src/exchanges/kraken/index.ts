/**
 * Kraken spot REST (exchanges.md §3). Private calls are `POST /0/private/<Method>` with
 * API-Sign = base64(HMAC-SHA512(base64decode(secret), path + SHA256(nonce + postdata))).
 * The nonce lives in the body and must strictly increase per key: the gateway owns it.
 */

import type { ExchangeAdapter } from '../adapter.js';
import { wireAdapter } from '../wire-adapter.js';
import {
  issueKrakenClientCredential,
  krakenClientKeyId,
  signKraken,
  stripKrakenAuth,
  validateKrakenCredential,
  verifyKrakenClient,
} from './auth.js';
import { cancelAllOrders } from './cancel-all.js';
import { classifyKraken } from './classify.js';
import { KRAKEN_CONSOLE } from './console.js';
import { krakenErrorResponse } from './errors.js';
import { introspectKraken } from './introspection.js';
import { parseRestingOrder, parseTicker, restingOrderRequest, tickerRequest } from './market-data.js';
import { parseKraken } from './parse.js';
import { krakenWs } from './ws.js';
import { KRAKEN_WS_TOKEN_SECONDS, mintKrakenWsToken } from './ws-token.js';

export { krakenSignature } from './auth.js';
export { jsonDuplicateKey } from './duplicate-keys.js';
export { KRAKEN_ERRORS, krakenError, krakenErrorResponse } from './errors.js';
export { krakenAsset, krakenPairId, krakenSymbol } from './symbols.js';
export { classifyKrakenWs } from './ws.js';
export {
  KRAKEN_WS_PRIVATE_CHANNELS,
  KRAKEN_WS_TOKEN_HEADER,
  krakenWsAnswer,
  krakenWsPong,
  parseKrakenWsFrame,
} from './ws-frames.js';
export {
  KRAKEN_WS_TOKEN_SECONDS,
  krakenWsTokenKeyId,
  mintKrakenWsToken,
  verifyKrakenWsToken,
} from './ws-token.js';

const rest: ExchangeAdapter = wireAdapter({
  id: 'kraken',
  defaultBaseUrl: 'https://api.kraken.com',
  validateCredential: validateKrakenCredential,
  parse: parseKraken,
  clientKeyId: krakenClientKeyId,
  verifyClient: verifyKrakenClient,
  stripAuth: stripKrakenAuth,
  sign: signKraken,
  classify: classifyKraken,
  restingOrderRequest,
  parseRestingOrder,
  introspect: introspectKraken,
  cancelAllOrders,
  errorResponse: krakenErrorResponse,
  issueClientCredential: issueKrakenClientCredential,
  tickerRequest,
  parseTicker,

  forwardedHeaders: [],
  sequencedNonces: true,

  credentialFields: ['apiKey', 'secret'],
  // The bot's WebSocket token is keywarden's own (ws-token.ts): Kraken's would trade around keywarden.
  answerLocally(request, client, ctx) {
    if (request.method !== 'POST' || request.path !== '/0/private/GetWebSocketsToken') return undefined;
    return {
      status: 200,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({
        error: [],
        result: { token: mintKrakenWsToken(client, ctx.clock.now()), expires: KRAKEN_WS_TOKEN_SECONDS },
      }),
    };
  },
  ccxtOverride(base: string) {
    return {
      urls: {
        api: {
          public: base,
          private: base,
          // CCXT Pro: private streams at the gateway's /kraken/v2; public ones (publicV2) stay at Kraken.
          ws: { privateV2: `${base.replace(/^http/, 'ws')}/v2` },
        },
      },
    };
  },
  console: KRAKEN_CONSOLE,
});

export const kraken: ExchangeAdapter = { ...rest, ws: krakenWs(rest) };
export { krakenRateRules } from './rate-rules.js';
