/**
 * Kraken spot REST (exchanges.md §3). Private calls are `POST /0/private/<Method>` with
 * API-Sign = base64(HMAC-SHA512(base64decode(secret), path + SHA256(nonce + postdata))).
 * The nonce lives in the body and must strictly increase per key: the gateway owns it.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
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
  type Side,
  type SignContext,
  type Transport,
  type VerifyResult,
} from './adapter.js';
import { dropRawParams, hasSpaceOrControl, headerValue, withoutHeaders } from './http-text.js';
import { sendIntrospection } from './introspection.js';
import { parseJsonRecord, stringList } from './json-fields.js';
import { orderIntentOf } from './order-intent.js';
import { getParam, type Params, parseParams, toNumber } from './params.js';
import { withdrawalIntent } from './withdrawal-intent.js';

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

type Body = { kind: 'form'; params: Params } | { kind: 'json'; value: Record<string, unknown> };

function parseBody(request: ExchangeRequest): { ok: true; body: Body } | { ok: false; message: string } {
  if (isJson(request)) {
    const dup = jsonDuplicateKey(request.body);
    if (dup) return { ok: false, message: dup };
    const value = JSON.parse(request.body) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return { ok: false, message: 'JSON body must be an object' };
    }
    return { ok: true, body: { kind: 'json', value: value as Record<string, unknown> } };
  }
  const p = parseParams(request.body);
  return p.ok ? { ok: true, body: { kind: 'form', params: p.params } } : p;
}

function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** A body as a flat string map (JSON values stringified; nested form names kept as written). */
function field(body: Body, name: string): string | undefined {
  return body.kind === 'form' ? getParam(body.params, name) : scalar(body.value[name]);
}

function sideOf(v: string | undefined): Side | undefined {
  const s = v?.toLowerCase();
  return s === 'buy' || s === 'sell' ? s : undefined;
}

function orderIntent(get: (name: string) => string | undefined, pairOverride?: string): OrderIntent {
  const rawSymbol = get('pair') ?? pairOverride;
  return orderIntentOf({
    symbol: (rawSymbol !== undefined && krakenSymbol(rawSymbol)) || undefined,
    rawSymbol,
    side: sideOf(get('type')),
    type: get('ordertype')?.toLowerCase() || undefined,
    price: toNumber(get('price') ?? get('limit_price')),
    size: toNumber(get('volume') ?? get('order_qty')),
    // `viqc` flag: volume is in quote currency (market buys by cost).
    sizeInQuote: (get('oflags') ?? '').split(',').includes('viqc'),
  });
}

function batchOrders(body: Body): OrderIntent[] {
  const pair = field(body, 'pair');
  if (body.kind === 'json') {
    const list = body.value.orders;
    if (!Array.isArray(list)) return [];
    return list.map((o: unknown) => {
      const rec = typeof o === 'object' && o !== null ? (o as Record<string, unknown>) : {};
      return orderIntent((n) => scalar(rec[n]), pair);
    });
  }
  // Form encoding as CCXT's urlencodeNested writes it: orders[0][type]=buy
  const byIndex = new Map<number, Map<string, string>>();
  for (const [k, v] of body.params) {
    const m = /^orders\[(\d+)\]\[([a-z_0-9]+)\]$/.exec(k);
    if (!m) continue;
    const idx = Number(m[1]);
    let entry = byIndex.get(idx);
    if (!entry) {
      entry = new Map();
      byIndex.set(idx, entry);
    }
    entry.set(m[2] ?? '', v);
  }
  return [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, e]) => orderIntent((n) => e.get(n), pair));
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
      const inQuery = new Set(q.params.map(([k]) => k));
      const clash = b.body.params.find(([k]) => inQuery.has(k));
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
    if (path === '/funding/v1/withdrawals' && verb === 'POST')
      return { action: 'withdraw', endpoint, orders: [] };
    const name = method(path);
    const action: Action = name !== undefined && verb === 'POST' ? (ACTIONS[name] ?? 'unknown') : 'unknown';
    const parsed = request.body === '' ? undefined : parseBody(request);
    const body: Body = parsed?.ok ? parsed.body : { kind: 'form', params: [] };
    const get = (n: string) => field(body, n);
    const out: Classification = { action, endpoint, orders: [] };
    if (name === 'AddOrderBatch') out.orders = batchOrders(body);
    else if (name === 'AddOrder' || name === 'EditOrder' || name === 'AmendOrder')
      out.orders = [orderIntent(get)];
    else if (action === 'cancel' && get('pair') !== undefined) out.orders = [orderIntent(get)];
    if (action === 'withdraw' || action === 'transfer') {
      const asset = get('asset');
      out.withdrawal = withdrawalIntent({
        coin: asset === undefined ? undefined : krakenAsset(asset),
        amount: toNumber(get('amount')),
        // Kraken withdraws only to pre-registered address names (`key`); the name stands in for the address.
        address: get('address') ?? get('key') ?? get('to'),
        network: get('method'),
      });
    }
    return out;
  },

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
