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

export { krakenSignature } from './auth.js';
export { jsonDuplicateKey } from './duplicate-keys.js';
export { KRAKEN_ERRORS, krakenError, krakenErrorResponse } from './errors.js';
export { krakenAsset, krakenPairId, krakenSymbol } from './symbols.js';

export const kraken: ExchangeAdapter = wireAdapter({
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
  ccxtOverride(base: string) {
    return { urls: { api: { public: base, private: base } } };
  },
  console: KRAKEN_CONSOLE,
});
