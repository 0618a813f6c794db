/**
 * OKX v5 REST (exchanges.md §4). Private calls carry OK-ACCESS-KEY / -PASSPHRASE /
 * -TIMESTAMP (ISO-8601 ms UTC) / -SIGN = base64(HMAC-SHA256(secret, ts + METHOD + path[?query] + body)).
 * Bodies are JSON (objects, or arrays on batch endpoints); the host is not signed.
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
  type RestingOrder,
  type SignContext,
  type Transport,
  type VerifyResult,
} from '../adapter.js';
import { cancelByListing } from '../cancel-listed.js';
import { hasSpaceOrControl, headerValue, withoutHeaders } from '../http-text.js';
import { ipRestriction, refusedIntrospection } from '../introspection.js';
import { parseJson, parseJsonRecord, refusalLine } from '../json-fields.js';
import { okxClassify } from './okx-classify.js';
import { okxInstId, okxInstType, okxMarket, okxSymbol } from './okx-symbols.js';
import { type Params, parseParams, toNumber } from '../params.js';
import { isRecord, parseStrictJson, textField } from '../strict-json.js';

export { okxInstId, okxMarket, okxSymbol } from './okx-symbols.js';

export const OKX_AUTH_HEADERS = [
  'ok-access-key',
  'ok-access-sign',
  'ok-access-timestamp',
  'ok-access-passphrase',
];
/** OKX rejects requests whose timestamp is more than 30 s from server time (50102). */
export const OKX_TIMESTAMP_TOLERANCE_MS = 30_000;
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function okxSignature(prehash: string, secret: string): string {
  return createHmac('sha256', secret).update(prehash).digest('base64');
}

/** What OKX signs: the path plus `?query` only when a query was sent. */
export function okxPrehash(timestamp: string, request: ExchangeRequest): string {
  const target = request.query === '' ? request.path : `${request.path}?${request.query}`;
  return `${timestamp}${request.method.toUpperCase()}${target}${request.body}`;
}

/** Why a client request failed OKX auth, with OKX's own code (HTTP 401 for all of them). */
export interface OkxAuthFailure {
  code: string;
  msg: string;
  result: Extract<VerifyResult, { ok: false }>;
}

const fail = (code: string, msg: string, reason: OkxAuthFailure['result']['reason']): OkxAuthFailure => ({
  code,
  msg,
  result: { ok: false, reason, message: `${code} ${msg}` },
});

/**
 * Header presence and timestamp checks in the order OKX reports them; then passphrase and signature.
 * Shared by the gateway (client verification) and the sandbox (emulated exchange).
 */
export function okxVerify(
  request: ExchangeRequest,
  secret: string,
  passphrase: string | undefined,
  now: number,
): OkxAuthFailure | undefined {
  const h = (n: string) => headerValue(request.headers, n);
  const key = h('ok-access-key');
  const sign = h('ok-access-sign');
  const ts = h('ok-access-timestamp');
  const pass = h('ok-access-passphrase');
  if (!key) return fail('50103', 'Request header "OK-ACCESS-KEY" cannot be empty.', 'missing_credentials');
  if (!sign) return fail('50106', 'Request header "OK-ACCESS-SIGN" cannot be empty.', 'missing_credentials');
  if (!ts)
    return fail('50107', 'Request header "OK-ACCESS-TIMESTAMP" cannot be empty.', 'missing_credentials');
  if (!pass)
    return fail('50104', 'Request header "OK-ACCESS-PASSPHRASE" cannot be empty.', 'missing_credentials');
  const at = Date.parse(ts);
  if (!ISO_MS.test(ts) || !Number.isFinite(at))
    return fail('50112', 'Invalid OK-ACCESS-TIMESTAMP', 'malformed');
  if (Math.abs(now - at) > OKX_TIMESTAMP_TOLERANCE_MS)
    return fail('50102', 'Timestamp request expired', 'stale_timestamp');
  if (passphrase === undefined || !safeEqual(pass, passphrase)) {
    return fail('50105', 'Request header "OK-ACCESS-PASSPHRASE" incorrect.', 'bad_passphrase');
  }
  if (!safeEqual(sign, okxSignature(okxPrehash(ts, request), secret))) {
    return fail('50113', 'Invalid Sign', 'bad_signature');
  }
  return undefined;
}

export function okxError(code: string, msg: string, status: number): ExchangeResponse {
  return {
    status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code, msg, data: [] }),
  };
}

const ERRORS: Record<ExchangeErrorKind, [string, number]> = {
  auth: ['50113', 401],
  timestamp: ['50102', 401],
  // OKX answers a missing key permission with 50120 (HTTP status UNCONFIRMED; 401 like the other 501xx).
  permission: ['50120', 401],
  policy: ['50120', 401],
  rate_limited: ['50011', 429],
  bad_request: ['50014', 400],
  not_found: ['51000', 400],
  sealed: ['50001', 503],
  unavailable: ['50001', 503],
  internal: ['50026', 500],
};

/** The first row of a successful OKX answer (`{"code":"0","data":[{...}]}`). */
function firstRow(response: ExchangeResponse): Record<string, unknown> | undefined {
  if (response.status !== 200) return undefined;
  const parsed = parseJsonRecord(response.body);
  if (parsed?.code !== '0' || !Array.isArray(parsed.data)) return undefined;
  const first: unknown = parsed.data[0];
  return isRecord(first) ? first : undefined;
}

/** Query and body of each request `parse` accepted, so `classify` does not parse again. */
const PARSED = new WeakMap<ExchangeRequest, { query: Params; body: unknown }>();

/** Largest `cancel-batch-orders` call OKX accepts (20 orders). */
const OKX_CANCEL_BATCH = 20;
/** Bounds the list-then-cancel loop: each round lists one page (up to 100 orders) and cancels it. */
const OKX_CANCEL_ROUNDS = 50;

/** `HTTP 200 50113 Invalid Sign`: an OKX refusal in one line. */
function okxReason(status: number, parsed: Record<string, unknown> | undefined): string {
  return refusalLine(status, parsed, 'code', 'msg');
}

/**
 * OKX has no cancel-everything call: list pending orders (GET /api/v5/trade/orders-pending, one
 * page of up to 100, every instrument type) and cancel them in batches of 20 with
 * POST /api/v5/trade/cancel-batch-orders; list again until nothing cancellable is left.
 */
async function cancelAllOrders(
  credential: Credential,
  send: Transport,
  ctx: SignContext,
): Promise<CancelAllResult> {
  const call = (method: string, path: string, body: string) =>
    send(okx.sign({ method, path, query: '', headers: {}, body }, credential, ctx));
  return cancelByListing<{ instId: string; ordId: string }>({
    rounds: OKX_CANCEL_ROUNDS,
    batchSize: OKX_CANCEL_BATCH,
    async list() {
      const listed = await call('GET', '/api/v5/trade/orders-pending', '');
      const page = parseJsonRecord(listed.body);
      if (listed.status !== 200 || page?.code !== '0' || !Array.isArray(page.data)) {
        return { ok: false, reason: `GET /api/v5/trade/orders-pending: ${okxReason(listed.status, page)}` };
      }
      const open: Array<{ instId: string; ordId: string }> = [];
      for (const o of page.data) {
        if (!isRecord(o)) continue;
        const instId = textField(o, 'instId');
        const ordId = textField(o, 'ordId');
        if (instId && ordId) open.push({ instId, ordId });
      }
      return { ok: true, open };
    },
    idOf: (o) => o.ordId,
    async cancel(batch) {
      const r = await call('POST', '/api/v5/trade/cancel-batch-orders', JSON.stringify(batch));
      const answer = parseJsonRecord(r.body);
      const rows = Array.isArray(answer?.data) ? answer.data.filter(isRecord) : [];
      // No per-order rows: the whole call was refused (code 1, auth, rate limit).
      if (r.status !== 200 || rows.length === 0) return { ok: false, reason: okxReason(r.status, answer) };
      return {
        ok: true,
        rows: rows.map((row) => ({
          id: textField(row, 'ordId'),
          cancelled: textField(row, 'sCode') === '0',
          reason: `${textField(row, 'sCode') ?? '?'} ${textField(row, 'sMsg') ?? ''}`.trim(),
        })),
      };
    },
  });
}

export const okx: ExchangeAdapter = {
  id: 'okx',
  defaultBaseUrl: 'https://www.okx.com',

  validateCredential(credential) {
    if (!credential.apiKey) throw new CredentialError('okx credential needs apiKey');
    if (!credential.secret) throw new CredentialError('okx credential needs secret');
    if (hasSpaceOrControl(credential.apiKey) || hasSpaceOrControl(credential.secret)) {
      throw new CredentialError('okx apiKey and secret must not contain spaces or control characters');
    }
    if (!credential.password) throw new CredentialError('okx credential needs password (the API passphrase)');
  },

  parse(request): ParseResult {
    const query = parseParams(request.query);
    if (!query.ok) return query;
    let body: unknown;
    if (request.body !== '') {
      // A GET body is signed but meaningless to OKX: refuse rather than let it hide anything.
      if (request.method.toUpperCase() === 'GET')
        return { ok: false, message: 'GET requests must not have a body' };
      const parsed = parseStrictJson(request.body);
      if (!parsed.ok) return parsed;
      // Batch endpoints take a JSON array of orders.
      if (typeof parsed.value !== 'object' || parsed.value === null)
        return { ok: false, message: 'body must be a JSON object or array' };
      body = parsed.value;
    }
    // Parsed once: classify reads these for the same request object.
    PARSED.set(request, { query: query.params, body });
    return { ok: true, request };
  },

  clientKeyId(request) {
    return headerValue(request.headers, 'ok-access-key') || undefined;
  },

  verifyClient(request, verifier, ctx): VerifyResult {
    const failure = okxVerify(request, verifier.secret, verifier.password, ctx.clock.now());
    if (failure) return failure.result;
    if (!safeEqual(headerValue(request.headers, 'ok-access-key') ?? '', verifier.apiKey)) {
      return { ok: false, reason: 'bad_signature', message: '50111 Invalid OK-ACCESS-KEY' };
    }
    const now = ctx.clock.now();
    // OKX accepts a signature until its timestamp is 30 s old: a replay is refused that long.
    let windowMs =
      Date.parse(headerValue(request.headers, 'ok-access-timestamp') ?? '') +
      OKX_TIMESTAMP_TOLERANCE_MS -
      now;
    const expTime = headerValue(request.headers, 'exptime');
    if (expTime !== undefined) {
      // The optional order deadline: OKX refuses the request after it; the header is not forwarded, so keywarden does.
      if (!/^\d{13}$/.test(expTime))
        return { ok: false, reason: 'malformed', message: '51000 Parameter expTime error' };
      if (Number(expTime) <= now)
        return {
          ok: false,
          reason: 'stale_timestamp',
          message: '50102 Request expired (expTime has passed)',
        };
    }
    windowMs = Math.min(Math.max(windowMs, 1), 2 * OKX_TIMESTAMP_TOLERANCE_MS) + 1_000;
    return {
      ok: true,
      replayKey: headerValue(request.headers, 'ok-access-sign') ?? '',
      replayWindowMs: windowMs,
    };
  },

  stripAuth(request) {
    return { ...request, headers: withoutHeaders(request.headers, OKX_AUTH_HEADERS) };
  },

  sign(request, credential, ctx) {
    const headers = withoutHeaders(request.headers, [...OKX_AUTH_HEADERS, 'content-type']);
    const timestamp = new Date(ctx.clock.now()).toISOString();
    const method = request.method.toUpperCase();
    headers['OK-ACCESS-KEY'] = credential.apiKey;
    headers['OK-ACCESS-PASSPHRASE'] = credential.password ?? '';
    headers['OK-ACCESS-TIMESTAMP'] = timestamp;
    if (method !== 'GET') headers['Content-Type'] = 'application/json';
    const signed = { ...request, method, headers };
    headers['OK-ACCESS-SIGN'] = okxSignature(okxPrehash(timestamp, signed), credential.secret);
    return signed;
  },

  classify(request): Classification {
    const method = request.method.toUpperCase();
    const path = request.path.replace(/\/+$/, '');
    let parsed = PARSED.get(request);
    if (!parsed) {
      const again = okx.parse(request);
      parsed = again.ok ? PARSED.get(request) : undefined;
      if (!parsed)
        return {
          action: 'unknown',
          endpoint: `${method} ${path}`,
          orders: [],
          rejected: again.ok ? 'unparsed request' : again.message,
        };
    }
    return okxClassify(method, path, parsed.query, parsed.body);
  },

  async introspect(credential, send, ctx): Promise<Introspection> {
    const request = okx.sign(
      { method: 'GET', path: '/api/v5/account/config', query: '', headers: {}, body: '' },
      credential,
      ctx,
    );
    const response = await send(request);
    const parsed = parseJson(response.body);
    if (parsed === undefined) {
      return { available: false, reason: `okx answered HTTP ${response.status} without JSON` };
    }
    if (
      !isRecord(parsed) ||
      parsed.code !== '0' ||
      !Array.isArray(parsed.data) ||
      !isRecord(parsed.data[0])
    ) {
      return refusedIntrospection('okx', response.status, parsed, 'code', 'msg');
    }
    const config = parsed.data[0];
    const perm = (textField(config, 'perm') ?? '').split(',').map((p) => p.trim());
    const ipList = (textField(config, 'ip') ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '');
    const canTrade = perm.includes('trade');
    const canWithdraw = perm.includes('withdraw');
    return {
      available: true,
      canRead: true,
      canTrade,
      canWithdraw,
      // OKX's asset/transfer is allowed to trade keys: treat either permission as transfer-capable.
      canTransfer: canTrade || canWithdraw,
      ...ipRestriction(ipList),
      raw: {
        perm: textField(config, 'perm'),
        ip: textField(config, 'ip'),
        label: textField(config, 'label'),
      },
    };
  },

  cancelAllOrders,

  errorResponse(kind, message) {
    const [code, status] = ERRORS[kind];
    return okxError(code, message, status);
  },

  issueClientCredential() {
    const credential = {
      apiKey: `kw_${randomToken(32)}`,
      secret: randomToken(40),
      password: randomToken(24),
    };
    return {
      credential,
      verifier: { apiKey: credential.apiKey, secret: credential.secret, password: credential.password },
    };
  },

  tickerRequest(symbol) {
    return {
      method: 'GET',
      path: '/api/v5/market/ticker',
      query: `instId=${encodeURIComponent(okxInstId(symbol))}`,
      headers: {},
      body: '',
    };
  },

  instrumentRequest(symbol, market) {
    return {
      method: 'GET',
      path: '/api/v5/public/instruments',
      query: `instType=${okxInstType(market)}&instId=${encodeURIComponent(okxInstId(symbol))}`,
      headers: {},
      body: '',
    };
  },

  parseInstrument(response) {
    const first = firstRow(response);
    if (!first) return undefined;
    const ctVal = toNumber(textField(first, 'ctVal'));
    const ctMult = toNumber(textField(first, 'ctMult')) ?? 1;
    const ctType = textField(first, 'ctType');
    if (ctVal === undefined || !(ctVal > 0) || !(ctMult > 0)) return undefined;
    if (ctType !== 'linear' && ctType !== 'inverse') return undefined;
    return { contractSize: ctVal * ctMult, inverse: ctType === 'inverse' };
  },

  restingOrderRequest(order) {
    const ref = order.orderRef;
    if (!order.rawSymbol || !ref) return undefined;
    const id =
      ref.orderId !== undefined
        ? `ordId=${encodeURIComponent(ref.orderId)}`
        : ref.clientOrderId !== undefined
          ? `clOrdId=${encodeURIComponent(ref.clientOrderId)}`
          : undefined;
    if (id === undefined) return undefined;
    return {
      method: 'GET',
      path: '/api/v5/trade/order',
      query: `instId=${encodeURIComponent(order.rawSymbol)}&${id}`,
      headers: {},
      body: '',
    };
  },

  parseRestingOrder(response): RestingOrder | undefined {
    const first = firstRow(response);
    if (!first) return undefined;
    const instId = textField(first, 'instId');
    const side = textField(first, 'side');
    const symbol = instId === undefined ? undefined : okxSymbol(instId);
    if (!instId || !symbol || (side !== 'buy' && side !== 'sell')) return undefined;
    const state = textField(first, 'state');
    if (state !== 'live' && state !== 'partially_filled') return undefined;
    const sz = toNumber(textField(first, 'sz'));
    const filled = toNumber(textField(first, 'accFillSz')) ?? 0;
    const px = toNumber(textField(first, 'px'));
    const resting: RestingOrder = { symbol, rawSymbol: instId, market: okxMarket(instId), side };
    if (sz !== undefined) resting.quantity = Math.max(0, sz - filled);
    if (px !== undefined && px > 0) resting.price = px;
    return resting;
  },

  parseTicker(response) {
    const first = firstRow(response);
    return first ? toNumber(textField(first, 'last')) : undefined;
  },

  forwardedHeaders: ['x-simulated-trading'],

  credentialFields: ['apiKey', 'secret', 'password'],
  ccxtOverride(base: string) {
    return { urls: { api: { rest: base } } };
  },
  console: {
    name: 'OKX',
    apiKeysUrl: 'https://www.okx.com/account/my-api',
    disableWithdrawals: 'OKX → Profile → API → Edit → Permissions → untick "Withdraw"',
    // OKX has no separate transfer permission: "Trade" includes funding transfers.
    disableTransfers:
      'OKX grants funding transfers with "Trade": run the bot on a sub-account (OKX → Sub-accounts) whose API key has only "Read" and "Trade", so a transfer cannot reach other funds',
    restrictIp: 'OKX → Profile → API → Edit → IP address',
    deleteKey: 'OKX → Profile → API → Delete',
    permissionsEditable: true,
    reportsIpRestriction: true,
  },
};
