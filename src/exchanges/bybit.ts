/**
 * Bybit v5 REST (exchanges.md §5). Private calls carry X-BAPI-API-KEY / -TIMESTAMP (ms) /
 * -RECV-WINDOW / -SIGN = hex(HMAC-SHA256(secret, ts + apiKey + recvWindow + (query | body))).
 * A request is fresh when server − recvWindow ≤ ts < server + 1000.
 */
import { createHmac } from 'node:crypto';
import { randomToken } from '../util/random-id.js';
import { safeEqual } from '../util/safe-equal.js';
import {
  type Action,
  type CancelAllResult,
  type Classification,
  type Credential,
  CredentialError,
  type ExchangeAdapter,
  type ExchangeErrorKind,
  type ExchangeRequest,
  type ExchangeResponse,
  type Introspection,
  type OrderIntent,
  type ParseResult,
  type SignContext,
  type Transport,
  type VerifyResult,
  type WithdrawalIntent,
} from './adapter.js';
import { hasSpaceOrControl, headerValue, withoutHeaders } from './http-text.js';
import { ipRestriction, refusedIntrospection } from './introspection.js';
import { parseJson, parseJsonRecord, refusalLine, stringList } from './json-fields.js';
import { parseJsonRequest } from './json-request.js';
import { orderIntentOf } from './order-intent.js';
import { parseParams, toNumber } from './params.js';
import { isRecord, parseStrictJson, textField } from './strict-json.js';
import { withdrawalIntent } from './withdrawal-intent.js';

export const BYBIT_AUTH_HEADERS = ['x-bapi-api-key', 'x-bapi-sign', 'x-bapi-timestamp', 'x-bapi-recv-window'];
const BYBIT_CREDENTIAL_HEADERS = ['x-bapi-api-key', 'x-bapi-sign', 'x-bapi-timestamp'];
export const BYBIT_DEFAULT_RECV_WINDOW = '5000';

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

const QUOTES = ['USDT', 'USDC', 'USDE', 'FDUSD', 'DAI', 'EUR', 'BRL', 'USD', 'BTC', 'ETH', 'MNT'];

/** `BTCUSDT` + category → `BTC/USDT` (spot), `BTC/USDT:USDT` (linear), `BTC/USD:BTC` (inverse). */
export function bybitSymbol(raw: string, category: string | undefined): string | undefined {
  const upper = raw.toUpperCase();
  if (category === 'option' || upper.includes('-')) return undefined;
  const quote = QUOTES.find((q) => upper.endsWith(q) && upper.length > q.length);
  if (quote === undefined) return undefined;
  const base = upper.slice(0, -quote.length);
  if (category === 'linear') return `${base}/${quote}:${quote}`;
  if (category === 'inverse') return `${base}/${quote}:${base}`;
  return `${base}/${quote}`;
}

export function bybitMarketId(symbol: string): string {
  return symbol.replace('/', '');
}

const EXACT: Record<string, Action> = {
  'GET /v5/account/wallet-balance': 'read',
  'GET /v5/account/info': 'read',
  'GET /v5/account/fee-rate': 'read',
  'GET /v5/asset/transfer/query-account-coins-balance': 'read',
  'GET /v5/asset/transfer/query-account-coin-balance': 'read',
  'GET /v5/asset/coin/query-info': 'read',
  'GET /v5/asset/withdraw/query-record': 'read',
  'GET /v5/asset/deposit/query-record': 'read',
  'GET /v5/asset/deposit/query-address': 'read',
  'GET /v5/order/realtime': 'read',
  'GET /v5/order/history': 'read',
  'GET /v5/execution/list': 'read',
  'GET /v5/position/list': 'read',
  'GET /v5/user/query-api': 'read',
  'POST /v5/order/create': 'trade',
  'POST /v5/order/amend': 'trade',
  'POST /v5/order/create-batch': 'trade',
  'POST /v5/order/amend-batch': 'trade',
  'POST /v5/order/cancel': 'cancel',
  'POST /v5/order/cancel-all': 'cancel',
  'POST /v5/order/cancel-batch': 'cancel',
  'POST /v5/asset/withdraw/create': 'withdraw',
  'POST /v5/asset/withdraw/cancel': 'withdraw',
  'POST /v5/asset/transfer/inter-transfer': 'transfer',
  'POST /v5/asset/transfer/universal-transfer': 'transfer',
  'POST /v5/position/set-leverage': 'account-admin',
  'POST /v5/account/set-margin-mode': 'account-admin',
  'POST /v5/account/upgrade-to-uta': 'account-admin',
};

function actionFor(method: string, path: string): Action {
  const exact = EXACT[`${method} ${path}`];
  if (exact) return exact;
  if (path.startsWith('/v5/market/') || path.startsWith('/v5/announcements/')) return 'public';
  // Sub-member and API-key management (create-sub-api, update-api, delete-api, ...).
  if (method === 'POST' && path.startsWith('/v5/user/')) return 'account-admin';
  return 'unknown';
}

function orderIntent(o: Record<string, unknown>, category: string | undefined): OrderIntent {
  const cat = textField(o, 'category') ?? category;
  const rawSymbol = textField(o, 'symbol');
  const sideText = textField(o, 'side')?.toLowerCase();
  const side = sideText === 'buy' || sideText === 'sell' ? sideText : undefined;
  const type = textField(o, 'orderType')?.toLowerCase();
  const qty = toNumber(textField(o, 'qty'));
  const price = toNumber(textField(o, 'price'));
  const spot = cat === 'spot';
  // Spot market buys count qty in quote coin unless marketUnit says otherwise; sells in base unless quoteCoin.
  const unit = textField(o, 'marketUnit') || (side === 'buy' ? 'quoteCoin' : 'baseCoin');
  const inQuote = spot && type === 'market' && unit === 'quoteCoin';
  return orderIntentOf({
    symbol: rawSymbol === undefined ? undefined : bybitSymbol(rawSymbol, cat),
    rawSymbol,
    side,
    type,
    price: type === 'market' ? undefined : price,
    size: qty,
    sizeInQuote: inQuote,
    contracts: cat === 'inverse',
  });
}

function bybitWithdrawal(o: Record<string, unknown>): WithdrawalIntent {
  return withdrawalIntent({
    coin: textField(o, 'coin'),
    amount: toNumber(textField(o, 'amount')),
    address: textField(o, 'address'),
    network: textField(o, 'chain'),
    tag: textField(o, 'tag'),
  });
}

/** Request fields from the JSON body (POST) or the query (GET). */
function fields(request: ExchangeRequest): Record<string, unknown> | undefined {
  if (request.method.toUpperCase() === 'GET') {
    const q = parseParams(request.query);
    return q.ok ? Object.fromEntries(q.params) : undefined;
  }
  if (request.body === '') return {};
  const parsed = parseStrictJson(request.body);
  return parsed.ok && isRecord(parsed.value) ? parsed.value : undefined;
}

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
    return parseJsonRequest(request, isRecord, 'body must be a JSON object');
  },

  clientKeyId(request) {
    return headerValue(request.headers, 'x-bapi-api-key') || undefined;
  },

  verifyClient(request, verifier, ctx): VerifyResult {
    const failure = bybitVerify(request, verifier.secret, ctx.clock.now());
    if (failure) return failure.result;
    if (!safeEqual(headerValue(request.headers, 'x-bapi-api-key') ?? '', verifier.apiKey)) {
      return { ok: false, reason: 'bad_signature', message: '10003 API key is invalid.' };
    }
    return { ok: true };
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
    const method = request.method.toUpperCase();
    const path = request.path.replace(/\/+$/, '');
    const endpoint = `${method} ${path}`;
    const action = actionFor(method, path);
    const classification: Classification = { action, endpoint, orders: [] };
    if (action === 'trade' || action === 'cancel') {
      const f = fields(request);
      if (f) {
        const category = textField(f, 'category');
        const batch = f.request;
        if (Array.isArray(batch)) {
          for (const item of batch)
            if (isRecord(item)) classification.orders.push(orderIntent(item, category));
        } else classification.orders.push(orderIntent(f, category));
      }
    } else if (action === 'withdraw' || action === 'transfer') {
      const f = fields(request);
      if (f) classification.withdrawal = bybitWithdrawal(f);
    }
    return classification;
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
    return {
      method: 'GET',
      path: '/v5/market/tickers',
      query: `category=spot&symbol=${encodeURIComponent(bybitMarketId(symbol))}`,
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
