/**
 * Coinbase Advanced Trade emulator: verifies CDP JWTs as Coinbase does (ES256/EdDSA against the
 * key's public key, nbf/exp, `uri` = METHOD + Host + /coinbase + path), enforces view/trade/
 * transfer scopes and IP allow-lists, and answers in Coinbase's own v3 and v2 shapes — enough
 * for an unmodified CCXT client's loadMarkets, balance, orders, fills and sends.
 */

import { createHash } from 'node:crypto';
import { randomToken } from '../core/index.js';
import {
  classifyCoinbase,
  coinbaseError,
  coinbaseUnauthorized,
  decodeJwt,
  generateCdpKeyPair,
  parseJsonBody,
  toProductId,
  toSymbol,
  verifyJwt,
} from '../exchanges/coinbase/index.js';
import type { ExchangeResponse } from '../exchanges/index.js';
import { coinbaseWsEmulator } from './coinbase-ws.js';
import {
  json,
  type SandboxContext,
  type SandboxEmulator,
  type SandboxKey,
  type SandboxPermissions,
  type SandboxRequest,
} from './emulator.js';
import { standardEmulator } from './emulator-kit.js';
import {
  type Engine,
  type EngineError,
  type Market,
  marketAssets,
  type Order,
  type Trade,
} from './engine.js';
import { perEngine } from './engine-state.js';
import { ipRefused } from './key-auth.js';
import type { IssuedKey } from './seed-keys.js';

const V3 = '/api/v3/brokerage';
const FEE_RATE = '0.001';

const CURRENCY_NAMES: Record<string, string> = {
  BTC: 'Bitcoin',
  ETH: 'Ethereum',
  SOL: 'Solana',
  DOGE: 'Dogecoin',
  USDT: 'Tether',
  USD: 'US Dollar',
  EUR: 'Euro',
};
const FIAT = new Set(['USD', 'EUR']);

function fmt(n: number): string {
  if (!Number.isFinite(n)) return '0';
  const s = n.toFixed(10).replace(/0+$/, '').replace(/\.$/, '');
  return s === '-0' ? '0' : s;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Stable UUID-shaped id, so an account keeps its id across requests and restarts. */
function uuidFor(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Lenient query reading: Coinbase accepts repeated names for list filters (`product_ids`, `order_status`). */
function queryValues(query: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    try {
      const k = decodeURIComponent((eq === -1 ? part : part.slice(0, eq)).replace(/\+/g, ' '));
      const v = decodeURIComponent((eq === -1 ? '' : part.slice(eq + 1)).replace(/\+/g, ' '));
      out.set(k, [...(out.get(k) ?? []), v]);
    } catch {
      // Undecodable pairs are ignored, as most HTTP stacks do.
    }
  }
  return out;
}

function first(q: Map<string, string[]>, name: string): string | undefined {
  return q.get(name)?.[0];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function product(m: Market): Record<string, unknown> {
  return {
    product_id: `${m.base}-${m.quote}`,
    price: fmt(m.price),
    price_percentage_change_24h: '0',
    volume_24h: '0',
    volume_percentage_change_24h: '0',
    base_increment: '0.00000001',
    quote_increment: '0.00000001',
    quote_min_size: '0.00000001',
    quote_max_size: '1000000000',
    base_min_size: '0.00000001',
    base_max_size: '1000000000',
    base_name: CURRENCY_NAMES[m.base] ?? m.base,
    quote_name: CURRENCY_NAMES[m.quote] ?? m.quote,
    watched: false,
    is_disabled: false,
    new: false,
    status: 'online',
    cancel_only: false,
    limit_only: false,
    post_only: false,
    trading_disabled: false,
    auction_mode: false,
    product_type: 'SPOT',
    quote_currency_id: m.quote,
    base_currency_id: m.base,
    fcm_trading_session_details: null,
    mid_market_price: '',
    alias: '',
    alias_to: [],
    base_display_symbol: m.base,
    quote_display_symbol: m.quote,
    view_only: false,
    price_increment: '0.00000001',
    display_name: `${m.base}-${m.quote}`,
    product_venue: 'CBE',
  };
}

function orderStatus(o: Order): string {
  if (o.status === 'open') return 'OPEN';
  if (o.status === 'filled') return 'FILLED';
  return 'CANCELLED';
}

function orderView(o: Order, engine: Engine): Record<string, unknown> {
  const fills = engine.trades(o.account).filter((t) => t.orderId === o.id);
  const filledValue = fills.reduce((s, t) => s + t.price * t.quantity, 0);
  const fees = fills.reduce(
    (s, t) => s + (t.feeCurrency === o.symbol.split('/')[1] ? t.fee : t.fee * t.price),
    0,
  );
  const config =
    o.type === 'limit'
      ? { limit_limit_gtc: { base_size: fmt(o.quantity), limit_price: fmt(o.price ?? 0), post_only: false } }
      : { market_market_ioc: { base_size: fmt(o.quantity) } };
  return {
    order_id: o.id,
    product_id: toProductId(o.symbol),
    user_id: 'sandbox-user',
    order_configuration: config,
    side: o.side.toUpperCase(),
    client_order_id: o.clientOrderId ?? '',
    status: orderStatus(o),
    time_in_force: o.type === 'limit' ? 'GOOD_UNTIL_CANCELLED' : 'IMMEDIATE_OR_CANCEL',
    created_time: iso(o.createdAt),
    completion_percentage: fmt(o.quantity > 0 ? (o.filled / o.quantity) * 100 : 0),
    filled_size: fmt(o.filled),
    average_filled_price: fmt(o.averagePrice ?? 0),
    fee: '',
    number_of_fills: String(fills.length),
    filled_value: fmt(filledValue),
    pending_cancel: false,
    size_in_quote: false,
    total_fees: fmt(fees),
    size_inclusive_of_fees: false,
    total_value_after_fees: fmt(filledValue + (o.side === 'buy' ? fees : -fees)),
    trigger_status: 'INVALID_ORDER_TYPE',
    order_type: o.type.toUpperCase(),
    reject_reason: 'REJECT_REASON_UNSPECIFIED',
    settled: o.status === 'filled',
    product_type: 'SPOT',
    reject_message: '',
    cancel_message: '',
    order_placement_source: 'RETAIL_ADVANCED',
    outstanding_hold_amount: o.status === 'open' ? fmt(o.quantity - o.filled) : '0',
    is_liquidation: false,
    last_fill_time: fills.length > 0 ? iso(o.updatedAt) : null,
    edit_history: [],
    leverage: '',
    margin_type: 'UNKNOWN_MARGIN_TYPE',
    retail_portfolio_id: uuidFor('portfolio', o.account),
  };
}

function fillView(t: Trade): Record<string, unknown> {
  return {
    entry_id: uuidFor('entry', t.id),
    trade_id: t.id,
    order_id: t.orderId,
    trade_time: iso(t.at),
    trade_type: 'FILL',
    price: fmt(t.price),
    size: fmt(t.quantity),
    commission: fmt(t.feeCurrency === t.symbol.split('/')[1] ? t.fee : t.fee * t.price),
    product_id: toProductId(t.symbol),
    sequence_timestamp: iso(t.at),
    liquidity_indicator: 'TAKER',
    size_in_quote: false,
    user_id: 'sandbox-user',
    side: t.side.toUpperCase(),
    retail_portfolio_id: uuidFor('portfolio', t.account),
  };
}

function v3Account(account: string, code: string, free: number, locked: number, now: number) {
  return {
    uuid: uuidFor('account', account, code),
    name: `${code} Wallet`,
    currency: code,
    available_balance: { value: fmt(free), currency: code },
    default: code === 'USD',
    active: true,
    created_at: iso(now),
    updated_at: iso(now),
    deleted_at: null,
    type: FIAT.has(code) ? 'ACCOUNT_TYPE_FIAT' : 'ACCOUNT_TYPE_CRYPTO',
    ready: true,
    hold: { value: fmt(locked), currency: code },
    retail_portfolio_id: uuidFor('portfolio', account),
  };
}

function v2Account(account: string, code: string, total: number, now: number) {
  const id = uuidFor('account', account, code);
  return {
    id,
    name: `${code} Wallet`,
    primary: code === 'BTC',
    type: FIAT.has(code) ? 'fiat' : 'wallet',
    currency: {
      code,
      name: CURRENCY_NAMES[code] ?? code,
      color: '#0052FF',
      sort_index: 100,
      exponent: FIAT.has(code) ? 2 : 8,
      type: FIAT.has(code) ? 'fiat' : 'crypto',
    },
    balance: { amount: fmt(total), currency: code },
    created_at: iso(now),
    updated_at: iso(now),
    resource: 'account',
    resource_path: `/v2/accounts/${id}`,
    allow_deposits: true,
    allow_withdrawals: true,
  };
}

function accountCodes(engine: Engine, account: string): string[] {
  const set = new Set(marketAssets(engine));
  for (const k of engine.balances(account).keys()) set.add(k);
  return [...set].sort();
}

function findAccount(engine: Engine, account: string, id: string): string | undefined {
  return accountCodes(engine, account).find((c) => uuidFor('account', account, c) === id);
}

/** Which Coinbase scope a classified action needs. */
function allowed(action: string, p: SandboxPermissions): boolean {
  switch (action) {
    case 'public':
    case 'read':
      return p.read;
    case 'trade':
    case 'cancel':
    case 'convert':
    case 'margin':
      return p.trade;
    case 'withdraw':
      return p.withdraw;
    case 'transfer':
      return p.transfer;
    default:
      return p.read && p.trade && p.withdraw && p.transfer;
  }
}

function scopeError(path: string): ExchangeResponse {
  // v2 (Coinbase App) endpoints answer in their `errors` list shape; v3 in the gRPC-gateway one.
  if (path.startsWith('/v2/')) {
    return json(403, { errors: [{ id: 'invalid_scope', message: 'Missing required scopes' }] });
  }
  return coinbaseError(403, 'PERMISSION_DENIED', 'Missing required scopes');
}

function v2Error(status: number, id: string, message: string): ExchangeResponse {
  return json(status, { errors: [{ id, message }] });
}

function engineFailure(e: EngineError): Record<string, unknown> {
  const map: Record<EngineError['code'], [string, string]> = {
    unknown_symbol: ['UNKNOWN_FAILURE_REASON', 'INVALID_PRODUCT_ID'],
    invalid_quantity: ['INVALID_SIZE_PRECISION', 'PREVIEW_INVALID_BASE_SIZE_TOO_SMALL'],
    invalid_price: ['INVALID_LIMIT_PRICE', 'PREVIEW_INVALID_LIMIT_PRICE'],
    insufficient_balance: ['INSUFFICIENT_FUND', 'PREVIEW_INSUFFICIENT_FUND'],
    order_not_found: ['UNKNOWN_FAILURE_REASON', 'UNKNOWN_PREVIEW_FAILURE_REASON'],
    duplicate_client_order_id: ['UNKNOWN_FAILURE_REASON', 'UNKNOWN_PREVIEW_FAILURE_REASON'],
  };
  const [error, preview] = map[e.code];
  return {
    success: false,
    failure_reason: 'UNKNOWN_FAILURE_REASON',
    order_id: '',
    error_response: {
      error,
      message: e.code === 'insufficient_balance' ? 'Insufficient balance in source account' : e.message,
      error_details: e.message,
      preview_failure_reason: preview,
    },
  };
}

/** What an engine order executes as, for each configuration the sandbox emulates. */
const EMULATED: Record<string, { type: 'limit' | 'market'; immediate: boolean }> = {
  market_market_ioc: { type: 'market', immediate: true },
  limit_limit_gtc: { type: 'limit', immediate: false },
  limit_limit_gtd: { type: 'limit', immediate: false },
  // Immediate-or-cancel and fill-or-kill: whatever does not fill at once is cancelled.
  limit_limit_fok: { type: 'limit', immediate: true },
  sor_limit_ioc: { type: 'limit', immediate: true },
};

function orderFailure(error: string, message: string): ExchangeResponse {
  return json(200, {
    success: false,
    failure_reason: 'UNKNOWN_FAILURE_REASON',
    order_id: '',
    error_response: {
      error,
      message,
      error_details: message,
      preview_failure_reason: 'UNKNOWN_PREVIEW_FAILURE_REASON',
    },
  });
}

const decimalValue = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : undefined);

/**
 * POST /orders as Coinbase executes it. The request already passed the strict schema (see
 * `handle`): exactly one configuration with exactly its fields. Leverage and margin type are
 * executed as given (the spot engine has no margin; the order still trades), so only keywarden
 * stands between a margin flag and the exchange.
 */
function createOrder(
  body: Record<string, unknown>,
  key: SandboxKey,
  engine: Engine,
  preview: boolean,
): ExchangeResponse {
  const symbol = toSymbol(body.product_id);
  const side = body.side === 'BUY' ? 'buy' : 'sell';
  const clientOrderId = typeof body.client_order_id === 'string' ? body.client_order_id : undefined;
  const config = isRecord(body.order_configuration) ? body.order_configuration : {};
  const [configKey, detailRaw] = Object.entries(config)[0] ?? ['', undefined];
  const detail = isRecord(detailRaw) ? detailRaw : {};
  if (!symbol) return coinbaseError(400, 'INVALID_ARGUMENT', 'invalid product_id');
  const emulated = EMULATED[configKey];
  if (!emulated || body.attached_order_configuration !== undefined) {
    return orderFailure(
      'UNSUPPORTED_ORDER_CONFIGURATION',
      `the sandbox does not emulate ${(emulated ? 'attached_order_configuration' : configKey).slice(0, 40)}`,
    );
  }
  const { type } = emulated;
  const quantity = decimalValue(detail.base_size);
  const quoteQuantity = decimalValue(detail.quote_size);
  const price = decimalValue(detail.limit_price);
  if (preview) {
    const m = engine.market(symbol);
    if (!m) return orderFailure('INVALID_PRODUCT_ID', 'ProductID is invalid');
    const base = quantity ?? (quoteQuantity ?? 0) / m.price;
    return json(200, {
      order_total: fmt(base * (price ?? m.price)),
      commission_total: fmt(base * (price ?? m.price) * Number(FEE_RATE)),
      errs: [],
      warning: [],
      quote_size: fmt(base * (price ?? m.price)),
      base_size: fmt(base),
      best_bid: fmt(m.price),
      best_ask: fmt(m.price),
      is_max: false,
      preview_id: uuidFor('preview', key.account, JSON.stringify(body)),
    });
  }
  const placed = engine.placeOrder({
    account: key.account,
    symbol,
    side,
    type,
    ...(quantity !== undefined ? { quantity } : {}),
    ...(quoteQuantity !== undefined ? { quoteQuantity } : {}),
    ...(price !== undefined && type === 'limit' ? { price } : {}),
    ...(clientOrderId !== undefined && clientOrderId !== '' ? { clientOrderId } : {}),
  });
  if (!placed.ok) return json(200, engineFailure(placed.error));
  const o = placed.value;
  if (emulated.immediate && o.status === 'open') engine.cancelOrder(key.account, { id: o.id });
  return json(200, {
    success: true,
    success_response: {
      order_id: o.id,
      product_id: toProductId(o.symbol),
      side: side.toUpperCase(),
      client_order_id: o.clientOrderId ?? '',
    },
    order_configuration: config,
  });
}

/**
 * Per-sandbox state beyond the engine: edited orders keep their id at Coinbase while the engine
 * replaces them (the old id points at the new order), and open convert quotes.
 */
interface CoinbaseState {
  editedIds: Map<string, string>;
  quotes: Map<string, ConvertQuote>;
}

const stateOf = perEngine<CoinbaseState>(() => ({ editedIds: new Map(), quotes: new Map() }));

function currentId(engine: Engine, account: string, id: string): string {
  const { editedIds } = stateOf(engine);
  let at = id;
  for (let hops = 0; hops < 100; hops++) {
    const next = editedIds.get(`${account}\u0000${at}`);
    if (next === undefined) return at;
    at = next;
  }
  return at;
}

function editFailure(reason: string): ExchangeResponse {
  return json(200, {
    success: false,
    errors: [{ edit_failure_reason: reason, preview_failure_reason: 'UNKNOWN_PREVIEW_FAILURE_REASON' }],
  });
}

/** POST /orders/edit (and edit_preview): a resting GTC limit order gets a new price and/or size. */
function editOrder(
  body: Record<string, unknown>,
  key: SandboxKey,
  engine: Engine,
  preview: boolean,
): ExchangeResponse {
  const id = currentId(engine, key.account, String(body.order_id));
  const o = engine.order(key.account, { id });
  if (o?.status !== 'open' || o.type !== 'limit') return editFailure('ORDER_NOT_FOUND');
  if (body.stop_price !== undefined) return editFailure('INVALID_ORDER_CONFIGURATION');
  const price = decimalValue(body.price) ?? o.price;
  const size = decimalValue(body.size) ?? o.quantity - o.filled;
  if (preview) {
    return json(200, {
      errors: [],
      slippage: '0',
      order_total: fmt(size * (price ?? 0)),
      commissions_total: '0',
    });
  }
  engine.cancelOrder(key.account, { id });
  const placed = engine.placeOrder({
    account: key.account,
    symbol: o.symbol,
    side: o.side,
    type: 'limit',
    quantity: size,
    ...(price !== undefined ? { price } : {}),
  });
  if (!placed.ok) return editFailure('UNKNOWN_EDIT_ORDER_FAILURE_REASON');
  stateOf(engine).editedIds.set(`${key.account}\u0000${id}`, placed.value.id);
  return json(200, { success: true, errors: [] });
}

interface ConvertQuote {
  id: string;
  account: string;
  from: string;
  to: string;
  amount: number;
  toAmount: number;
  /** The engine market and side the conversion trades. */
  symbol: string;
  side: 'buy' | 'sell';
  committed: boolean;
  expiresAt: number;
}

const QUOTE_TTL_MS = 10_000;

function convertView(q: ConvertQuote, status: string): Record<string, unknown> {
  return {
    trade: {
      id: q.id,
      status,
      user_entered_amount: { value: fmt(q.amount), currency: q.from },
      amount: { value: fmt(q.toAmount), currency: q.to },
      total: { value: fmt(q.amount), currency: q.from },
      subtotal: { value: fmt(q.amount), currency: q.from },
      total_fee: { amount: { value: '0', currency: q.from } },
      source_currency: q.from,
      target_currency: q.to,
      source_id: q.from,
      target_id: q.to,
    },
  };
}

/** POST /convert/quote: a quote to trade `amount` of from_account's currency into to_account's. */
function convertQuote(
  body: Record<string, unknown>,
  key: SandboxKey,
  engine: Engine,
  now: number,
): ExchangeResponse {
  const from = String(body.from_account).toUpperCase();
  const to = String(body.to_account).toUpperCase();
  const amount = Number(body.amount);
  const buy = engine.market(`${to}/${from}`);
  const sell = engine.market(`${from}/${to}`);
  const m = buy ?? sell;
  const { quotes } = stateOf(engine);
  if (!m) return coinbaseError(400, 'INVALID_ARGUMENT', `no conversion from ${from} to ${to}`);
  const q: ConvertQuote = {
    id: uuidFor('convert', key.account, String(now), String(quotes.size)),
    account: key.account,
    from,
    to,
    amount,
    toAmount: buy ? amount / m.price : amount * m.price,
    symbol: m.symbol,
    side: buy ? 'buy' : 'sell',
    committed: false,
    expiresAt: now + QUOTE_TTL_MS,
  };
  quotes.set(q.id, q);
  return json(200, convertView(q, 'TRADE_STATUS_CREATED'));
}

/** POST /convert/trade/{id}: commit the quote; it executes as a market order of its amount. */
function convertCommit(
  tradeId: string,
  body: Record<string, unknown>,
  key: SandboxKey,
  engine: Engine,
  now: number,
): ExchangeResponse {
  const q = stateOf(engine).quotes.get(tradeId);
  if (
    !q ||
    q.account !== key.account ||
    q.from !== String(body.from_account).toUpperCase() ||
    q.to !== String(body.to_account).toUpperCase()
  )
    return coinbaseError(404, 'NOT_FOUND', 'trade not found');
  if (q.committed || q.expiresAt <= now)
    return coinbaseError(400, 'INVALID_ARGUMENT', 'quote expired or already used');
  const placed = engine.placeOrder({
    account: key.account,
    symbol: q.symbol,
    side: q.side,
    type: 'market',
    ...(q.side === 'buy' ? { quoteQuantity: q.amount } : { quantity: q.amount }),
  });
  if (!placed.ok) return coinbaseError(400, 'INVALID_ARGUMENT', placed.error.message);
  q.committed = true;
  return json(200, convertView(q, 'TRADE_STATUS_COMPLETED'));
}

function sendCrypto(
  accountId: string,
  body: Record<string, unknown>,
  key: SandboxKey,
  engine: Engine,
  now: number,
): ExchangeResponse {
  const code = findAccount(engine, key.account, accountId);
  if (!code) return v2Error(404, 'not_found', 'Not found');
  if (body.type !== 'send') return v2Error(400, 'validation_error', 'Only type=send is emulated');
  const amount = typeof body.amount === 'string' ? Number(body.amount) : Number.NaN;
  const to = typeof body.to === 'string' ? body.to : '';
  const currency = typeof body.currency === 'string' ? body.currency.toUpperCase() : code;
  if (currency !== code) return v2Error(400, 'validation_error', 'Currency does not match the account');
  if (to === '') return v2Error(400, 'param_required', 'to is required');
  const network = typeof body.network === 'string' ? body.network : undefined;
  const tag = typeof body.destination_tag === 'string' ? body.destination_tag : undefined;
  const result = engine.withdraw({
    account: key.account,
    coin: code,
    amount,
    address: to,
    ...(network !== undefined ? { network } : {}),
    ...(tag !== undefined ? { tag } : {}),
  });
  if (!result.ok) {
    return result.error.code === 'insufficient_balance'
      ? v2Error(400, 'validation_error', 'Insufficient balance in source account')
      : v2Error(400, 'validation_error', result.error.message);
  }
  const w = result.value;
  const id = uuidFor('transaction', w.id);
  const price = engine.market(`${code}/USD`)?.price ?? 0;
  return json(201, {
    data: {
      id,
      type: 'send',
      status: 'pending',
      amount: { amount: fmt(-w.amount), currency: code },
      native_amount: { amount: fmt(-w.amount * price), currency: 'USD' },
      description: null,
      created_at: iso(now),
      updated_at: iso(now),
      resource: 'transaction',
      resource_path: `/v2/accounts/${accountId}/transactions/${id}`,
      instant_exchange: false,
      network: { status: 'pending', hash: null, name: (CURRENCY_NAMES[code] ?? code).toLowerCase() },
      to: { resource: 'address', address: w.address, currency: code },
      idem: typeof body.idem === 'string' ? body.idem : undefined,
      details: { title: `Sent ${CURRENCY_NAMES[code] ?? code}`, subtitle: 'To address' },
    },
  });
}

function publicRoute(req: SandboxRequest, engine: Engine, now: number): ExchangeResponse | undefined {
  if (req.method !== 'GET') return undefined;
  const q = queryValues(req.query);
  const path = req.path;
  if (path === '/v2/currencies') {
    return json(200, {
      data: marketAssets(engine)
        .filter((c) => FIAT.has(c))
        .map((c) => ({ id: c, name: CURRENCY_NAMES[c] ?? c, min_size: '0.01' })),
    });
  }
  if (path === '/v2/currencies/crypto') {
    return json(200, {
      data: marketAssets(engine)
        .filter((c) => !FIAT.has(c))
        .map((c, i) => ({
          asset_id: uuidFor('asset', c),
          code: c,
          name: CURRENCY_NAMES[c] ?? c,
          color: '#0052FF',
          sort_index: 100 + i,
          exponent: 8,
          type: 'crypto',
          address_regex: '^.+$',
        })),
    });
  }
  if (path === '/v2/exchange-rates') {
    const base = (first(q, 'currency') ?? 'USD').toUpperCase();
    const rates: Record<string, string> = { [base]: '1' };
    for (const m of engine.markets()) {
      if (m.quote === base) rates[m.base] = fmt(1 / m.price);
      if (m.base === base) rates[m.quote] = fmt(m.price);
    }
    return json(200, { data: { currency: base, rates } });
  }
  if (path === '/v2/time' || path === `${V3}/time`) {
    return json(200, { data: { iso: iso(now), epoch: Math.floor(now / 1000) } });
  }
  if (path === `${V3}/market/products`) {
    // Spot only: futures and perpetuals are not emulated, so those filters list nothing.
    const type = first(q, 'product_type');
    const ids = q.get('product_ids');
    const products =
      type !== undefined && type !== 'SPOT'
        ? []
        : engine
            .markets()
            .map(product)
            .filter((p) => !ids || ids.includes(String(p.product_id)));
    return json(200, { products, num_products: products.length });
  }
  const one = /^\/api\/v3\/brokerage\/market\/products\/([^/]+)(\/ticker)?$/.exec(path);
  if (one) {
    const symbol = toSymbol(decodeURIComponent(one[1] ?? ''));
    const m = symbol ? engine.market(symbol) : undefined;
    if (!m) return coinbaseError(404, 'NOT_FOUND', 'ProductID is invalid');
    if (one[2]) {
      return json(200, {
        trades: [],
        best_bid: fmt(m.price),
        best_ask: fmt(m.price),
      });
    }
    return json(200, product(m));
  }
  return undefined;
}

async function privateRoute(
  req: SandboxRequest,
  key: SandboxKey,
  ctx: SandboxContext,
  body: Record<string, unknown>,
): Promise<ExchangeResponse> {
  const { engine } = ctx;
  const now = ctx.clock.now();
  const method = req.method.toUpperCase();
  const path = req.path.replace(/\/+$/, '');
  const q = queryValues(req.query);

  if (method === 'GET' && path === `${V3}/key_permissions`) {
    return json(200, {
      can_view: key.permissions.read,
      can_trade: key.permissions.trade,
      can_transfer: key.permissions.transfer || key.permissions.withdraw,
      portfolio_uuid: uuidFor('portfolio', key.account),
      portfolio_type: 'DEFAULT',
    });
  }
  if (method === 'GET' && path === `${V3}/transaction_summary`) {
    return json(200, {
      total_volume: 0,
      total_fees: 0,
      fee_tier: {
        pricing_tier: 'Advanced 1',
        usd_from: '0',
        usd_to: '10000',
        taker_fee_rate: FEE_RATE,
        maker_fee_rate: FEE_RATE,
        aop_from: '',
        aop_to: '',
      },
      margin_rate: null,
      goods_and_services_tax: null,
      advanced_trade_only_volume: 0,
      advanced_trade_only_fees: 0,
      coinbase_pro_volume: 0,
      coinbase_pro_fees: 0,
    });
  }
  if (method === 'GET' && path === `${V3}/portfolios`) {
    return json(200, {
      portfolios: [
        { name: 'Default', uuid: uuidFor('portfolio', key.account), type: 'DEFAULT', deleted: false },
      ],
    });
  }
  if (method === 'GET' && (path === `${V3}/accounts` || path.startsWith(`${V3}/accounts/`))) {
    const balances = engine.balances(key.account);
    const view = (c: string) => {
      const b = balances.get(c) ?? { free: 0, locked: 0 };
      return v3Account(key.account, c, b.free, b.locked, now);
    };
    if (path === `${V3}/accounts`) {
      const accounts = accountCodes(engine, key.account).map(view);
      return json(200, { accounts, has_next: false, cursor: '', size: accounts.length });
    }
    const code = findAccount(engine, key.account, path.slice(`${V3}/accounts/`.length));
    return code ? json(200, { account: view(code) }) : coinbaseError(404, 'NOT_FOUND', 'account not found');
  }
  if (method === 'GET' && (path === '/v2/accounts' || /^\/v2\/accounts\/[^/]+$/.test(path))) {
    const balances = engine.balances(key.account);
    const view = (c: string) => {
      const b = balances.get(c) ?? { free: 0, locked: 0 };
      return v2Account(key.account, c, b.free + b.locked, now);
    };
    if (path === '/v2/accounts') {
      const data = accountCodes(engine, key.account).map(view);
      return json(200, {
        pagination: {
          ending_before: null,
          starting_after: null,
          previous_ending_before: null,
          next_starting_after: null,
          limit: Number(first(q, 'limit') ?? 25),
          order: 'desc',
          previous_uri: null,
          next_uri: null,
        },
        data,
      });
    }
    const code = findAccount(engine, key.account, path.slice('/v2/accounts/'.length));
    return code ? json(200, { data: view(code) }) : v2Error(404, 'not_found', 'Not found');
  }
  if (method === 'POST' && (path === `${V3}/orders` || path === `${V3}/orders/preview`))
    return createOrder(body, key, engine, path.endsWith('/preview'));
  if (method === 'POST' && (path === `${V3}/orders/edit` || path === `${V3}/orders/edit_preview`))
    return editOrder(body, key, engine, path.endsWith('_preview'));
  if (method === 'POST' && path === `${V3}/convert/quote`) return convertQuote(body, key, engine, now);
  const convert = /^\/api\/v3\/brokerage\/convert\/trade\/([^/]+)$/.exec(path);
  if (convert) {
    const q = stateOf(engine).quotes.get(decodeURIComponent(convert[1] ?? ''));
    if (method === 'POST') return convertCommit(decodeURIComponent(convert[1] ?? ''), body, key, engine, now);
    if (method === 'GET' && q && q.account === key.account)
      return json(200, convertView(q, q.committed ? 'TRADE_STATUS_COMPLETED' : 'TRADE_STATUS_CREATED'));
    return coinbaseError(404, 'NOT_FOUND', 'trade not found');
  }
  if (method === 'POST' && path === `${V3}/orders/batch_cancel`) {
    const ids = Array.isArray(body.order_ids) ? body.order_ids : [];
    const results = ids.map((id) => {
      const ref = typeof id === 'string' ? id : '';
      const r = engine.cancelOrder(key.account, { id: currentId(engine, key.account, ref) });
      return r.ok
        ? { success: true, failure_reason: 'UNKNOWN_CANCEL_FAILURE_REASON', order_id: ref }
        : { success: false, failure_reason: 'UNKNOWN_CANCEL_ORDER', order_id: ref };
    });
    return json(200, { results });
  }
  if (method === 'GET' && path === `${V3}/orders/historical/batch`) {
    const statuses = q.get('order_status');
    const productIds = [...(q.get('product_ids') ?? []), ...(q.get('product_id') ?? [])];
    const all = [...engine.openOrders(key.account), ...engine.closedOrders(key.account)]
      .filter((o) => !statuses || statuses.includes(orderStatus(o)))
      .filter((o) => productIds.length === 0 || productIds.includes(toProductId(o.symbol)))
      .sort((a, b) => b.createdAt - a.createdAt);
    return json(200, {
      orders: all.map((o) => orderView(o, engine)),
      sequence: '0',
      has_next: false,
      cursor: '',
    });
  }
  if (method === 'GET' && path === `${V3}/orders/historical/fills`) {
    const productIds = [...(q.get('product_ids') ?? []), ...(q.get('product_id') ?? [])];
    const orderIds = [...(q.get('order_ids') ?? []), ...(q.get('order_id') ?? [])];
    const fills = engine
      .trades(key.account)
      .filter((t) => productIds.length === 0 || productIds.includes(toProductId(t.symbol)))
      .filter((t) => orderIds.length === 0 || orderIds.includes(t.orderId))
      .sort((a, b) => b.at - a.at);
    return json(200, { fills: fills.map(fillView), cursor: '' });
  }
  const hist = /^\/api\/v3\/brokerage\/orders\/historical\/([^/]+)$/.exec(path);
  if (method === 'GET' && hist) {
    const o = engine.order(key.account, {
      id: currentId(engine, key.account, decodeURIComponent(hist[1] ?? '')),
    });
    return o
      ? json(200, { order: orderView(o, engine) })
      : coinbaseError(404, 'NOT_FOUND', 'order not found');
  }
  const send = /^\/v2\/accounts\/([^/]+)\/transactions$/.exec(path);
  if (method === 'POST' && send) return sendCrypto(send[1] ?? '', body, key, engine, now);
  if (path.startsWith('/v2/')) return v2Error(404, 'not_found', 'Not found');
  return coinbaseError(404, 'NOT_FOUND', 'Not Found');
}

function bearerToken(req: SandboxRequest): string | undefined {
  const auth = req.headers.authorization;
  const m = auth === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(auth);
  return m?.[1];
}

async function handle(req: SandboxRequest, ctx: SandboxContext): Promise<ExchangeResponse> {
  const pub = publicRoute(req, ctx.engine, ctx.clock.now());
  if (pub) return pub;

  const token = bearerToken(req);
  if (token === undefined) return coinbaseUnauthorized();
  const jwt = decodeJwt(token);
  const keyId = jwt?.header.kid ?? jwt?.claims.sub;
  const key = typeof keyId === 'string' ? ctx.keyById(keyId) : undefined;
  if (!key) return coinbaseUnauthorized();
  const verified = verifyJwt(token, {
    apiKey: key.credential.apiKey,
    publicKeyPem: key.verifySecret,
    method: req.method,
    target: `${req.host}${req.prefix}${req.path}`,
    nowSeconds: Math.floor(ctx.clock.now() / 1000),
  });
  if (!verified.ok) return coinbaseUnauthorized();
  // The CDP gateway refuses a key outside its allow-list before any scope check.
  if (ipRefused(key, req)) return coinbaseUnauthorized();

  let body: Record<string, unknown> = {};
  if (req.body.trim() !== '') {
    const parsed = parseJsonBody(req.body);
    if (!parsed.ok || !isRecord(parsed.value)) {
      return coinbaseError(
        400,
        'INVALID_ARGUMENT',
        parsed.ok ? 'body must be a JSON object' : parsed.message,
      );
    }
    body = parsed.value;
  }
  const { action, rejected } = classifyCoinbase(req);
  if (!allowed(action, key.permissions)) return scopeError(req.path);
  // Coinbase's gRPC gateway refuses an unknown field or a malformed value of a known one.
  if (rejected !== undefined) {
    return req.path.startsWith('/v2/')
      ? v2Error(400, 'validation_error', rejected)
      : coinbaseError(400, 'INVALID_ARGUMENT', rejected);
  }
  return privateRoute(req, key, ctx, body);
}

function issueKey(name: string): IssuedKey {
  const { privatePem, publicPem } = generateCdpKeyPair();
  return {
    credential: {
      apiKey: `organizations/${uuidFor('org', 'sandbox')}/apiKeys/${randomToken(8)}-${name}`,
      secret: privatePem,
    },
    verifySecret: publicPem,
  };
}

export const coinbaseEmulator: SandboxEmulator = {
  ...standardEmulator('coinbase', issueKey, handle),
  ws: coinbaseWsEmulator,
};
