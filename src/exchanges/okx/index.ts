/**
 * OKX v5 REST (exchanges.md §4). Private calls carry OK-ACCESS-KEY / -PASSPHRASE /
 * -TIMESTAMP (ISO-8601 ms UTC) / -SIGN = base64(HMAC-SHA256(secret, ts + METHOD + path[?query] + body)).
 * Bodies are JSON (objects, or arrays on batch endpoints); the host is not signed.
 */

import { signedRequest, wireOf } from '../../core/index.js';
import type { ExchangeAdapter } from '../adapter.js';
import {
  issueOkxClientCredential,
  okxClientKeyId,
  signOkx,
  stripOkxAuth,
  validateOkxCredential,
  verifyOkxClient,
} from './auth.js';
import { cancelAllOrders } from './cancel-all.js';
import { OKX_CONSOLE } from './console.js';
import { okxErrorResponse } from './errors.js';
import { introspectOkx } from './introspection.js';
import { okxMarketData } from './market-data.js';
import { classifyOkxRequest, type OkxParse, parseOkx } from './parse.js';
import { okxWs } from './ws.js';

export {
  OKX_AUTH_HEADERS,
  OKX_TIMESTAMP_TOLERANCE_MS,
  okxPrehash,
  okxSignature,
  okxVerify,
} from './auth.js';
export { okxError } from './errors.js';
export { okxInstId, okxMarket, okxSymbol } from './okx-symbols.js';
export {
  OKX_WS_LOGIN_PATH,
  OKX_WS_OPS,
  okxWsLoginHeaders,
  okxWsLoginVerify,
  parseOkxWsFrame,
} from './ws-frames.js';

/** Carries its own parse (query and JSON body) through the gateway's request stages. */
const rest: ExchangeAdapter<OkxParse> = {
  id: 'okx',
  defaultBaseUrl: 'https://www.okx.com',
  validateCredential: validateOkxCredential,
  parse: parseOkx,
  clientKeyId: (request) => okxClientKeyId(wireOf(request)),
  verifyClient: (request, verifier, ctx) => verifyOkxClient(wireOf(request), verifier, ctx),
  stripAuth: (request) => stripOkxAuth(wireOf(request)),
  sign: (request, credential, ctx) => signedRequest(signOkx(request, credential, ctx)),
  classify: classifyOkxRequest,
  introspect: introspectOkx,
  cancelAllOrders,
  errorResponse: okxErrorResponse,
  issueClientCredential: issueOkxClientCredential,
  ...okxMarketData,

  forwardedHeaders: ['x-simulated-trading'],

  credentialFields: ['apiKey', 'secret', 'password'],
  ccxtOverride(base: string) {
    // CCXT Pro appends /private, /business (and /public) to urls.api.ws: the gateway's /okx/ws/v5/….
    return { urls: { api: { rest: base, ws: `${base.replace(/^http/, 'ws')}/ws/v5` } } };
  },
  console: OKX_CONSOLE,
};

export const okx: ExchangeAdapter<OkxParse> = { ...rest, ws: okxWs(rest) };
export { okxRateRules } from './rate-rules.js';
