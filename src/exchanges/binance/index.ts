/**
 * Binance spot REST + SAPI wallet endpoints (exchanges.md §1). Signed payload = the query
 * string concatenated with the form body exactly as sent; HMAC-SHA256 hex, or Ed25519 / RSA
 * (PKCS#8 PEM in `secret`) base64 then percent-encoded, like CCXT.
 */
import { createHmac, createPrivateKey, createPublicKey, sign as cryptoSign, verify } from 'node:crypto';
import { type ExchangeErrorKind, randomToken, safeEqual } from '../../core/index.js';
import {
  type CancelAllResult,
  type Classification,
  type Credential,
  CredentialError,
  type ExchangeAdapter,
  type ExchangeRequest,
  type ExchangeResponse,
  type Introspection,
  type ParseResult,
  type SignContext,
  type Transport,
  type VerifyResult,
} from '../adapter.js';
import { checkRequest, MAX_RECV_WINDOW_MS } from './schemas.js';
import { binanceMarketId, binanceSymbol } from './symbols.js';
import { binancePublicWeight } from './weights.js';
import { decodedName, dropRawParams, hasSpaceOrControl, headerValue, withoutHeaders } from '../http-text.js';
import { sendIntrospection } from '../introspection.js';
import { parseJson, parseJsonRecord, refusalLine, stringList } from '../json-fields.js';
import { encodeParams, getParam, type Params, parseParams, toNumber } from '../params.js';
import { num, paramsObject } from '../request-schema.js';
import { isRecord } from '../strict-json.js';
import { withdrawalIntent } from '../withdrawal-intent.js';

export { BINANCE_QUOTE_ASSETS, binanceMarketId, binanceSymbol } from './symbols.js';
// Re-exported for modules that imported these helpers from here before http-text.ts existed.
export { dropRawParams, hasSpaceOrControl, headerValue, withoutHeaders } from '../http-text.js';

export const BINANCE_DEFAULT_RECV_WINDOW_MS = 5000;
export const BINANCE_MAX_RECV_WINDOW_MS = MAX_RECV_WINDOW_MS;
/** Binance refuses a timestamp this far or more ahead of its clock. */
const BINANCE_AHEAD_MS = 1000;

/** Actions whose endpoints Binance executes: only what has a strict schema is forwarded. */
const STRICT_ACTIONS = new Set<Action>(['trade', 'cancel', 'withdraw', 'transfer', 'margin', 'convert']);

/** Binance's own error codes and texts (errors.md) for the cases keywarden answers itself. */
export const BINANCE_ERRORS = {
  invalidTimestamp: { code: -1021, msg: 'Timestamp for this request is outside of the recvWindow.' },
  aheadTimestamp: { code: -1021, msg: "Timestamp for this request was 1000ms ahead of the server's time." },
  invalidSignature: { code: -1022, msg: 'Signature for this request is not valid.' },
  badApiKeyFormat: { code: -2014, msg: 'API-key format invalid.' },
  rejectedKey: { code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' },
  unauthorized: { code: -1002, msg: 'You are not authorized to execute this request.' },
  badRecvWindow: { code: -1131, msg: 'recvWindow must be less than 60000' },
  mandatoryParam: { code: -1102, msg: 'Mandatory parameter was not sent, was empty/null, or malformed.' },
} as const;

const AUTH_PARAMS = ['signature', 'timestamp'] as const;
const API_KEY_HEADER = 'x-mbx-apikey';

type BinanceParams = { ok: true; params: Params } | { ok: false; message: string };

// The gateway hands the same request object to parse, verifyClient and classify: parse it once.
// Keyed weakly by that object and re-checked against its inputs, so a changed request is parsed anew.
const parsedParams = new WeakMap<
  ExchangeRequest,
  { query: string; body: string; contentType: string | undefined; result: BinanceParams }
>();

/** Query and body parameters, each parsed strictly, and refused when one name is in both. */
export function binanceParams(request: ExchangeRequest): BinanceParams {
  // Content type matters only with a body (JSON bodies are refused).
  const contentType = request.body === '' ? undefined : headerValue(request.headers, 'content-type');
  const memo = parsedParams.get(request);
  if (memo && memo.query === request.query && memo.body === request.body && memo.contentType === contentType)
    return memo.result;
  const result = parseBinanceParams(request, contentType);
  parsedParams.set(request, { query: request.query, body: request.body, contentType, result });
  return result;
}

function parseBinanceParams(request: ExchangeRequest, contentType: string | undefined): BinanceParams {
  const q = parseParams(request.query);
  if (!q.ok) return q;
  if (request.body !== '' && (contentType ?? '').toLowerCase().includes('json'))
    return { ok: false, message: 'JSON bodies are not accepted' };
  const b = parseParams(request.body);
  if (!b.ok) return b;
  const inQuery = new Set(q.params.map(([k]) => k));
  for (const [k] of b.params) {
    if (inQuery.has(k)) return { ok: false, message: `duplicated parameter "${k.slice(0, 40)}"` };
  }
  return { ok: true, params: [...q.params, ...b.params] };
}

type Action = Classification['action'];

const PUBLIC_GET = [
  '/api/v3/ping',
  '/api/v3/time',
  '/api/v3/exchangeInfo',
  '/api/v3/depth',
  '/api/v3/trades',
  '/api/v3/historicalTrades',
  '/api/v3/aggTrades',
  '/api/v3/klines',
  '/api/v3/uiKlines',
  '/api/v3/avgPrice',
  '/api/v3/ticker/24hr',
  '/api/v3/ticker/tradingDay',
  '/api/v3/ticker/price',
  '/api/v3/ticker/bookTicker',
  '/api/v3/ticker',
  '/sapi/v1/system/status',
];

const READ_GET = [
  '/api/v3/account',
  '/api/v3/openOrders',
  '/api/v3/order',
  '/api/v3/allOrders',
  '/api/v3/myTrades',
  '/api/v3/account/commission',
  '/api/v3/rateLimit/order',
  '/api/v3/orderList',
  '/api/v3/allOrderList',
  '/api/v3/openOrderList',
  '/api/v3/myPreventedMatches',
  '/api/v3/myAllocations',
  '/api/v3/order/amendments',
  '/api/v3/myFilters',
  '/sapi/v1/capital/config/getall',
  '/sapi/v1/capital/deposit/hisrec',
  '/sapi/v1/capital/withdraw/history',
  '/sapi/v1/capital/deposit/address',
  '/sapi/v1/asset/transfer',
  '/sapi/v1/account/apiRestrictions',
  '/sapi/v1/account/apiRestrictions/ipRestriction',
  '/sapi/v1/account/status',
  '/sapi/v1/account/apiTradingStatus',
  '/sapi/v1/asset/assetDetail',
  '/sapi/v1/asset/tradeFee',
  '/sapi/v3/asset/getUserAsset',
  '/sapi/v1/margin/allPairs',
  '/sapi/v1/margin/isolated/allPairs',
  '/sapi/v1/sub-account/subAccountApi/ipRestriction',
  '/sapi/v1/margin/account',
  '/sapi/v1/margin/isolated/account',
  '/sapi/v1/margin/order',
  '/sapi/v1/margin/openOrders',
  '/sapi/v1/margin/allOrders',
  '/sapi/v1/margin/myTrades',
  '/sapi/v1/margin/maxBorrowable',
  '/sapi/v1/margin/maxTransferable',
  '/sapi/v1/margin/borrow-repay',
  '/sapi/v1/margin/interestHistory',
  '/sapi/v1/convert/exchangeInfo',
  '/sapi/v1/convert/assetInfo',
  '/sapi/v1/convert/orderStatus',
  '/sapi/v1/convert/tradeFlow',
  '/sapi/v1/convert/limit/queryOpenOrders',
];

const TRADE = new Set([
  'POST /api/v3/order',
  'POST /api/v3/order/test',
  'POST /api/v3/order/cancelReplace',
  'PUT /api/v3/order/amend/keepPriority',
  'POST /api/v3/order/oco',
  'POST /api/v3/orderList/oco',
  'POST /api/v3/orderList/oto',
  'POST /api/v3/orderList/otoco',
  'POST /api/v3/orderList/opo',
  'POST /api/v3/orderList/opoco',
  'POST /api/v3/sor/order',
  'POST /api/v3/sor/order/test',
]);

const CANCEL = new Set([
  'DELETE /api/v3/order',
  'DELETE /api/v3/openOrders',
  'DELETE /api/v3/orderList',
  'DELETE /sapi/v1/margin/order',
  'DELETE /sapi/v1/margin/openOrders',
  'POST /sapi/v1/convert/limit/cancelOrder',
]);

/** Borrowing, repaying, leverage, and orders on the margin account (issue 10 #7). */
const MARGIN = new Set([
  'POST /sapi/v1/margin/order',
  'POST /sapi/v1/margin/order/oco',
  'POST /sapi/v1/margin/borrow-repay',
  'POST /sapi/v1/margin/loan',
  'POST /sapi/v1/margin/repay',
  'POST /sapi/v1/margin/max-leverage',
]);

const CONVERT = new Set([
  'POST /sapi/v1/convert/getQuote',
  'POST /sapi/v1/convert/acceptQuote',
  'POST /sapi/v1/convert/limit/placeOrder',
]);

const WITHDRAW = new Set([
  'POST /sapi/v1/capital/withdraw/apply',
  'POST /sapi/v1/localentity/withdraw/apply',
]);

const TRANSFER = new Set([
  'POST /sapi/v1/asset/transfer',
  'POST /sapi/v1/sub-account/universalTransfer',
  'POST /sapi/v1/sub-account/transfer/subToMaster',
  'POST /sapi/v1/sub-account/transfer/subToSub',
  'POST /sapi/v1/sub-account/futures/transfer',
  'POST /sapi/v1/sub-account/margin/transfer',
  'POST /sapi/v1/sub-account/futures/internalTransfer',
  'POST /sapi/v1/margin/transfer',
  'POST /sapi/v1/margin/isolated/transfer',
  'POST /sapi/v1/futures/transfer',
  'POST /sapi/v1/asset/dust',
  'POST /sapi/v1/managed-subaccount/withdraw',
  'POST /sapi/v1/managed-subaccount/deposit',
  'POST /sapi/v1/broker/transfer',
]);

const ACCOUNT_ADMIN = new Set([
  'POST /sapi/v1/sub-account/virtualSubAccount',
  'POST /sapi/v1/sub-account/subAccountApi/ipRestriction',
  'POST /sapi/v2/sub-account/subAccountApi/ipRestriction',
  'DELETE /sapi/v1/sub-account/subAccountApi/ipRestriction/ipList',
  'POST /sapi/v1/account/enableFastWithdrawSwitch',
  'POST /sapi/v1/account/disableFastWithdrawSwitch',
  'POST /sapi/v1/capital/deposit/credit-apply',
]);

const USER_STREAM = ['/api/v3/userDataStream'];

function baseAction(method: string, path: string): Action {
  const key = `${method} ${path}`;
  if (method === 'GET' && PUBLIC_GET.includes(path)) return 'public';
  if (method === 'GET' && READ_GET.includes(path)) return 'read';
  if (USER_STREAM.includes(path) && ['POST', 'PUT', 'DELETE'].includes(method)) return 'read';
  if (TRADE.has(key)) return 'trade';
  if (CANCEL.has(key)) return 'cancel';
  if (MARGIN.has(key)) return 'margin';
  if (CONVERT.has(key)) return 'convert';
  if (WITHDRAW.has(key)) return 'withdraw';
  if (TRANSFER.has(key)) return 'transfer';
  // Sub-account money movement is a family of paths; anything that transfers is treated as such.
  if (method !== 'GET' && path.startsWith('/sapi/') && /transfer/i.test(path)) return 'transfer';
  if (ACCOUNT_ADMIN.has(key)) return 'account-admin';
  return 'unknown';
}

/** Verify the client's Binance signature over `payload`: HMAC hex (case-insensitive) or Ed25519/RSA with a public key. */
const secretIsPublicKey = (secret: string) => secret.includes('PUBLIC KEY');

function signatureMatches(payload: string, signature: string, secret: string): boolean {
  if (secretIsPublicKey(secret)) {
    try {
      const key = createPublicKey(secret);
      const sig = Buffer.from(signature, 'base64');
      if (sig.toString('base64') !== signature) return false;
      const alg = key.asymmetricKeyType === 'ed25519' ? null : 'sha256';
      return verify(alg, Buffer.from(payload), key, sig);
    } catch {
      return false;
    }
  }
  const expected = createHmac('sha256', secret).update(payload).digest('hex');
  return safeEqual(expected, signature.toLowerCase());
}

/** Sign `payload` with a Binance credential secret: HMAC hex, or Ed25519/RSA base64 percent-encoded. */
export function binanceSignature(payload: string, secret: string): string {
  if (secret.includes('PRIVATE KEY')) {
    const key = createPrivateKey(secret);
    const alg = key.asymmetricKeyType === 'ed25519' ? null : 'sha256';
    return encodeURIComponent(cryptoSign(alg, Buffer.from(payload), key).toString('base64'));
  }
  return createHmac('sha256', secret).update(payload).digest('hex');
}

/** Remove `signature=…` from whichever part carries it; returns the signed payload and the signature. */
function splitSignature(request: ExchangeRequest): { payload: string; signature: string } | undefined {
  const take = (raw: string): { rest: string; sig?: string } => {
    const parts = raw === '' ? [] : raw.split('&');
    const idx = parts.findIndex((p) => decodedName(p) === 'signature');
    if (idx === -1) return { rest: raw };
    const seg = parts[idx] ?? '';
    parts.splice(idx, 1);
    return { rest: parts.join('&'), sig: seg.slice(seg.indexOf('=') + 1) };
  };
  const q = take(request.query);
  const b = take(request.body);
  const raw = q.sig ?? b.sig;
  if (raw === undefined) return undefined;
  let signature: string;
  try {
    signature = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  return { payload: q.rest + b.rest, signature };
}

function fail(reason: Exclude<VerifyResult, { ok: true }>['reason'], message: string): VerifyResult {
  return { ok: false, reason, message };
}

function clampRecvWindow(raw: string): string {
  return raw
    .split('&')
    .map((s) => {
      if (decodedName(s) !== 'recvWindow') return s;
      const n = toNumber(decodeURIComponent(s.slice(s.indexOf('=') + 1)));
      return n !== undefined && n > BINANCE_MAX_RECV_WINDOW_MS
        ? `recvWindow=${BINANCE_MAX_RECV_WINDOW_MS}`
        : s;
    })
    .join('&');
}

function binanceError(status: number, code: number, msg: string): ExchangeResponse {
  return {
    status,
    headers: { 'content-type': 'application/json;charset=UTF-8' },
    body: JSON.stringify({ code, msg }),
  };
}

/** Map a keywarden failure onto Binance's code and HTTP status; specific texts pick the specific code. */
export function binanceErrorResponse(kind: ExchangeErrorKind, message: string): ExchangeResponse {
  const m = message.toLowerCase();
  switch (kind) {
    case 'auth':
      if (m.includes('signature')) return binanceError(400, -1022, message);
      if (m.includes('format') || m.includes('no client credential'))
        return binanceError(401, -2014, message);
      return binanceError(401, -2015, message);
    case 'timestamp':
      return binanceError(400, -1021, message);
    case 'permission':
      return binanceError(401, -2015, message);
    case 'policy':
      // Also a frozen client: CCXT raises -1002 as AuthenticationError, so a bot stops, where
      // -2015 from a key that has authenticated before becomes DDoSProtection, a ban it retries.
      return binanceError(403, -1002, message);
    case 'rate_limited':
      return binanceError(429, -1003, message);
    case 'bad_request':
      if (m.includes('duplicate')) return binanceError(400, -1101, message);
      if (m.includes('encoding') || m.includes('illegal')) return binanceError(400, -1100, message);
      if (m.includes('recvwindow')) return binanceError(400, -1131, message);
      return binanceError(400, -1102, message);
    case 'not_found':
      return binanceError(404, -1000, message);
    case 'sealed':
    case 'unavailable':
      return binanceError(503, -1001, message);
    case 'internal':
      return binanceError(500, -1000, message);
  }
}

/** `HTTP 400 -2011 Unknown order sent.`: a Binance refusal in one line (its `{code,msg}` shape). */
function binanceReason(response: ExchangeResponse): string {
  return refusalLine(response.status, parseJson(response.body), 'code', 'msg');
}

/**
 * Binance has no account-wide cancel: list every open order (GET /api/v3/openOrders without a
 * symbol, weight 80, one call) and send DELETE /api/v3/openOrders once per symbol found.
 */
async function cancelAllOrders(
  credential: Credential,
  send: Transport,
  ctx: SignContext,
): Promise<CancelAllResult> {
  const signed = (method: string, query: string) =>
    binance.sign({ method, path: '/api/v3/openOrders', query, headers: {}, body: '' }, credential, ctx);
  const listed = await send(signed('GET', ''));
  const open = parseJson(listed.body);
  if (listed.status !== 200 || !Array.isArray(open))
    return {
      cancelled: 0,
      failed: [{ ref: '*', reason: `GET /api/v3/openOrders: ${binanceReason(listed)}` }],
    };
  const symbols = new Set<string>();
  for (const o of open) {
    const symbol = isRecord(o) ? o.symbol : undefined;
    if (typeof symbol === 'string') symbols.add(symbol);
  }
  const result: CancelAllResult = { cancelled: 0, failed: [] };
  for (const symbol of symbols) {
    const r = await send(signed('DELETE', `symbol=${encodeURIComponent(symbol)}`));
    const cancelled = parseJson(r.body);
    if (r.status !== 200 || !Array.isArray(cancelled)) {
      result.failed.push({ ref: symbol, reason: binanceReason(r) });
      continue;
    }
    // An entry is one cancelled order, or an order list (OCO) whose legs are in `orderReports`.
    for (const entry of cancelled) {
      const legs = isRecord(entry) ? entry.orderReports : undefined;
      result.cancelled += Array.isArray(legs) ? legs.length : 1;
    }
  }
  return result;
}

export const binance: ExchangeAdapter = {
  id: 'binance',
  defaultBaseUrl: 'https://api.binance.com',

  validateCredential(credential: Credential) {
    if (!credential.apiKey || hasSpaceOrControl(credential.apiKey)) {
      throw new CredentialError('binance apiKey is missing or contains whitespace');
    }
    if (!credential.secret) throw new CredentialError('binance secret is missing');
    if (credential.secret.includes('PRIVATE KEY')) {
      let type: string | undefined;
      try {
        type = createPrivateKey(credential.secret).asymmetricKeyType;
      } catch {
        throw new CredentialError('binance secret is not a valid PKCS#8 private key PEM');
      }
      if (type !== 'ed25519' && type !== 'rsa') {
        throw new CredentialError('binance private keys must be Ed25519 or RSA');
      }
    } else if (hasSpaceOrControl(credential.secret)) {
      throw new CredentialError('binance HMAC secret contains whitespace');
    }
  },

  parse(request): ParseResult {
    const p = binanceParams(request);
    return p.ok ? { ok: true, request } : p;
  },

  clientKeyId(request) {
    return headerValue(request.headers, API_KEY_HEADER);
  },

  verifyClient(request, verifier, ctx) {
    const apiKey = headerValue(request.headers, API_KEY_HEADER);
    if (apiKey === undefined || apiKey === '')
      return fail('missing_credentials', BINANCE_ERRORS.badApiKeyFormat.msg);
    if (!safeEqual(apiKey, verifier.apiKey))
      return fail('missing_credentials', BINANCE_ERRORS.rejectedKey.msg);
    const params = binanceParams(request);
    if (!params.ok) return fail('malformed', params.message);
    const split = splitSignature(request);
    if (!split) return fail('bad_signature', BINANCE_ERRORS.invalidSignature.msg);
    if (!signatureMatches(split.payload, split.signature, verifier.secret)) {
      return fail('bad_signature', BINANCE_ERRORS.invalidSignature.msg);
    }
    const rawTs = getParam(params.params, 'timestamp');
    if (rawTs === undefined || !/^\d{1,17}$/.test(rawTs))
      return fail('malformed', BINANCE_ERRORS.mandatoryParam.msg);
    // Microsecond timestamps are 16 digits; Binance accepts both units.
    const ts = rawTs.length >= 16 ? Number(rawTs) / 1000 : Number(rawTs);
    const rawWindow = getParam(params.params, 'recvWindow');
    let recvWindow = BINANCE_DEFAULT_RECV_WINDOW_MS;
    if (rawWindow !== undefined) {
      const n = /^\d+(\.\d{1,3})?$/.test(rawWindow) ? Number(rawWindow) : undefined;
      if (n === undefined || n > BINANCE_MAX_RECV_WINDOW_MS)
        return fail('malformed', BINANCE_ERRORS.badRecvWindow.msg);
      recvWindow = n;
    }
    const now = ctx.clock.now();
    if (ts >= now + BINANCE_AHEAD_MS) return fail('stale_timestamp', BINANCE_ERRORS.aheadTimestamp.msg);
    if (now - ts > recvWindow) return fail('stale_timestamp', BINANCE_ERRORS.invalidTimestamp.msg);
    // The same signed bytes stay acceptable from 1000 ms before their timestamp until recvWindow after it.
    // The signature does not cover the path: CCXT's parallel loadMarkets reads sign equal payloads.
    const sig = secretIsPublicKey(verifier.secret) ? split.signature : split.signature.toLowerCase();
    const replayKey = `${request.method.toUpperCase()} ${request.path} ${sig}`;
    return { ok: true, replayKey, replayWindowMs: Math.ceil(recvWindow) + BINANCE_AHEAD_MS };
  },

  stripAuth(request) {
    return {
      ...request,
      query: dropRawParams(request.query, AUTH_PARAMS),
      body: dropRawParams(request.body, AUTH_PARAMS),
      headers: withoutHeaders(request.headers, [API_KEY_HEADER]),
    };
  },

  sign(request, credential, ctx) {
    const method = request.method.toUpperCase();
    const path = request.path.replace(/\/+$/, '');
    if (baseAction(method, path) === 'public' || USER_STREAM.includes(path)) {
      // Public and user-stream endpoints take the API key at most, never a signature (as CCXT sends them).
      const headers = withoutHeaders(request.headers, [API_KEY_HEADER]);
      headers['X-MBX-APIKEY'] = credential.apiKey;
      return { ...request, method, headers };
    }
    let query = clampRecvWindow(dropRawParams(request.query, AUTH_PARAMS));
    let body = clampRecvWindow(dropRawParams(request.body, AUTH_PARAMS));
    const inBody = method !== 'GET' && (body !== '' || (query === '' && method !== 'DELETE'));
    const timestamp = `timestamp=${Math.floor(ctx.clock.now())}`;
    // CCXT puts timestamp first; doing the same keeps our requests byte-identical to a direct CCXT call.
    if (inBody) body = body === '' ? timestamp : `${timestamp}&${body}`;
    else query = query === '' ? timestamp : `${timestamp}&${query}`;
    const signature = `signature=${binanceSignature(query + body, credential.secret)}`;
    if (inBody) body = `${body}&${signature}`;
    else query = `${query}&${signature}`;
    // The body changes length when keywarden adds its timestamp and signature.
    const headers = withoutHeaders(request.headers, [API_KEY_HEADER, 'content-type', 'content-length']);
    headers['X-MBX-APIKEY'] = credential.apiKey;
    if (body !== '') headers['Content-Type'] = 'application/x-www-form-urlencoded';
    return { ...request, method, query, body, headers };
  },

  classify(request): Classification {
    const method = request.method.toUpperCase();
    const path = request.path.replace(/\/+$/, '') || '/';
    const endpoint = `${method} ${path}`;
    const action = baseAction(method, path);
    const out: Classification = { action, endpoint, orders: [] };
    const p = binanceParams(request);
    if (!p.ok) {
      out.rejected = p.message;
      return out;
    }
    // Binance reads GET parameters from the query string only: a body would be checked, never read.
    if (method === 'GET' && request.body !== '') {
      out.rejected = `${endpoint}: a GET request takes no body`;
      return out;
    }
    if (action === 'unknown') return out;
    const checked = checkRequest(endpoint, paramsObject(p.params), STRICT_ACTIONS.has(action));
    if (!checked.ok) {
      out.rejected = checked.message;
      return out;
    }
    out.orders = checked.orders;
    if (checked.leverage !== undefined) out.leverage = checked.leverage;
    const v = checked.withdrawal;
    if (v && action === 'withdraw') {
      out.withdrawal = withdrawalIntent({
        coin: v.coin,
        amount: num(v.amount),
        address: v.address,
        network: v.network,
        tag: v.addressTag,
      });
    } else if (v && action === 'transfer') {
      out.withdrawal = withdrawalIntent({
        coin: v.asset,
        amount: num(v.amount),
        address: v.toEmail ?? v.type ?? v.toAccountType ?? v.transTo,
      });
    }
    return out;
  },

  publicWeight: binancePublicWeight,

  restingOrderRequest(order) {
    const raw = order.rawSymbol;
    const ref = order.orderRef;
    if (raw === undefined || !ref) return undefined;
    const params: Params = [['symbol', raw]];
    if (ref.orderId !== undefined) params.push(['orderId', ref.orderId]);
    else if (ref.clientOrderId !== undefined) params.push(['origClientOrderId', ref.clientOrderId]);
    else return undefined;
    return { method: 'GET', path: '/api/v3/order', query: encodeParams(params), headers: {}, body: '' };
  },

  parseRestingOrder(response) {
    if (response.status !== 200) return undefined;
    const o = parseJsonRecord(response.body);
    if (!o || typeof o.symbol !== 'string') return undefined;
    if (o.status !== 'NEW' && o.status !== 'PARTIALLY_FILLED') return undefined;
    const symbol = binanceSymbol(o.symbol);
    const side = o.side === 'BUY' ? 'buy' : o.side === 'SELL' ? 'sell' : undefined;
    const orig = toNumber(o.origQty);
    const executed = toNumber(o.executedQty) ?? 0;
    if (!symbol || !side || orig === undefined) return undefined;
    const price = toNumber(o.price);
    return {
      symbol,
      rawSymbol: o.symbol,
      market: 'spot',
      side,
      quantity: Math.max(0, orig - executed),
      ...(price !== undefined && price > 0 ? { price } : {}),
    };
  },

  async introspect(credential, send, ctx): Promise<Introspection> {
    const request = binance.sign(
      { method: 'GET', path: '/sapi/v1/account/apiRestrictions', query: '', headers: {}, body: '' },
      credential,
      ctx,
    );
    const sent = await sendIntrospection(
      send,
      request,
      'binance did not answer GET /sapi/v1/account/apiRestrictions',
    );
    if (!sent.ok) return sent.result;
    const { response } = sent;
    const raw = parseJsonRecord(response.body);
    if (response.status !== 200 || !raw || typeof raw.enableReading !== 'boolean') {
      const msg = typeof raw?.msg === 'string' ? raw.msg : `HTTP ${response.status}`;
      return { available: false, reason: `binance apiRestrictions failed: ${msg.slice(0, 200)}` };
    }
    const ipRestricted = raw.ipRestrict === true;
    let ipList: string[] | undefined;
    if (ipRestricted) {
      // UNCONFIRMED endpoint (listed in CCXT's table only): best effort, ignored when absent.
      try {
        const r = await send(
          binance.sign(
            {
              method: 'GET',
              path: '/sapi/v1/account/apiRestrictions/ipRestriction',
              query: '',
              headers: {},
              body: '',
            },
            credential,
            ctx,
          ),
        );
        const list = parseJsonRecord(r.body)?.ipList;
        if (r.status === 200 && Array.isArray(list)) ipList = stringList(list);
      } catch {
        ipList = undefined;
      }
    }
    return {
      available: true,
      canRead: raw.enableReading === true,
      canTrade: raw.enableSpotAndMarginTrading === true,
      canWithdraw: raw.enableWithdrawals === true,
      canTransfer: raw.enableInternalTransfer === true || raw.permitsUniversalTransfer === true,
      ipRestricted,
      ...(ipList ? { ipList } : {}),
      raw,
    };
  },

  cancelAllOrders,

  errorResponse: binanceErrorResponse,

  issueClientCredential() {
    const credential = { apiKey: `kw_${randomToken(60)}`, secret: randomToken(64) };
    return { credential, verifier: { apiKey: credential.apiKey, secret: credential.secret } };
  },

  tickerRequest(symbol) {
    return {
      method: 'GET',
      path: '/api/v3/ticker/price',
      query: `symbol=${encodeURIComponent(binanceMarketId(symbol))}`,
      headers: {},
      body: '',
    };
  },

  parseTicker(response) {
    if (response.status !== 200) return undefined;
    return toNumber(parseJsonRecord(response.body)?.price);
  },

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
        },
      },
      // Spot only: CCXT would otherwise load futures markets from fapi/dapi hosts.
      options: { fetchMarkets: { types: ['spot'] } },
    };
  },
  console: {
    name: 'Binance',
    apiKeysUrl: 'https://www.binance.com/en/my/settings/api-management',
    disableWithdrawals: 'Binance → API Management → Edit restrictions → uncheck "Enable Withdrawals"',
    disableTransfers:
      'Binance → API Management → Edit restrictions → uncheck "Permits Universal Transfer" and "Enable Internal Transfer"',
    restrictIp: 'Binance → API Management → Edit restrictions → "Restrict access to trusted IPs only"',
    deleteKey: 'Binance → Account → API Management → Delete',
    permissionsEditable: true,
    reportsIpRestriction: true,
  },
};
