/**
 * Kraken spot REST (exchanges.md §3). Private calls are `POST /0/private/<Method>` with
 * API-Sign = base64(HMAC-SHA512(base64decode(secret), path + SHA256(nonce + postdata))).
 * The nonce lives in the body and must strictly increase per key: the gateway owns it.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { type Action, type ExchangeErrorKind, randomToken, safeEqual } from '../../core/index.js';
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
import { dropRawParams, hasSpaceOrControl, headerValue, withoutHeaders } from '../http-text.js';
import { sendIntrospection } from '../introspection.js';
import { parseJsonRecord, stringList } from '../json-fields.js';
import { JSON_ONLY, type KrakenBody, readPrivate } from './requests.js';
import { type Params, parseParams, toNumber } from '../params.js';
import { isRecord } from '../strict-json.js';
import { withdrawalIntent } from '../withdrawal-intent.js';

const AUTH_HEADERS = ['api-key', 'api-sign'];
const AUTH_PARAMS = ['nonce', 'otp'];
const PRIVATE_PREFIX = '/0/private/';
const PUBLIC_PREFIX = '/0/public/';

/** Kraken's legacy 4-letter asset codes (X for crypto, Z for fiat) and its own names for BTC and DOGE. */
const LEGACY_ASSETS = new Set([
  'XXBT',
  'XETH',
  'XXDG',
  'XLTC',
  'XXRP',
  'XXLM',
  'XETC',
  'XZEC',
  'XXMR',
  'XREP',
  'XMLN',
  'ZUSD',
  'ZEUR',
  'ZGBP',
  'ZCAD',
  'ZJPY',
  'ZCHF',
  'ZAUD',
]);
const RENAMED: Record<string, string> = { XBT: 'BTC', XDG: 'DOGE' };
const QUOTES = [
  'PYUSD',
  'USDT',
  'USDC',
  'ZUSD',
  'ZEUR',
  'ZGBP',
  'ZCAD',
  'ZJPY',
  'ZCHF',
  'ZAUD',
  'XXBT',
  'XETH',
  'USD',
  'EUR',
  'GBP',
  'CAD',
  'JPY',
  'CHF',
  'AUD',
  'XBT',
  'BTC',
  'ETH',
  'DAI',
  'DOT',
];

/** `XXBT` → `BTC`, `ZUSD` → `USD`, `XDG` → `DOGE`, `SOL` → `SOL`. */
export function krakenAsset(code: string): string {
  const c = code.toUpperCase();
  const short = LEGACY_ASSETS.has(c) ? c.slice(1) : c;
  return RENAMED[short] ?? short;
}

/** `XXBTZUSD`, `XBTUSD`, `XBT/USD`, `XDGUSD` → `BTC/USD`-style; undefined when it cannot be split. */
export function krakenSymbol(raw: string): string | undefined {
  const s = raw.toUpperCase();
  if (s.includes('/')) {
    const [b, q] = s.split('/');
    return b && q ? `${krakenAsset(b)}/${krakenAsset(q)}` : undefined;
  }
  if (s.length === 8 && LEGACY_ASSETS.has(s.slice(0, 4)) && LEGACY_ASSETS.has(s.slice(4))) {
    return `${krakenAsset(s.slice(0, 4))}/${krakenAsset(s.slice(4))}`;
  }
  for (const q of QUOTES) {
    if (s.length > q.length && s.endsWith(q))
      return `${krakenAsset(s.slice(0, -q.length))}/${krakenAsset(q)}`;
  }
  return undefined;
}

/** `BTC/USD` → `XBTUSD` (the pair name Kraken's REST API accepts). */
export function krakenPairId(symbol: string): string {
  const toKraken = (a: string) => (a === 'BTC' ? 'XBT' : a === 'DOGE' ? 'XDG' : a);
  const [base = '', quote = ''] = symbol.toUpperCase().split('/');
  return `${toKraken(base)}${toKraken(quote)}`;
}

/**
 * Scan a JSON text and refuse duplicated object keys (JSON.parse keeps the last silently,
 * which would let policy see one value and the exchange act on another).
 */
export function jsonDuplicateKey(text: string): string | undefined {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text.charAt(i))) i++;
  };
  const str = (): string => {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: JSON forbids raw control characters inside strings
    const re = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
    re.lastIndex = i;
    const m = re.exec(text);
    if (!m) throw new Error('bad string');
    i = re.lastIndex;
    return JSON.parse(m[0]) as string;
  };
  const value = (depth: number): void => {
    if (depth > 32) throw new Error('too deep');
    ws();
    const c = text.charAt(i);
    if (c === '{') {
      i++;
      const keys = new Set<string>();
      ws();
      if (text.charAt(i) === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        const k = str();
        if (keys.has(k)) throw new DuplicateKey(k);
        keys.add(k);
        ws();
        if (text.charAt(i++) !== ':') throw new Error('expected colon');
        value(depth + 1);
        ws();
        const d = text.charAt(i++);
        if (d === '}') return;
        if (d !== ',') throw new Error('expected comma');
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text.charAt(i) === ']') {
        i++;
        return;
      }
      for (;;) {
        value(depth + 1);
        ws();
        const d = text.charAt(i++);
        if (d === ']') return;
        if (d !== ',') throw new Error('expected comma');
      }
    }
    if (c === '"') {
      str();
      return;
    }
    const re = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;
    re.lastIndex = i;
    if (!re.exec(text)) throw new Error('bad value');
    i = re.lastIndex;
  };
  try {
    value(0);
    ws();
    if (i !== text.length) return 'trailing characters after JSON body';
  } catch (err) {
    return err instanceof DuplicateKey
      ? `duplicated parameter "${err.key.slice(0, 40)}"`
      : 'malformed JSON body';
  }
  return undefined;
}

class DuplicateKey extends Error {
  constructor(readonly key: string) {
    super(key);
  }
}

function isJson(request: ExchangeRequest): boolean {
  const ct = (headerValue(request.headers, 'content-type') ?? '').toLowerCase();
  return ct.includes('json') || (ct === '' && request.body.trimStart().startsWith('{'));
}

/** A private call's body, decoded once: form fields (with Kraken's `close[...]` names nested) or JSON. */
interface Body {
  kind: 'form' | 'json';
  fields: KrakenBody;
}

type BodyResult = { ok: true; body: Body } | { ok: false; message: string };

const CLOSE_FIELD = /^close\[(ordertype|price|price2)\]$/;

/** Form fields as an object; Kraken's documented `close[ordertype]`, `close[price]`, `close[price2]` nested as `close`. */
function formFields(params: Params): KrakenBody | string {
  const out: KrakenBody = Object.create(null) as KrakenBody;
  let close: Record<string, string> | undefined;
  for (const [k, v] of params) {
    const m = CLOSE_FIELD.exec(k);
    if (m?.[1] !== undefined) {
      close ??= Object.create(null) as Record<string, string>;
      close[m[1]] = v;
    } else out[k] = v;
  }
  if (close) {
    if (Object.hasOwn(out, 'close')) return 'field "close" given both plain and as close[...]';
    out.close = close;
  }
  return out;
}

/** Bodies already decoded by `parse` (the gateway verifies and classifies that same request object). */
const decoded = new WeakMap<ExchangeRequest, BodyResult>();

function parseBody(request: ExchangeRequest): BodyResult {
  const hit = decoded.get(request);
  if (hit) return hit;
  const result = decodeBody(request);
  decoded.set(request, result);
  return result;
}

function decodeBody(request: ExchangeRequest): BodyResult {
  if (isJson(request)) {
    const dup = jsonDuplicateKey(request.body);
    if (dup) return { ok: false, message: dup };
    const value = JSON.parse(request.body) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return { ok: false, message: 'JSON body must be an object' };
    }
    return { ok: true, body: { kind: 'json', fields: value as KrakenBody } };
  }
  const p = parseParams(request.body);
  if (!p.ok) return p;
  const fields = formFields(p.params);
  return typeof fields === 'string'
    ? { ok: false, message: fields }
    : { ok: true, body: { kind: 'form', fields } };
}

function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** One top-level field as text (JSON numbers stringified). */
function field(body: Body, name: string): string | undefined {
  return Object.hasOwn(body.fields, name) ? scalar(body.fields[name]) : undefined;
}

const ACTIONS: Record<string, Action> = {
  Balance: 'read',
  BalanceEx: 'read',
  TradeBalance: 'read',
  OpenOrders: 'read',
  ClosedOrders: 'read',
  QueryOrders: 'read',
  TradesHistory: 'read',
  QueryTrades: 'read',
  OpenPositions: 'read',
  Ledgers: 'read',
  QueryLedgers: 'read',
  TradeVolume: 'read',
  DepositMethods: 'read',
  DepositAddresses: 'read',
  DepositStatus: 'read',
  WithdrawStatus: 'read',
  WithdrawMethods: 'read',
  WithdrawAddresses: 'read',
  WithdrawInfo: 'read',
  GetWebSocketsToken: 'read',
  GetApiKeyInfo: 'read',
  OrderAmends: 'read',
  ExportStatus: 'read',
  RetrieveExport: 'read',
  'Earn/Strategies': 'read',
  'Earn/Allocations': 'read',
  'Earn/AllocateStatus': 'read',
  'Earn/DeallocateStatus': 'read',
  AddOrder: 'trade',
  AddOrderBatch: 'trade',
  EditOrder: 'trade',
  AmendOrder: 'trade',
  CancelOrder: 'cancel',
  CancelAll: 'cancel',
  CancelAllOrdersAfter: 'cancel',
  CancelOrderBatch: 'cancel',
  Withdraw: 'withdraw',
  WithdrawCancel: 'withdraw',
  WalletTransfer: 'transfer',
  AccountTransfer: 'transfer',
  'Earn/Allocate': 'transfer',
  'Earn/Deallocate': 'transfer',
  Stake: 'transfer',
  Unstake: 'transfer',
  CreateSubaccount: 'account-admin',
  AddExport: 'account-admin',
  RemoveExport: 'account-admin',
};

/** Kraken's error strings for the failures keywarden answers itself (HTTP 200, like Kraken). */
export const KRAKEN_ERRORS = {
  invalidKey: 'EAPI:Invalid key',
  invalidSignature: 'EAPI:Invalid signature',
  invalidNonce: 'EAPI:Invalid nonce',
  permissionDenied: 'EGeneral:Permission denied',
  invalidArguments: 'EGeneral:Invalid arguments',
  rateLimit: 'EAPI:Rate limit exceeded',
  unknownMethod: 'EGeneral:Unknown method',
  unavailable: 'EService:Unavailable',
  internal: 'EGeneral:Internal error',
} as const;

export function krakenError(errors: string[], status = 200): ExchangeResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ error: errors, result: {} }),
  };
}

/** The canonical Kraken string first (CCXT matches it exactly), keywarden's reason second. */
export function krakenErrorResponse(kind: ExchangeErrorKind, message: string): ExchangeResponse {
  const m = message.toLowerCase();
  const canonical = ((): string => {
    switch (kind) {
      case 'auth':
        return m.includes('signature') ? KRAKEN_ERRORS.invalidSignature : KRAKEN_ERRORS.invalidKey;
      case 'timestamp':
        return KRAKEN_ERRORS.invalidNonce;
      case 'permission':
      case 'policy':
        return KRAKEN_ERRORS.permissionDenied;
      case 'rate_limited':
        return KRAKEN_ERRORS.rateLimit;
      case 'bad_request':
        return KRAKEN_ERRORS.invalidArguments;
      case 'not_found':
        return KRAKEN_ERRORS.unknownMethod;
      case 'sealed':
      case 'unavailable':
        return KRAKEN_ERRORS.unavailable;
      case 'internal':
        return KRAKEN_ERRORS.internal;
    }
  })();
  const detail = message.replace(/[\r\n]+/g, ' ').slice(0, 200);
  // A reason that already is a Kraken error string (from verifyClient) is kept as it is.
  const second = /^E[A-Z][A-Za-z]*:/.test(detail) ? detail : `EGeneral:${detail}`;
  const errors = detail === '' || detail === canonical ? [canonical] : [canonical, second];
  return krakenError(errors);
}

/** API-Sign for `path` and the exact body, given the nonce text inside that body. */
export function krakenSignature(path: string, nonce: string, body: string, secret: string): string {
  const inner = createHash('sha256')
    .update(nonce + body)
    .digest();
  return createHmac('sha512', Buffer.from(secret, 'base64'))
    .update(Buffer.concat([Buffer.from(path), inner]))
    .digest('base64');
}

function fail(reason: Exclude<VerifyResult, { ok: true }>['reason'], message: string): VerifyResult {
  return { ok: false, reason, message };
}

function isBase64(text: string): boolean {
  return text.length > 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(text) && text.length % 4 === 0;
}

function method(path: string): string | undefined {
  return path.startsWith(PRIVATE_PREFIX) ? path.slice(PRIVATE_PREFIX.length) : undefined;
}

function post(path: string, body: string): ExchangeRequest {
  return { method: 'POST', path, query: '', headers: {}, body };
}

/**
 * The one order a QueryOrders (`{result: {txid: order}}`) or OpenOrders (`{result: {open: {...}}}`)
 * answer describes: its pair, side, remaining volume and limit price (price2 for the *-limit
 * trigger types). Anything else (no order, several, a closed one) reads as undefined.
 */
function parseRestingOrder(response: ExchangeResponse): RestingOrder | undefined {
  if (response.status !== 200) return undefined;
  const parsed = parseJsonRecord(response.body);
  if (!parsed || (Array.isArray(parsed.error) && parsed.error.length > 0)) return undefined;
  let result = parsed.result;
  if (isRecord(result) && isRecord(result.open)) result = result.open;
  if (!isRecord(result)) return undefined;
  const all = Object.values(result);
  const o = all[0];
  if (all.length !== 1 || !isRecord(o) || !isRecord(o.descr) || o.status !== 'open') return undefined;
  const d = o.descr;
  const pair = typeof d.pair === 'string' ? d.pair : undefined;
  const symbol = pair === undefined ? undefined : krakenSymbol(pair);
  const side = d.type === 'buy' || d.type === 'sell' ? d.type : undefined;
  const vol = toNumber(o.vol);
  if (!symbol || !side || vol === undefined) return undefined;
  const type = typeof d.ordertype === 'string' ? d.ordertype : '';
  const limit = type.endsWith('-limit')
    ? toNumber(d.price2)
    : type === 'limit'
      ? toNumber(d.price)
      : undefined;
  const out: RestingOrder = {
    symbol,
    rawSymbol: pair,
    side,
    quantity: Math.max(0, vol - (toNumber(o.vol_exec) ?? 0)),
  };
  if (limit !== undefined && limit > 0) out.price = limit;
  return out;
}

/** Tries of CancelAll when Kraken answers `EAPI:Invalid nonce` (the key signed a higher one elsewhere). */
const CANCEL_ALL_NONCE_TRIES = 3;

/**
 * Kraken cancels every open order of the key's account in one call: POST /0/private/CancelAll
 * → `{count}`. keywarden's own processes share one nonce sequence per key (the store's), but the
 * same Kraken API key may also sign outside it: other software holding it, or the key registered
 * twice under two labels (one sequence each). A lockdown must still get through, so an
 * `EAPI:Invalid nonce` answer is retried with a fresh, clock-advanced nonce (nothing was
 * cancelled by a refused call, so retrying cannot cancel twice).
 */
async function cancelAllOrders(
  credential: Credential,
  send: Transport,
  ctx: SignContext,
): Promise<CancelAllResult> {
  let response: ExchangeResponse | undefined;
  let parsed: Record<string, unknown> | undefined;
  let errors: unknown[] = [];
  for (let attempt = 0; attempt < CANCEL_ALL_NONCE_TRIES; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 5 * attempt));
    response = await send(
      kraken.sign(
        { method: 'POST', path: '/0/private/CancelAll', query: '', headers: {}, body: '' },
        credential,
        ctx,
      ),
    );
    parsed = parseJsonRecord(response.body);
    errors = Array.isArray(parsed?.error) ? parsed.error : [];
    if (!errors.some((e) => typeof e === 'string' && e.startsWith('EAPI:Invalid nonce'))) break;
  }
  if (!response)
    return { cancelled: 0, failed: [{ ref: '*', reason: 'POST /0/private/CancelAll: not sent' }] };
  const result = parsed?.result;
  const count =
    typeof result === 'object' && result !== null
      ? Number((result as Record<string, unknown>).count)
      : Number.NaN;
  if (response.status !== 200 || errors.length > 0 || !Number.isInteger(count))
    return {
      cancelled: 0,
      failed: [
        {
          ref: '*',
          reason: `POST /0/private/CancelAll: ${String(errors[0] ?? `HTTP ${response.status}`).slice(0, 200)}`,
        },
      ],
    };
  return { cancelled: count, failed: [] };
}

export const kraken: ExchangeAdapter = {
  id: 'kraken',
  defaultBaseUrl: 'https://api.kraken.com',

  validateCredential(credential: Credential) {
    if (!credential.apiKey || hasSpaceOrControl(credential.apiKey)) {
      throw new CredentialError('kraken apiKey is missing or contains whitespace');
    }
    if (!isBase64(credential.secret))
      throw new CredentialError('kraken secret must be base64 (as Kraken issues it)');
  },

  parse(request): ParseResult {
    const q = parseParams(request.query);
    if (!q.ok) return q;
    // Kraken signs only the path and body: a query on a private call would travel unsigned and unchecked.
    if (request.path.startsWith(PRIVATE_PREFIX) && request.query !== '') {
      return { ok: false, message: 'private methods take their parameters in the body, not the query' };
    }
    if (request.body === '') return { ok: true, request };
    const b = parseBody(request);
    if (!b.ok) return b;
    if (b.body.kind === 'form') {
      const fields = b.body.fields;
      const clash = q.params.find(([k]) => Object.hasOwn(fields, k));
      if (clash) return { ok: false, message: `duplicated parameter "${clash[0].slice(0, 40)}"` };
    }
    return { ok: true, request };
  },

  clientKeyId(request) {
    return headerValue(request.headers, 'api-key');
  },

  verifyClient(request, verifier, ctx) {
    const apiKey = headerValue(request.headers, 'api-key');
    const sign = headerValue(request.headers, 'api-sign');
    if (!apiKey || !sign) return fail('missing_credentials', KRAKEN_ERRORS.invalidKey);
    if (!safeEqual(apiKey, verifier.apiKey)) return fail('missing_credentials', KRAKEN_ERRORS.invalidKey);
    const b = request.body === '' ? undefined : parseBody(request);
    if (b && !b.ok) return fail('malformed', `${KRAKEN_ERRORS.invalidArguments}:${b.message}`);
    const nonce = b?.ok ? field(b.body, 'nonce') : undefined;
    if (nonce === undefined || !/^\d{1,20}$/.test(nonce))
      return fail('malformed', KRAKEN_ERRORS.invalidNonce);
    const expected = krakenSignature(request.path, nonce, request.body, verifier.secret);
    if (!safeEqual(expected, sign)) return fail('bad_signature', KRAKEN_ERRORS.invalidSignature);
    // Only an authentic request may advance the ledger, so forgeries cannot burn nonces.
    if (!ctx.nonces.accept(verifier.apiKey, BigInt(nonce)))
      return fail('nonce_reused', KRAKEN_ERRORS.invalidNonce);
    return { ok: true };
  },

  stripAuth(request) {
    const headers = withoutHeaders(request.headers, AUTH_HEADERS);
    if (request.body === '' || !isJson(request)) {
      return { ...request, headers, body: dropRawParams(request.body, AUTH_PARAMS) };
    }
    const value = parseJsonRecord(request.body);
    if (!value) return { ...request, headers };
    for (const k of AUTH_PARAMS) delete value[k];
    return { ...request, headers, body: JSON.stringify(value) };
  },

  sign(request, credential, ctx) {
    // The body changes length when keywarden puts its own nonce in it.
    const headers = withoutHeaders(request.headers, [...AUTH_HEADERS, 'content-type', 'content-length']);
    if (method(request.path) === undefined) return { ...request, headers };
    const nonce = ctx.nonce.next();
    const stripped = kraken.stripAuth(request);
    let body: string;
    if (request.body !== '' && isJson(request)) {
      // Nonce first, the client's JSON kept byte for byte after it (as CCXT writes it).
      const inner = stripped.body.trim().slice(1, -1).trim();
      body = `{"nonce":"${nonce}"${inner === '' ? '' : `,${inner}`}}`;
      headers['Content-Type'] = 'application/json';
    } else {
      body = stripped.body === '' ? `nonce=${nonce}` : `nonce=${nonce}&${stripped.body}`;
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
    }
    headers['API-Key'] = credential.apiKey;
    headers['API-Sign'] = krakenSignature(request.path, nonce, body, credential.secret);
    return { ...request, method: 'POST', body, headers };
  },

  classify(request): Classification {
    const path = request.path.replace(/\/+$/, '');
    const verb = request.method.toUpperCase();
    const endpoint = `${verb} ${path}`;
    if (path.startsWith(PUBLIC_PREFIX)) return { action: 'public', endpoint, orders: [] };
    if (path.startsWith('/funding/'))
      return {
        action: path === '/funding/v1/withdrawals' && verb === 'POST' ? 'withdraw' : 'unknown',
        endpoint,
        orders: [],
        rejected:
          'the Funding API is not supported by keywarden (its header nonce and query are not checked)',
      };
    const name = method(path);
    const action: Action = name !== undefined && verb === 'POST' ? (ACTIONS[name] ?? 'unknown') : 'unknown';
    const out: Classification = { action, endpoint, orders: [] };
    if (action === 'unknown' || name === undefined) return out;
    const parsed = request.body === '' ? undefined : parseBody(request);
    if (parsed && !parsed.ok) return { ...out, rejected: parsed.message };
    const body: Body = parsed?.ok ? parsed.body : { kind: 'form', fields: {} };
    if (body.kind === 'form' && JSON_ONLY.has(name))
      return { ...out, rejected: `${name} takes a JSON body (as Kraken documents it)` };
    const read = readPrivate(name, body.fields, krakenSymbol);
    if (!read) return { ...out, rejected: `${name}: no request schema` };
    if (!read.ok) return { ...out, rejected: read.message };
    out.orders = read.read.orders;
    if (read.read.margin) out.action = 'margin';
    if (read.read.leverage !== undefined) out.leverage = read.read.leverage;
    if (action === 'withdraw' || action === 'transfer') {
      const f = read.read.fields;
      const asset = scalar(f.asset);
      out.withdrawal = withdrawalIntent({
        coin: asset === undefined ? undefined : krakenAsset(asset),
        amount: toNumber(f.amount),
        // Kraken withdraws only to pre-registered address names (`key`); the name stands in for the address.
        address: scalar(f.address) ?? scalar(f.key) ?? scalar(f.to),
      });
    }
    return out;
  },

  restingOrderRequest(order) {
    const ref = order.orderRef;
    // QueryOrders reads an order by txid; one named by its client id is looked up among the open ones.
    if (ref?.orderId !== undefined)
      return post('/0/private/QueryOrders', `txid=${encodeURIComponent(ref.orderId)}`);
    if (ref?.clientOrderId !== undefined)
      return post('/0/private/OpenOrders', `cl_ord_id=${encodeURIComponent(ref.clientOrderId)}`);
    return undefined;
  },

  parseRestingOrder,

  async introspect(credential, send, ctx): Promise<Introspection> {
    const request = kraken.sign(
      { method: 'POST', path: '/0/private/GetApiKeyInfo', query: '', headers: {}, body: '' },
      credential,
      ctx,
    );
    const sent = await sendIntrospection(
      send,
      request,
      'kraken did not answer POST /0/private/GetApiKeyInfo',
    );
    if (!sent.ok) return sent.result;
    const { response } = sent;
    const parsed = parseJsonRecord(response.body);
    const errors = Array.isArray(parsed?.error) ? parsed.error : [];
    const result = parsed?.result;
    if (response.status !== 200 || errors.length > 0 || typeof result !== 'object' || result === null) {
      return {
        available: false,
        reason: `kraken GetApiKeyInfo failed: ${String(errors[0] ?? response.status)}`,
      };
    }
    const raw = { ...(result as Record<string, unknown>) };
    delete raw.apiKey;
    const permissions = stringList(raw.permissions);
    const ipList = stringList(raw.ipAllowlist);
    const has = (re: RegExp) => permissions.some((p) => re.test(p));
    return {
      available: true,
      canRead: has(/^query-/),
      canTrade: has(/modify-trades|create-modify-orders|modify-orders/),
      canWithdraw: has(/^withdraw-funds$/),
      // AccountTransfer and WalletTransfer are under the Withdraw Funds permission.
      canTransfer: has(/^withdraw-funds$/),
      ipRestricted: ipList.length > 0,
      ipList,
      raw,
    };
  },

  cancelAllOrders,

  errorResponse: krakenErrorResponse,

  issueClientCredential() {
    const credential = { apiKey: `kw_${randomToken(53)}`, secret: randomBytes(64).toString('base64') };
    return { credential, verifier: { apiKey: credential.apiKey, secret: credential.secret } };
  },

  tickerRequest(symbol) {
    return {
      method: 'GET',
      path: '/0/public/Ticker',
      query: `pair=${encodeURIComponent(krakenPairId(symbol))}`,
      headers: {},
      body: '',
    };
  },

  parseTicker(response) {
    if (response.status !== 200) return undefined;
    const parsed = parseJsonRecord(response.body);
    const result = parsed?.result;
    if (typeof result !== 'object' || result === null) return undefined;
    const first = Object.values(result as Record<string, unknown>)[0];
    const c = typeof first === 'object' && first !== null ? (first as Record<string, unknown>).c : undefined;
    return Array.isArray(c) ? toNumber(c[0]) : undefined;
  },

  forwardedHeaders: [],

  credentialFields: ['apiKey', 'secret'],
  ccxtOverride(base: string) {
    return { urls: { api: { public: base, private: base } } };
  },
  console: {
    name: 'Kraken',
    apiKeysUrl: 'https://pro.kraken.com/app/settings/api',
    disableWithdrawals: 'Kraken → Settings → API → Edit key → Funds permissions → untick "Withdraw Funds"',
    disableTransfers:
      'Kraken → Settings → API → Edit key → Funds permissions → untick "Withdraw Funds" (account transfers need it)',
    restrictIp: 'Kraken → Settings → API → Edit key → Advanced settings → IP allowlist',
    deleteKey: 'Kraken → Settings → API → Delete key',
    permissionsEditable: true,
    reportsIpRestriction: true,
  },
};
