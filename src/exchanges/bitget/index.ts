/**
 * Bitget v2 spot REST (exchanges.md): HMAC-SHA256 base64 signatures with a passphrase
 * (auth.ts), strict per-endpoint schemas (schemas.ts, classify.ts), Bitget's error shape
 * (errors.ts), key introspection (introspection.ts), cancel-all (cancel-all.ts), prices
 * (market-data.ts). Bodies are JSON objects; the host and the gateway prefix are not signed.
 */
import { randomToken } from '../../core/index.js';
import {
  CredentialError,
  type ExchangeAdapter,
  type ExchangeRequest,
  type WireParseResult,
} from '../adapter.js';
import { hasSpaceOrControl, headerValue, withoutHeaders } from '../http-text.js';
import { classifyParsed, type ParsedJsonRequest } from '../json-endpoint.js';
import { parseParams } from '../params.js';
import { issueSharedSecretCredential } from '../shared-secret.js';
import { isRecord, parseStrictJson } from '../strict-json.js';
import { wireAdapter } from '../wire-adapter.js';
import { BITGET_AUTH_HEADERS, bitgetPrehash, bitgetSignature, verifyBitgetClient } from './auth.js';
import { bitgetCancelAll } from './cancel-all.js';
import { bitgetClassify } from './classify.js';
import { bitgetConsole } from './console.js';
import { bitgetErrorResponse } from './errors.js';
import { bitgetIntrospect } from './introspection.js';
import { parseTicker, tickerRequest } from './market-data.js';

export { BITGET_AUTH_HEADERS, bitgetPrehash, bitgetSignature, bitgetVerify } from './auth.js';
export { BITGET_ERRORS, BITGET_OK, bitgetError } from './errors.js';
export { ACCOUNT_INFO_PATH } from './introspection.js';
export { bitgetMarketId, bitgetSymbol } from './market-data.js';
export { BITGET_ACCOUNT_TYPES } from './schemas.js';

/**
 * The CCXT `urls.api` keys bitget routes its calls by (spot, margin, common, …): every one is
 * pointed at the base, so no call of an unmodified client leaves for bitget.com.
 */
const CCXT_API_KEYS = [
  'spot',
  'mix',
  'user',
  'p2p',
  'broker',
  'margin',
  'common',
  'tax',
  'convert',
  'copy',
  'earn',
  'uta',
];

/**
 * The query and body as Bitget reads them. A percent-escape or `+` in the query is refused:
 * CCXT signs the decoded query but sends it encoded, and whether Bitget verifies the raw or the
 * decoded text is UNCONFIRMED, so only queries whose two forms are the same text are accepted
 * (every value a spot bot sends, symbols, ids, times, is plain).
 */
function parseBitget(request: ExchangeRequest): ParsedJsonRequest {
  if (/[%+]/.test(request.query))
    return { ok: false, message: 'percent-encoded query parameters are not accepted' };
  const query = parseParams(request.query);
  if (!query.ok) return query;
  if (request.body === '') return { ok: true, query: query.params, body: undefined };
  if (request.method.toUpperCase() === 'GET')
    return { ok: false, message: 'GET requests must not have a body' };
  const parsed = parseStrictJson(request.body);
  if (!parsed.ok) return parsed;
  if (!isRecord(parsed.value)) return { ok: false, message: 'body must be a JSON object' };
  return { ok: true, query: query.params, body: parsed.value };
}

export const bitget: ExchangeAdapter = wireAdapter({
  id: 'bitget',
  defaultBaseUrl: 'https://api.bitget.com',
  console: bitgetConsole,
  /** Bitget's demo-trading switch (`PAPTRADING: 1`), like OKX's x-simulated-trading: the exchange decides. */
  forwardedHeaders: ['paptrading'],
  credentialFields: ['apiKey', 'secret', 'password'],

  ccxtOverride(base) {
    const api = Object.fromEntries(CCXT_API_KEYS.map((k) => [k, base]));
    // Spot only: CCXT would also load swap contracts from /api/v2/mix/market/contracts.
    // `uta: false`: CCXT would otherwise probe GET /api/v3/account/settings (unified accounts), which keywarden does not forward.
    return { urls: { api }, options: { fetchMarkets: { types: ['spot'] }, uta: false } };
  },

  validateCredential(credential) {
    if (!credential.apiKey) throw new CredentialError('bitget credential needs apiKey');
    if (!credential.secret) throw new CredentialError('bitget credential needs secret');
    if (credential.secret.includes('-----BEGIN'))
      throw new CredentialError(
        'bitget RSA keys are not supported: use an HMAC key (apiKey, secret, passphrase)',
      );
    if (hasSpaceOrControl(credential.apiKey) || hasSpaceOrControl(credential.secret))
      throw new CredentialError('bitget apiKey and secret must not contain spaces or control characters');
    if (!credential.password)
      throw new CredentialError('bitget credential needs password (the API passphrase)');
  },

  parse(request): WireParseResult {
    const parsed = parseBitget(request);
    return parsed.ok ? { ok: true, request } : parsed;
  },

  clientKeyId(request) {
    return headerValue(request.headers, 'access-key') || undefined;
  },

  verifyClient: (request, verifier, ctx) => verifyBitgetClient(request, verifier, ctx.clock.now()),

  stripAuth(request) {
    return { ...request, headers: withoutHeaders(request.headers, BITGET_AUTH_HEADERS) };
  },

  sign(request, credential, ctx) {
    const headers = withoutHeaders(request.headers, [...BITGET_AUTH_HEADERS, 'content-type']);
    const method = request.method.toUpperCase();
    const timestamp = String(ctx.clock.now());
    headers['ACCESS-KEY'] = credential.apiKey;
    headers['ACCESS-TIMESTAMP'] = timestamp;
    headers['ACCESS-PASSPHRASE'] = credential.password ?? '';
    if (method !== 'GET') headers['Content-Type'] = 'application/json';
    const signed = { ...request, method, headers };
    headers['ACCESS-SIGN'] = bitgetSignature(bitgetPrehash(timestamp, signed), credential.secret);
    return signed;
  },

  classify: (request) => classifyParsed(request, parseBitget, bitgetClassify),

  introspect(credential, send, ctx) {
    return bitgetIntrospect(credential, send, ctx, bitget.sign);
  },

  cancelAllOrders(credential, send, ctx) {
    return bitgetCancelAll(credential, send, ctx, bitget.sign);
  },

  errorResponse(kind, message) {
    return bitgetErrorResponse(kind, message, Date.now());
  },

  issueClientCredential: () => issueSharedSecretCredential(32, randomToken(48), 24),

  tickerRequest,
  parseTicker,
});
export { bitgetRateRules } from './rate-rules.js';
