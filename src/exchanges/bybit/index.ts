/**
 * Bybit v5 REST (exchanges.md §5). Private calls carry X-BAPI-API-KEY / -TIMESTAMP (ms) /
 * -RECV-WINDOW / -SIGN = hex(HMAC-SHA256(secret, ts + apiKey + recvWindow + (query | body))).
 * A request is fresh when server − recvWindow ≤ ts < server + 1000.
 */
import { createHmac } from 'node:crypto';
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
import { classifyBybit, rememberBody } from './classify.js';
import {
  instrumentRequest,
  parseInstrument,
  parseRestingOrder,
  restingOrderRequest,
} from './lookups.js';
import { hasSpaceOrControl, headerValue, withoutHeaders } from '../http-text.js';
import { ipRestriction, refusedIntrospection } from '../introspection.js';
import { parseJson, parseJsonRecord, refusalLine, stringList } from '../json-fields.js';
import { parseParams, toNumber } from '../params.js';
import { isRecord, parseStrictJson, textField } from '../strict-json.js';

export const BYBIT_AUTH_HEADERS = ['x-bapi-api-key', 'x-bapi-sign', 'x-bapi-timestamp', 'x-bapi-recv-window'];
const BYBIT_CREDENTIAL_HEADERS = ['x-bapi-api-key', 'x-bapi-sign', 'x-bapi-timestamp'];
export const BYBIT_DEFAULT_RECV_WINDOW = '5000';
/**
 * The largest recv window keywarden (and the sandbox) accepts. Bybit's guide documents only the
 * 5,000 ms default and the freshness rule; 60,000 ms is the ceiling the other exchanges document
 * (Binance) and what bots use at most (UNCONFIRMED as Bybit's own maximum, exchanges.md §5.2).
 * A larger window would let a captured request be replayed for as long as it says.
 */
export const BYBIT_MAX_RECV_WINDOW = 60_000;

export function bybitSignature(payload: string, secret: string): string {
  return createHmac('sha256', secret).update(payload).digest('hex');
}

/** GET signs the query string as sent; everything else the body bytes. */
export function bybitPayload(
  timestamp: string,
  apiKey: string,
  recvWindow: string,
  request: ExchangeRequest,
): string {
  const data = request.method.toUpperCase() === 'GET' ? request.query : request.body;
  return `${timestamp}${apiKey}${recvWindow}${data}`;
}

/**
 * What makes a signed request unique. Bybit's signature covers timestamp, key, recv window and
 * the query or body, not the path: CCXT's GETs with an empty query (query-api, account/info) in
 * one millisecond share a signature, so a GET's key adds its path. A body is signed for one use
 * on any path.
 */
export function bybitReplayKey(request: ExchangeRequest): string {
  const sign = (headerValue(request.headers, 'x-bapi-sign') ?? '').toLowerCase();
  return request.method.toUpperCase() === 'GET' ? `GET ${request.path} ${sign}` : sign;
}

export interface BybitAuthFailure {
  retCode: number;
  retMsg: string;
  result: Extract<VerifyResult, { ok: false }>;
}

const fail = (
  retCode: number,
  retMsg: string,
  reason: BybitAuthFailure['result']['reason'],
): BybitAuthFailure => ({
  retCode,
  retMsg,
  result: { ok: false, reason, message: `${retCode} ${retMsg}` },
});

/** Shared by the gateway (client verification) and the sandbox (emulated exchange). */
export function bybitVerify(
  request: ExchangeRequest,
  secret: string,
  now: number,
): BybitAuthFailure | undefined {
  const h = (n: string) => headerValue(request.headers, n);
  const key = h('x-bapi-api-key');
  const sign = h('x-bapi-sign');
  const ts = h('x-bapi-timestamp');
  const recv = h('x-bapi-recv-window') || BYBIT_DEFAULT_RECV_WINDOW;
  if (!key || !sign || !ts) return fail(10003, 'API key is invalid.', 'missing_credentials');
  if (!/^\d{1,16}$/.test(ts) || !/^\d{1,9}$/.test(recv)) {
    return fail(
      10002,
      'invalid request, please check your server timestamp or recv_window param',
      'malformed',
    );
  }
  const at = Number(ts);
  const window = Number(recv);
  if (window > BYBIT_MAX_RECV_WINDOW) {
    return fail(
      10002,
      `invalid request, please check your server timestamp or recv_window param. recv_window[${window}] exceeds ${BYBIT_MAX_RECV_WINDOW}`,
      'stale_timestamp',
    );
  }
  if (!(now - window <= at && at < now + 1000)) {
    return fail(
      10002,
      `invalid request, please check your server timestamp or recv_window param. req_timestamp[${at}],server_timestamp[${now}],recv_window[${window}]`,
      'stale_timestamp',
    );
  }
  if (!safeEqual(sign.toLowerCase(), bybitSignature(bybitPayload(ts, key, recv, request), secret))) {
    return fail(10004, 'Error sign, please check your signature generation algorithm.', 'bad_signature');
  }
  return undefined;
}

import { bybitMarketOf } from './symbols.js';

export { bybitMarketId, bybitSymbol } from './symbols.js';

export function bybitError(retCode: number, retMsg: string, now: number, status = 200): ExchangeResponse {
  return {
    status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ retCode, retMsg, result: {}, retExtInfo: {}, time: now }),
  };
}

// Bybit answers most API errors with HTTP 200 and a retCode (UNCONFIRMED for every code; see exchanges.md §5.6).
const ERRORS: Record<ExchangeErrorKind, [number, number]> = {
  auth: [10004, 200],
  timestamp: [10002, 200],
  permission: [10005, 200],
  policy: [10005, 200],
  rate_limited: [10006, 200],
  bad_request: [10001, 200],
  not_found: [10001, 200],
  sealed: [10016, 200],
  unavailable: [10016, 200],
  internal: [10016, 200],
};

/**
 * Bybit cancels every open spot order in one call: POST /v5/order/cancel-all with
 * `{"category":"spot"}` (no symbol = all spot symbols; ordinary orders, Bybit's default filter).
 * The answer lists the cancelled orders and says `success: "1"`.
 */
async function cancelAllOrders(
  credential: Credential,
  send: Transport,
  ctx: SignContext,
): Promise<CancelAllResult> {
  const response = await send(
    bybit.sign(
      {
        method: 'POST',
        path: '/v5/order/cancel-all',
        query: '',
        headers: {},
        body: JSON.stringify({ category: 'spot' }),
      },
      credential,
      ctx,
    ),
  );
  const parsed = parseJson(response.body);
  const result = isRecord(parsed) && isRecord(parsed.result) ? parsed.result : undefined;
  if (!isRecord(parsed) || parsed.retCode !== 0 || !result || !Array.isArray(result.list)) {
    const reason = `POST /v5/order/cancel-all: ${refusalLine(response.status, parsed, 'retCode', 'retMsg')}`;
    return { cancelled: 0, failed: [{ ref: '*', reason }] };
  }
  if (textField(result, 'success') === '0')
    return { cancelled: 0, failed: [{ ref: '*', reason: 'POST /v5/order/cancel-all: success "0"' }] };
  return { cancelled: result.list.length, failed: [] };
}

export const bybit: ExchangeAdapter = {
  id: 'bybit',
  defaultBaseUrl: 'https://api.bybit.com',

  validateCredential(credential) {
    if (!credential.apiKey) throw new CredentialError('bybit credential needs apiKey');
    if (!credential.secret) throw new CredentialError('bybit credential needs secret');
    if (hasSpaceOrControl(credential.apiKey) || hasSpaceOrControl(credential.secret)) {
      throw new CredentialError('bybit apiKey and secret must not contain spaces or control characters');
    }
    if (credential.secret.includes('PRIVATE KEY')) {
      throw new CredentialError(
        'bybit RSA (self-generated) keys are not supported; use a system-generated HMAC key',
      );
    }
  },

  parse(request): ParseResult {
    const query = parseParams(request.query);
    if (!query.ok) return query;
    if (request.body === '') return { ok: true, request };
    // A GET body is signed but meaningless to Bybit: refuse rather than let it hide anything.
    if (request.method.toUpperCase() === 'GET')
      return { ok: false, message: 'GET requests must not have a body' };
    const parsed = parseStrictJson(request.body);
    if (!parsed.ok) return parsed;
    if (!isRecord(parsed.value)) return { ok: false, message: 'body must be a JSON object' };
    rememberBody(request, parsed.value);
    return { ok: true, request };
  },

  clientKeyId(request) {
    return headerValue(request.headers, 'x-bapi-api-key') || undefined;
  },

  verifyClient(request, verifier, ctx): VerifyResult {
    const failure = bybitVerify(request, verifier.secret, ctx.clock.now());
    if (failure) return failure.result;
    const h = (name: string) => headerValue(request.headers, name) ?? '';
    if (!safeEqual(h('x-bapi-api-key'), verifier.apiKey)) {
      return { ok: false, reason: 'bad_signature', message: '10003 API key is invalid.' };
    }
    // The same signed bytes stay acceptable to Bybit from timestamp − 1000 ms to timestamp + recvWindow.
    const recvWindow = Number(h('x-bapi-recv-window') || BYBIT_DEFAULT_RECV_WINDOW);
    return { ok: true, replayKey: bybitReplayKey(request), replayWindowMs: recvWindow + 1000 };
  },

  stripAuth(request) {
    // The recv window is the bot's freshness choice, not a credential: it stays for sign() to reuse.
    return { ...request, headers: withoutHeaders(request.headers, BYBIT_CREDENTIAL_HEADERS) };
  },

  sign(request, credential, ctx) {
    const recvWindow = headerValue(request.headers, 'x-bapi-recv-window') || BYBIT_DEFAULT_RECV_WINDOW;
    const headers = withoutHeaders(request.headers, [...BYBIT_AUTH_HEADERS, 'content-type']);
    const timestamp = String(ctx.clock.now());
    const signed = { ...request, method: request.method.toUpperCase(), headers };
    // Same header set and order as CCXT's v5 branch; X-BAPI-SIGN-TYPE and Referer pass through.
    const out: Record<string, string> = {
      'Content-Type': 'application/json',
      'X-BAPI-API-KEY': credential.apiKey,
      'X-BAPI-TIMESTAMP': timestamp,
      'X-BAPI-RECV-WINDOW': recvWindow,
      'X-BAPI-SIGN': bybitSignature(
        bybitPayload(timestamp, credential.apiKey, recvWindow, signed),
        credential.secret,
      ),
      ...headers,
    };
    return { ...signed, headers: out };
  },

  classify(request): Classification {
    return classifyBybit(request);
  },

  async introspect(credential, send, ctx): Promise<Introspection> {
    const request = bybit.sign(
      { method: 'GET', path: '/v5/user/query-api', query: '', headers: {}, body: '' },
      credential,
      ctx,
    );
    const response = await send(request);
    const parsed = parseJson(response.body);
    if (parsed === undefined) {
      return { available: false, reason: `bybit answered HTTP ${response.status} without JSON` };
    }
    if (!isRecord(parsed) || parsed.retCode !== 0 || !isRecord(parsed.result)) {
      return refusedIntrospection('bybit', response.status, parsed, 'retCode', 'retMsg');
    }
    const result = parsed.result;
    const permissions = isRecord(result.permissions) ? result.permissions : {};
    const list = (name: string): string[] => stringList(permissions[name]);
    const readOnly = textField(result, 'readOnly') === '1';
    const wallet = list('Wallet');
    const tradeLists = ['ContractTrade', 'Spot', 'Options', 'Derivatives'];
    const canTrade = !readOnly && tradeLists.some((n) => list(n).length > 0);
    // Bybit reports an unrestricted key as ["*"].
    const ipList = stringList(result.ips).filter((ip) => ip !== '*' && ip !== '');
    const { secret: _secret, ...safe } = result;
    return {
      available: true,
      canRead: true,
      canTrade,
      canWithdraw: !readOnly && wallet.includes('Withdraw'),
      canTransfer:
        !readOnly &&
        (wallet.includes('AccountTransfer') ||
          wallet.includes('SubMemberTransfer') ||
          wallet.includes('SubMemberTransferList')),
      ...ipRestriction(ipList),
      raw: safe,
    };
  },

  cancelAllOrders,

  errorResponse(kind, message) {
    const [code, status] = ERRORS[kind];
    return bybitError(code, message, Date.now(), status);
  },

  issueClientCredential() {
    const credential = { apiKey: `kw_${randomToken(24)}`, secret: randomToken(40) };
    return { credential, verifier: { apiKey: credential.apiKey, secret: credential.secret } };
  },

  tickerRequest(symbol) {
    const m = bybitMarketOf(symbol);
    return {
      method: 'GET',
      path: '/v5/market/tickers',
      query: `category=${m.category}&symbol=${encodeURIComponent(m.id)}`,
      headers: {},
      body: '',
    };
  },

  parseTicker(response) {
    if (response.status !== 200) return undefined;
    const parsed = parseJsonRecord(response.body);
    if (parsed?.retCode !== 0 || !isRecord(parsed.result)) return undefined;
    const list = parsed.result.list;
    const first: unknown = Array.isArray(list) ? list[0] : undefined;
    return isRecord(first) ? toNumber(textField(first, 'lastPrice')) : undefined;
  },

  instrumentRequest,
  parseInstrument,
  restingOrderRequest,
  parseRestingOrder,

  forwardedHeaders: [],

  credentialFields: ['apiKey', 'secret'],
  ccxtOverride(base: string) {
    return { urls: { api: { public: base, private: base, spot: base, futures: base, v2: base } } };
  },
  console: {
    name: 'Bybit',
    apiKeysUrl: 'https://www.bybit.com/app/user/api-management',
    disableWithdrawals: 'Bybit → API Management → Edit → Wallet → untick "Withdrawal"',
    disableTransfers:
      'Bybit → API Management → Edit → Wallet → untick "Account Transfer" and "Subaccount Transfer"',
    restrictIp:
      'Bybit → API Management → Edit → "Only IPs with permissions granted are allowed to access the OpenAPI"',
    deleteKey: 'Bybit → Account → API Management → Delete',
    permissionsEditable: true,
    reportsIpRestriction: true,
  },
};
