/**
 * Emulated Bybit v5: the same auth checks and retCodes as api.bybit.com (via the adapter's
 * bybitVerify), key permissions and IP allow-lists, and the endpoints an unmodified CCXT
 * client uses, answered in Bybit's own `{retCode, retMsg, result, retExtInfo, time}` shape.
 */

import { randomToken } from '../core/index.js';
import { bybitError, bybitMarketId, bybitSymbol, bybitVerify } from '../exchanges/bybit/index.js';
import type { ExchangeResponse } from '../exchanges/index.js';
import {
  getParam,
  isRecord,
  type Params,
  parseParams,
  parseStrictJson,
  textField,
  toNumber,
} from '../exchanges/index.js';
import { decimal } from './body-fields.js';
import { bybitWsEmulator } from './bybit-ws.js';
import {
  json,
  type SandboxContext,
  type SandboxKey,
  type SandboxPermissions,
  type SandboxRequest,
} from './emulator.js';
import { admitKey, standardEmulator } from './emulator-kit.js';
import {
  type Engine,
  type EngineError,
  type Market,
  marketAssets,
  type Order,
  type Trade,
} from './engine.js';
import { perEngine } from './engine-state.js';
import type { IssuedKey } from './seed-keys.js';

function ok(result: unknown, now: number): ExchangeResponse {
  return json(200, { retCode: 0, retMsg: 'OK', result, retExtInfo: {}, time: now });
}

function engineCode(e: EngineError): number {
  switch (e.code) {
    case 'insufficient_balance':
      return 170131;
    case 'order_not_found':
      return 170213;
    case 'duplicate_client_order_id':
      return 170141;
    case 'unknown_symbol':
      return 170121;
    default:
      return 170130;
  }
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function orderShape(o: Order, link = o.clientOrderId ?? ''): Record<string, string | number | boolean> {
  const status =
    o.status === 'open'
      ? o.filled > 0
        ? 'PartiallyFilled'
        : 'New'
      : o.status === 'filled'
        ? 'Filled'
        : 'Cancelled';
  return {
    orderId: o.id,
    orderLinkId: link,
    symbol: bybitMarketId(o.symbol),
    price: o.price === undefined ? '0' : decimal(o.price),
    qty: decimal(o.quantity),
    side: cap(o.side),
    isLeverage: '0',
    positionIdx: 0,
    orderStatus: status,
    cancelType: 'UNKNOWN',
    rejectReason: 'EC_NoError',
    avgPrice: o.averagePrice === undefined ? '' : decimal(o.averagePrice),
    leavesQty: decimal(o.status === 'open' ? o.quantity - o.filled : 0),
    leavesValue: '0',
    cumExecQty: decimal(o.filled),
    cumExecValue: decimal(o.filled * (o.averagePrice ?? 0)),
    cumExecFee: '0',
    timeInForce: o.type === 'market' ? 'IOC' : 'GTC',
    orderType: cap(o.type),
    stopOrderType: '',
    triggerPrice: '0',
    takeProfit: '0',
    stopLoss: '0',
    reduceOnly: false,
    closeOnTrigger: false,
    createdTime: String(o.createdAt),
    updatedTime: String(o.updatedAt),
  };
}

function execShape(t: Trade, order: Order | undefined): Record<string, string | boolean> {
  return {
    symbol: bybitMarketId(t.symbol),
    orderId: t.orderId,
    orderLinkId: order?.clientOrderId ?? '',
    side: cap(t.side),
    orderPrice: order?.price === undefined ? '0' : decimal(order.price),
    orderQty: decimal(order?.quantity ?? t.quantity),
    leavesQty: '0',
    orderType: cap(order?.type ?? 'limit'),
    execFee: decimal(t.fee),
    feeCurrency: t.feeCurrency,
    execId: t.id,
    execPrice: decimal(t.price),
    execQty: decimal(t.quantity),
    execType: 'Trade',
    execValue: decimal(t.price * t.quantity),
    execTime: String(t.at),
    isMaker: false,
    feeRate: '0.001',
  };
}

function needs(path: string, method: string): keyof SandboxPermissions {
  if (method === 'POST' && path.startsWith('/v5/asset/withdraw/')) return 'withdraw';
  if (method === 'POST' && path.startsWith('/v5/asset/transfer/')) return 'transfer';
  if (method === 'POST' && path.startsWith('/v5/order/')) return 'trade';
  if (method === 'POST' && (path.startsWith('/v5/position/') || path === '/v5/account/set-margin-mode'))
    return 'trade';
  return 'read';
}

/** The engine's markets of a Bybit category: spot pairs, or linear perpetuals (`engine.swaps()`). */
function listed(engine: Engine, category: string, symbol: string | undefined): Market[] {
  const all = category === 'spot' ? engine.markets() : category === 'linear' ? engine.swaps() : [];
  return all.filter((m) => symbol === undefined || bybitMarketId(m.symbol) === symbol);
}

function instrumentShape(m: Market, category: string): Record<string, unknown> {
  const tickSize = m.price < 1 ? '0.00001' : '0.01';
  if (category === 'spot')
    return {
      symbol: bybitMarketId(m.symbol),
      baseCoin: m.base,
      quoteCoin: m.quote,
      innovation: '0',
      status: 'Trading',
      marginTrading: 'none',
      lotSizeFilter: {
        basePrecision: '0.000001',
        quotePrecision: '0.00000001',
        minOrderQty: '0.000001',
        maxOrderQty: '100000000',
        minOrderAmt: '1',
        maxOrderAmt: '10000000',
      },
      priceFilter: { tickSize },
    };
  return {
    symbol: bybitMarketId(m.symbol),
    contractType: 'LinearPerpetual',
    status: 'Trading',
    baseCoin: m.base,
    quoteCoin: m.quote,
    settleCoin: m.settle ?? m.quote,
    launchTime: '1585526400000',
    deliveryTime: '0',
    deliveryFeeRate: '',
    priceScale: m.price < 1 ? '5' : '2',
    leverageFilter: { minLeverage: '1', maxLeverage: '100.00', leverageStep: '0.01' },
    priceFilter: { minPrice: tickSize, maxPrice: '1999999.80', tickSize },
    lotSizeFilter: {
      maxOrderQty: '1000000',
      minOrderQty: '0.001',
      qtyStep: '0.001',
      postOnlyMaxOrderQty: '1000000',
      maxMktOrderQty: '1000000',
      minNotionalValue: '5',
    },
    unifiedMarginTrade: true,
    fundingInterval: 480,
    copyTrading: 'both',
  };
}

function publicRoute(req: SandboxRequest, ctx: SandboxContext, q: Params): ExchangeResponse | undefined {
  const now = ctx.clock.now();
  const { engine } = ctx;
  switch (req.path) {
    case '/v5/market/time':
      return ok({ timeSecond: String(Math.floor(now / 1000)), timeNano: `${now}000000` }, now);
    case '/v5/market/instruments-info': {
      const category = getParam(q, 'category') ?? '';
      const symbol = getParam(q, 'symbol');
      const status = getParam(q, 'status') ?? 'Trading';
      const list = status === 'Trading' ? listed(engine, category, symbol) : [];
      return ok({ category, list: list.map((m) => instrumentShape(m, category)), nextPageCursor: '' }, now);
    }
    case '/v5/market/tickers': {
      const category = getParam(q, 'category') ?? '';
      const symbol = getParam(q, 'symbol');
      const markets = listed(engine, category, symbol);
      if (symbol !== undefined && markets.length === 0)
        return bybitError(10001, 'Not supported symbols', now);
      const list = markets.map((m) => ({
        symbol: bybitMarketId(m.symbol),
        bid1Price: decimal(m.price),
        bid1Size: '1',
        ask1Price: decimal(m.price),
        ask1Size: '1',
        lastPrice: decimal(m.price),
        prevPrice24h: decimal(m.price),
        price24hPcnt: '0',
        highPrice24h: decimal(m.price),
        lowPrice24h: decimal(m.price),
        turnover24h: '0',
        volume24h: '0',
        ...(category === 'linear' ? { markPrice: decimal(m.price), indexPrice: decimal(m.price) } : {}),
      }));
      return ok({ category, list }, now);
    }
    default:
      return undefined;
  }
}

type Refusal = { ok: false; code: number; msg: string };
type Fields = Record<string, unknown>;
const refuse = (code: number, msg: string): Refusal => ({ ok: false, code, msg });
const paramError = (msg: string) => refuse(10001, `params error: ${msg}`);

// Bybit's documented parameters per endpoint (order/create-order, amend-order, cancel-order, ...).
const ORDER_PARAMS = [
  'symbol',
  'isLeverage',
  'side',
  'orderType',
  'qty',
  'marketUnit',
  'price',
  'triggerDirection',
  'orderFilter',
  'triggerPrice',
  'triggerBy',
  'timeInForce',
  'positionIdx',
  'orderLinkId',
  'takeProfit',
  'stopLoss',
  'tpTriggerBy',
  'slTriggerBy',
  'reduceOnly',
  'closeOnTrigger',
  'smpType',
  'tpslMode',
  'tpLimitPrice',
  'slLimitPrice',
  'tpOrderType',
  'slOrderType',
];
const AMEND_PARAMS = [
  'symbol',
  'orderId',
  'orderLinkId',
  'triggerPrice',
  'qty',
  'price',
  'tpslMode',
  'takeProfit',
  'stopLoss',
  'tpTriggerBy',
  'slTriggerBy',
  'triggerBy',
  'tpLimitPrice',
  'slLimitPrice',
];
const CANCEL_PARAMS = ['symbol', 'orderId', 'orderLinkId', 'orderFilter'];
const PARAMS: Record<string, ReadonlySet<string>> = {
  'POST /v5/order/create': new Set(['category', ...ORDER_PARAMS]),
  'POST /v5/order/create-batch': new Set(['category', 'request']),
  'POST /v5/order/amend': new Set(['category', ...AMEND_PARAMS]),
  'POST /v5/order/amend-batch': new Set(['category', 'request']),
  'POST /v5/order/cancel': new Set(['category', ...CANCEL_PARAMS]),
  'POST /v5/order/cancel-batch': new Set(['category', 'request']),
  'POST /v5/order/cancel-all': new Set([
    'category',
    'symbol',
    'baseCoin',
    'settleCoin',
    'orderFilter',
    'stopOrderType',
  ]),
  'POST /v5/position/set-leverage': new Set(['category', 'symbol', 'buyLeverage', 'sellLeverage']),
  'POST /v5/account/set-margin-mode': new Set(['setMarginMode']),
  'POST /v5/asset/withdraw/create': new Set([
    'coin',
    'chain',
    'address',
    'tag',
    'amount',
    'timestamp',
    'forceChain',
    'accountType',
    'feeType',
    'requestId',
  ]),
};
const ITEM_PARAMS: Record<string, ReadonlySet<string>> = {
  'POST /v5/order/create-batch': new Set(ORDER_PARAMS),
  'POST /v5/order/amend-batch': new Set(AMEND_PARAMS),
  'POST /v5/order/cancel-batch': new Set(CANCEL_PARAMS.filter((p) => p !== 'orderFilter')),
};

/** The first parameter Bybit would not read on this endpoint (10001), if any. */
function unread(f: Fields, allowed: ReadonlySet<string>): string | undefined {
  return Object.keys(f).find((k) => !allowed.has(k));
}

/** A positive plain decimal, as a string or a JSON number. */
function amount(v: unknown): number | undefined {
  const t = typeof v === 'number' ? String(v) : v;
  if (typeof t !== 'string' || !/^\d{1,16}(\.\d{1,18})?$/.test(t)) return undefined;
  const n = Number(t);
  return n > 0 ? n : undefined;
}

/** Bybit's price limit: a buy at most 10 % above the market, a sell at most 10 % below. */
const PRICE_LIMIT = 0.1;
function priceLimit(side: 'buy' | 'sell', price: number, market: Market, spot: boolean): Refusal | undefined {
  const max = market.price * (1 + PRICE_LIMIT);
  const min = market.price * (1 - PRICE_LIMIT);
  if (side === 'buy' && price > max)
    return spot
      ? refuse(170193, `Buy order price cannot be higher than ${decimal(max)}USDT.`)
      : refuse(110003, 'Order price is out of permissible range');
  if (side === 'sell' && price < min)
    return spot
      ? refuse(170194, `Sell order price cannot be lower than ${decimal(min)}USDT.`)
      : refuse(110003, 'Order price is out of permissible range');
  return undefined;
}

/** A conditional order waiting for its trigger: Bybit lists it as Untriggered; it is not in the book. */
interface HeldOrder {
  id: string;
  link?: string;
  account: string;
  symbol: string;
  category: string;
  side: 'buy' | 'sell';
  type: 'limit' | 'market';
  qty: number;
  price?: number;
  triggerPrice: number;
  at: number;
}
const heldOf = perEngine<HeldOrder[]>(() => []);

interface Where {
  category: 'spot' | 'linear';
  market: Market;
}

function where(f: Fields, category: unknown): Where | Refusal {
  if (category !== 'spot' && category !== 'linear') return paramError('category must be spot or linear here');
  const symbol = bybitSymbol(textField(f, 'symbol') ?? '', category);
  return symbol === undefined ? paramError('symbol invalid') : { category, market: { symbol } as Market };
}

function located(f: Fields, category: unknown, ctx: SandboxContext): Where | Refusal {
  const w = where(f, category);
  if ('ok' in w) return w;
  const market = ctx.engine.market(w.market.symbol);
  return market ? { category: w.category, market } : refuse(170121, 'Invalid symbol.');
}

const TP_SL = [
  ['takeProfit', 'tpOrderType', 'tpLimitPrice', 'tpTriggerBy'],
  ['stopLoss', 'slOrderType', 'slLimitPrice', 'slTriggerBy'],
] as const;

/** Everything Bybit checks on one order before it executes, read its way. */
function readOrder(o: Fields, category: unknown, ctx: SandboxContext) {
  const at = located(o, category, ctx);
  if ('ok' in at) return at;
  const spot = at.category === 'spot';
  const side = { Buy: 'buy', Sell: 'sell' }[textField(o, 'side') ?? ''] as 'buy' | 'sell' | undefined;
  if (!side) return paramError('side invalid');
  const type = { Market: 'market', Limit: 'limit' }[textField(o, 'orderType') ?? ''] as
    | 'market'
    | 'limit'
    | undefined;
  if (!type) return paramError('orderType invalid');
  const qty = amount(o.qty);
  if (qty === undefined) return paramError('qty invalid');
  const price = o.price === undefined ? undefined : amount(o.price);
  if (type === 'market' && o.price !== undefined) return paramError('price is not used by Market orders');
  if (type === 'limit' && price === undefined) return paramError('price invalid');
  const only = spot
    ? ['positionIdx', 'closeOnTrigger', 'triggerDirection', 'tpslMode']
    : ['isLeverage', 'orderFilter', 'marketUnit'];
  const misplaced = only.find((p) => o[p] !== undefined);
  if (misplaced) return paramError(`${misplaced} is not used by ${at.category} orders`);
  const unit = textField(o, 'marketUnit');
  if (unit !== undefined && (type !== 'market' || (unit !== 'baseCoin' && unit !== 'quoteCoin')))
    return paramError('marketUnit invalid');
  for (const p of ['triggerPrice', 'takeProfit', 'stopLoss', 'tpLimitPrice', 'slLimitPrice'])
    if (o[p] !== undefined && amount(o[p]) === undefined) return paramError(`${p} invalid`);
  for (const [leg, legType, legLimit, by] of TP_SL) {
    if (o[leg] === undefined && (o[legType] ?? o[legLimit] ?? o[by]) !== undefined)
      return paramError(`${leg} is required with ${legType}, ${legLimit} and ${by}`);
    if ((o[legLimit] !== undefined) !== (textField(o, legType) === 'Limit'))
      return paramError(`${legLimit} goes with ${legType} Limit`);
    if (!spot && o[legLimit] !== undefined && textField(o, 'tpslMode') !== 'Partial')
      return paramError(`${legLimit} needs tpslMode Partial`);
    if (spot && type === 'market' && o[leg] !== undefined)
      return paramError(`${leg} is not supported for Market orders`);
  }
  const trigger = amount(o.triggerPrice);
  const filter = textField(o, 'orderFilter') ?? 'Order';
  if (spot && (filter === 'Order') !== (trigger === undefined))
    return paramError('triggerPrice goes with orderFilter StopOrder or tpslOrder');
  if (spot && filter === 'Order' && o.reduceOnly !== undefined)
    return paramError('reduceOnly is not used by spot orders');
  if (!spot && (trigger === undefined) !== (o.triggerDirection === undefined))
    return paramError('triggerPrice goes with triggerDirection');
  if (o.triggerBy !== undefined && trigger === undefined) return paramError('triggerBy needs triggerPrice');
  if (price !== undefined) {
    const limited = priceLimit(side, price, at.market, spot);
    if (limited) return limited;
  }
  const inQuote =
    spot && type === 'market' && (unit ?? (side === 'buy' ? 'quoteCoin' : 'baseCoin')) === 'quoteCoin';
  const link = textField(o, 'orderLinkId');
  if (link !== undefined && !/^[A-Za-z0-9_-]{1,36}$/.test(link)) return paramError('orderLinkId invalid');
  return { ok: true as const, at, side, type, qty, price, inQuote, link, trigger };
}

function placeOne(o: Fields, category: unknown, key: SandboxKey, ctx: SandboxContext) {
  const r = readOrder(o, category, ctx);
  if (!r.ok) return r;
  const { at, side, type, qty, price, inQuote, link, trigger } = r;
  if (trigger !== undefined) {
    const held: HeldOrder = {
      id: `c${randomToken(12)}`,
      account: key.account,
      symbol: at.market.symbol,
      category: at.category,
      side,
      type,
      qty,
      triggerPrice: trigger,
      at: ctx.clock.now(),
      ...(price !== undefined ? { price } : {}),
      ...(link ? { link } : {}),
    };
    heldOf(ctx.engine).push(held);
    return { ok: true as const, id: held.id, link: link ?? '' };
  }
  const placed = ctx.engine.placeOrder({
    account: key.account,
    symbol: at.market.symbol,
    side,
    type,
    ...(inQuote ? { quoteQuantity: qty } : { quantity: qty }),
    ...(price !== undefined ? { price } : {}),
    ...(link ? { clientOrderId: link } : {}),
  });
  if (!placed.ok) return refuse(engineCode(placed.error), placed.error.message);
  return { ok: true as const, id: placed.value.id, link: placed.value.clientOrderId ?? '' };
}

/**
 * Bybit keeps an order's id and link id through an amend; the engine books the amended order
 * anew (its link ids are unique for ever), so the sandbox remembers which engine order each
 * amended one now is.
 */
interface Amended {
  /** Amended order id → the engine order that stands for it now. */
  ids: Map<string, string>;
  /** Engine order id → the link id it carries for Bybit. */
  links: Map<string, string>;
}
const amendedOf = perEngine<Amended>(() => ({ ids: new Map(), links: new Map() }));

/** The link id Bybit reports for an engine order (kept through amends). */
function linkOf(engine: Engine, o: Order): string {
  return o.clientOrderId ?? amendedOf(engine).links.get(o.id) ?? '';
}

/** The engine order that stands for Bybit order `id` now (itself unless amended). */
function currentId(engine: Engine, id: string): string {
  const a = amendedOf(engine);
  let current = id;
  for (let next = a.ids.get(current); next !== undefined; next = a.ids.get(current)) current = next;
  return current;
}

function findOrder(account: string, id: string | undefined, link: string | undefined, engine: Engine) {
  if (id !== undefined) return engine.order(account, { id: currentId(engine, id) });
  const open = engine.openOrders(account).find((o) => linkOf(engine, o) === link);
  return open ?? engine.order(account, { clientOrderId: link ?? '' });
}

/** Exactly one of orderId and orderLinkId names an open order of this symbol. */
function namedOrder(o: Fields, category: unknown, key: SandboxKey, ctx: SandboxContext) {
  const at = where(o, category);
  if ('ok' in at) return at;
  const id = textField(o, 'orderId');
  const link = textField(o, 'orderLinkId');
  if ((id === undefined) === (link === undefined)) return paramError('orderId or orderLinkId is required');
  const order = findOrder(key.account, id, link, ctx.engine);
  if (order?.status !== 'open' || order.symbol !== at.market.symbol)
    return { ok: false as const, code: 170213, msg: 'Order does not exist.', id, link, at };
  return { ok: true as const, order, at };
}

/** An amend replaces the order in the book: same symbol, side, id and link id; the new size and price. */
function amendOne(o: Fields, category: unknown, key: SandboxKey, ctx: SandboxContext) {
  const named = namedOrder(o, category, key, ctx);
  if (!named.ok) return refuse(named.code, named.msg);
  const { order, at } = named;
  // `0` removes a trigger, take-profit or stop-loss.
  for (const p of ['qty', 'price', 'triggerPrice', 'takeProfit', 'stopLoss', 'tpLimitPrice', 'slLimitPrice'])
    if (
      o[p] !== undefined &&
      amount(o[p]) === undefined &&
      !(p !== 'qty' && p !== 'price' && Number(o[p]) === 0)
    )
      return paramError(`${p} invalid`);
  const qty = o.qty === undefined ? order.quantity - order.filled : amount(o.qty);
  const price = o.price === undefined ? order.price : amount(o.price);
  if (qty === undefined || price === undefined) return paramError('qty or price invalid');
  const market = ctx.engine.market(order.symbol);
  if (market) {
    const limited = priceLimit(order.side, price, market, at.category === 'spot');
    if (limited) return limited;
  }
  const link = linkOf(ctx.engine, order);
  ctx.engine.cancelOrder(key.account, { id: order.id });
  const placed = ctx.engine.placeOrder({
    account: key.account,
    symbol: order.symbol,
    side: order.side,
    type: 'limit',
    quantity: qty,
    price,
  });
  if (!placed.ok) return refuse(engineCode(placed.error), placed.error.message);
  const a = amendedOf(ctx.engine);
  a.ids.set(order.id, placed.value.id);
  if (link) a.links.set(placed.value.id, link);
  return { ok: true as const, id: textField(o, 'orderId') ?? order.id, link };
}

function cancelOne(o: Fields, category: unknown, key: SandboxKey, ctx: SandboxContext) {
  const named = namedOrder(o, category, key, ctx);
  if (named.ok) {
    ctx.engine.cancelOrder(key.account, { id: named.order.id });
    return { ok: true as const, id: named.order.id, link: linkOf(ctx.engine, named.order) };
  }
  if (!('at' in named)) return refuse(named.code, named.msg);
  const held = heldOf(ctx.engine);
  const i = held.findIndex(
    (h) =>
      h.account === key.account &&
      h.symbol === named.at.market.symbol &&
      (h.id === named.id || (named.link !== undefined && h.link === named.link)),
  );
  const found = held[i];
  if (!found) return refuse(170213, 'Order does not exist.');
  held.splice(i, 1);
  return { ok: true as const, id: found.id, link: found.link ?? '' };
}

type One = (
  o: Fields,
  category: unknown,
  key: SandboxKey,
  ctx: SandboxContext,
) => { ok: true; id: string; link: string } | Refusal;

/** A batch: each item on its own (per-item codes in retExtInfo), the category the top-level one. */
function batch(
  f: Fields,
  one: One,
  key: SandboxKey,
  ctx: SandboxContext,
  itemParams: ReadonlySet<string>,
  now: number,
) {
  const items = f.request;
  if (!Array.isArray(items) || items.length === 0)
    return bybitError(10001, 'params error: request is empty', now);
  const max = f.category === 'spot' ? 10 : 20;
  if (items.length > max) return bybitError(10001, `params error: at most ${max} orders per batch`, now);
  for (const item of items) {
    if (!isRecord(item)) return bybitError(10001, 'params error: request items must be objects', now);
    const extra = unread(item, itemParams);
    if (extra !== undefined)
      return bybitError(10001, `params error: ${extra} is not a parameter of a batch item`, now);
  }
  const list: Fields[] = [];
  const codes: Fields[] = [];
  for (const item of items as Fields[]) {
    const r = one(item, f.category, key, ctx);
    list.push({
      category: f.category,
      symbol: textField(item, 'symbol') ?? '',
      orderId: r.ok ? r.id : '',
      orderLinkId: r.ok ? r.link : '',
      createAt: String(now),
    });
    codes.push(r.ok ? { code: 0, msg: 'OK' } : { code: r.code, msg: r.msg });
  }
  return json(200, { retCode: 0, retMsg: 'OK', result: { list }, retExtInfo: { list: codes }, time: now });
}

function single(r: { ok: true; id: string; link: string } | Refusal, now: number): ExchangeResponse {
  return r.ok ? ok({ orderId: r.id, orderLinkId: r.link }, now) : bybitError(r.code, r.msg, now);
}

function heldShape(h: HeldOrder): Record<string, string | number | boolean> {
  return {
    orderId: h.id,
    orderLinkId: h.link ?? '',
    symbol: bybitMarketId(h.symbol),
    price: h.price === undefined ? '0' : decimal(h.price),
    qty: decimal(h.qty),
    side: cap(h.side),
    orderStatus: 'Untriggered',
    orderType: cap(h.type),
    triggerPrice: decimal(h.triggerPrice),
    stopOrderType: 'Stop',
    leavesQty: decimal(h.qty),
    cumExecQty: '0',
    createdTime: String(h.at),
    updatedTime: String(h.at),
  };
}

/** The order, position and margin endpoints: strict parameters first, as Bybit reads them. */
function orderRoute(
  route: string,
  f: Fields,
  key: SandboxKey,
  ctx: SandboxContext,
): ExchangeResponse | undefined {
  const now = ctx.clock.now();
  const allowed = PARAMS[route];
  if (allowed) {
    const extra = unread(f, allowed);
    if (extra !== undefined)
      return bybitError(10001, `params error: ${extra} is not a parameter of this endpoint`, now);
  }
  const category = f.category;
  switch (route) {
    case 'POST /v5/order/create':
      return single(placeOne(f, category, key, ctx), now);
    case 'POST /v5/order/amend':
      return single(amendOne(f, category, key, ctx), now);
    case 'POST /v5/order/cancel': {
      if (f.orderFilter !== undefined && category !== 'spot')
        return bybitError(10001, 'params error: orderFilter', now);
      return single(cancelOne(f, category, key, ctx), now);
    }
    case 'POST /v5/order/create-batch':
    case 'POST /v5/order/amend-batch':
    case 'POST /v5/order/cancel-batch': {
      const one =
        { 'POST /v5/order/create-batch': placeOne, 'POST /v5/order/amend-batch': amendOne }[
          route as string
        ] ?? cancelOne;
      return batch(f, one, key, ctx, ITEM_PARAMS[route] ?? new Set(), now);
    }
    case 'POST /v5/order/cancel-all': {
      // Without a symbol: every open order of the category (Bybit's default `orderFilter=Order`).
      if (category !== 'spot' && category !== 'linear')
        return bybitError(10001, 'params error: the sandbox emulates category spot and linear', now);
      const raw = textField(f, 'symbol');
      const symbol = raw === undefined ? undefined : bybitSymbol(raw, category);
      if (raw !== undefined && symbol === undefined)
        return bybitError(10001, 'params error: symbol invalid', now);
      const inCategory = (s: string) => s.includes(':') === (category === 'linear');
      const list = [];
      for (const o of ctx.engine.openOrders(key.account, symbol)) {
        if (!inCategory(o.symbol)) continue;
        const canceled = ctx.engine.cancelOrder(key.account, { id: o.id });
        if (canceled.ok) list.push({ orderId: o.id, orderLinkId: linkOf(ctx.engine, o) });
      }
      return ok({ list, success: '1' }, now);
    }
    case 'POST /v5/position/set-leverage': {
      const at = located(f, category, ctx);
      if ('ok' in at) return bybitError(at.code, at.msg, now);
      if (at.category !== 'linear') return bybitError(10001, 'params error: category invalid', now);
      const lev = [amount(f.buyLeverage), amount(f.sellLeverage)];
      if (lev.some((l) => l === undefined || l < 1 || l > 100))
        return bybitError(10001, 'params error: leverage invalid', now);
      return ok({}, now);
    }
    case 'POST /v5/account/set-margin-mode': {
      const mode = textField(f, 'setMarginMode');
      if (mode !== 'ISOLATED_MARGIN' && mode !== 'REGULAR_MARGIN' && mode !== 'PORTFOLIO_MARGIN')
        return bybitError(10001, 'params error: setMarginMode invalid', now);
      return ok({ reasons: [] }, now);
    }
    default:
      return undefined;
  }
}

function privateRoute(req: SandboxRequest, key: SandboxKey, ctx: SandboxContext, f: Record<string, unknown>) {
  const now = ctx.clock.now();
  const { engine } = ctx;
  const symbolOf = () => {
    const raw = textField(f, 'symbol');
    return raw === undefined ? undefined : bybitSymbol(raw, textField(f, 'category') ?? 'spot');
  };
  const route = `${req.method} ${req.path}`;
  const routed = orderRoute(route, f, key, ctx);
  if (routed) return routed;
  switch (route) {
    case 'GET /v5/user/query-api': {
      const wallet: string[] = [];
      if (key.permissions.transfer) wallet.push('AccountTransfer');
      if (key.permissions.withdraw) wallet.push('Withdraw');
      const readOnly = key.permissions.trade || key.permissions.withdraw ? 0 : 1;
      return ok(
        {
          id: '13770661',
          note: key.name,
          apiKey: key.credential.apiKey,
          readOnly,
          secret: '',
          permissions: {
            ContractTrade: key.permissions.trade ? ['Order', 'Position'] : [],
            Spot: key.permissions.trade ? ['SpotTrade'] : [],
            Wallet: wallet,
            Options: [],
            Derivatives: [],
            Exchange: [],
            Earn: [],
            NFT: [],
            CopyTrading: [],
            BlockTrade: [],
            Affiliate: [],
          },
          ips: key.ipAllow ?? ['*'],
          type: 1,
          deadlineDay: 90,
          expiredAt: '',
          createdAt: '2024-01-01T00:00:00Z',
          unified: 0,
          uta: 1,
          userID: 24617703,
          inviterID: 0,
          vipLevel: 'No VIP',
          mktMakerLevel: '0',
          affiliateID: 0,
          rsaPublicKey: '',
          isMaster: true,
          parentUid: '0',
          kycLevel: 'LEVEL_DEFAULT',
          kycRegion: '',
        },
        now,
      );
    }
    case 'GET /v5/account/info':
      return ok(
        {
          marginMode: 'REGULAR_MARGIN',
          updatedTime: String(now),
          unifiedMarginStatus: 6,
          dcpStatus: 'OFF',
          timeWindow: 10,
          smpGroup: 0,
          isMasterTrader: false,
          spotHedgingStatus: 'OFF',
        },
        now,
      );
    case 'GET /v5/asset/coin/query-info': {
      const rows = marketAssets(engine).map((coin) => ({
        name: coin,
        coin,
        remainAmount: '1000000',
        chains: [
          {
            chainType: coin,
            confirmation: '1',
            withdrawFee: '0',
            depositMin: '0',
            withdrawMin: '0.0001',
            chain: coin === 'USDT' ? 'TRX' : coin,
            chainDeposit: '1',
            chainWithdraw: '1',
            minAccuracy: '8',
            withdrawPercentageFee: '0',
            contractAddress: '',
          },
        ],
      }));
      return ok({ rows }, now);
    }
    case 'GET /v5/account/wallet-balance': {
      const only = textField(f, 'coin')?.split(',');
      const coin = [...engine.balances(key.account).entries()]
        .filter(([c]) => !only || only.includes(c))
        .map(([c, b]) => ({
          coin: c,
          equity: decimal(b.free + b.locked),
          walletBalance: decimal(b.free + b.locked),
          locked: decimal(b.locked),
          free: decimal(b.free),
          availableToWithdraw: decimal(b.free),
          usdValue: '0',
          borrowAmount: '0',
          accruedInterest: '0',
          totalOrderIM: '0',
          totalPositionIM: '0',
          unrealisedPnl: '0',
          cumRealisedPnl: '0',
        }));
      return ok(
        { list: [{ accountType: textField(f, 'accountType') ?? 'UNIFIED', totalEquity: '0', coin }] },
        now,
      );
    }
    case 'GET /v5/order/realtime':
    case 'GET /v5/order/history': {
      const symbol = symbolOf();
      const category = textField(f, 'category') ?? 'spot';
      const asked = textField(f, 'orderId');
      const orderId = asked === undefined ? undefined : currentId(engine, asked);
      const link = textField(f, 'orderLinkId');
      const open = req.path === '/v5/order/realtime';
      const mine = (o: { id: string; link?: string | undefined; symbol: string }) =>
        (orderId === undefined || o.id === orderId) &&
        (link === undefined || o.link === link) &&
        o.symbol.includes(':') === (category === 'linear');
      const list = (open ? engine.openOrders(key.account, symbol) : engine.closedOrders(key.account, symbol))
        .filter((o) => mine({ id: o.id, link: linkOf(engine, o), symbol: o.symbol }))
        .map((o) => orderShape(o, linkOf(engine, o)))
        .reverse();
      const held = open
        ? heldOf(engine)
            .filter(
              (h) => h.account === key.account && (symbol === undefined || h.symbol === symbol) && mine(h),
            )
            .map(heldShape)
        : [];
      return ok({ category, list: [...held, ...list], nextPageCursor: '' }, now);
    }
    case 'GET /v5/execution/list': {
      const list = engine
        .trades(key.account, symbolOf())
        .map((t) => execShape(t, engine.order(key.account, { id: t.orderId })))
        .reverse();
      return ok({ category: textField(f, 'category') ?? 'spot', list, nextPageCursor: '' }, now);
    }
    case 'POST /v5/asset/withdraw/create': {
      const coin = textField(f, 'coin');
      const amount = toNumber(textField(f, 'amount'));
      const address = textField(f, 'address');
      if (!coin || amount === undefined || !address || textField(f, 'timestamp') === undefined) {
        return bybitError(10001, 'params error: coin, amount, address and timestamp are required', now);
      }
      const chain = textField(f, 'chain');
      const tag = textField(f, 'tag');
      const w = engine.withdraw({
        account: key.account,
        coin,
        amount,
        address,
        ...(chain ? { network: chain } : {}),
        ...(tag ? { tag } : {}),
      });
      if (!w.ok) return bybitError(131212, w.error.message, now);
      return ok({ id: w.value.id }, now);
    }
    case 'GET /v5/asset/withdraw/query-record':
      return ok(
        {
          rows: engine.withdrawals(key.account).map((w) => ({
            coin: w.coin,
            chain: w.network ?? '',
            amount: decimal(w.amount),
            txID: `tx${w.id}`,
            status: 'success',
            toAddress: w.address,
            tag: w.tag ?? '',
            withdrawFee: '0',
            createTime: String(w.at),
            updateTime: String(w.at),
            withdrawId: w.id,
            withdrawType: 0,
          })),
          nextPageCursor: '',
        },
        now,
      );
    default:
      return json(404, { retCode: 10001, retMsg: 'Path not found', result: {}, retExtInfo: {}, time: now });
  }
}

function handle(req: SandboxRequest, ctx: SandboxContext): ExchangeResponse {
  const now = ctx.clock.now();
  const q = parseParams(req.query);
  if (!q.ok) return bybitError(10001, q.message, now);
  const pub = publicRoute(req, ctx, q.params);
  if (pub) return pub;
  if (!req.path.startsWith('/v5/')) return bybitError(10001, 'Path not found', now, 404);

  const admitted = admitKey(req, ctx, {
    header: 'x-bapi-api-key',
    missingKey: () => bybitError(10003, 'API key is invalid.', now, 401),
    unknownKey: () => bybitError(10003, 'API key is invalid.', now),
    verify(key) {
      const failure = bybitVerify(req, key.verifySecret, now);
      return failure && bybitError(failure.retCode, failure.retMsg, now);
    },
    ipRefused: () => bybitError(10010, "Unmatched IP, please check your API key's bound IP addresses.", now),
    need: needs(req.path, req.method),
    denied: () => bybitError(10005, 'Permission denied, please check your API key permissions.', now),
  });
  if (!admitted.ok) return admitted.response;
  let fields: Record<string, unknown> = Object.fromEntries(q.params);
  // Bybit reads a POST's parameters from its signed JSON body only.
  if (req.method !== 'GET' && req.query !== '')
    return bybitError(10001, 'params error: query parameters are not read on POST', now);
  if (req.method !== 'GET' && req.body !== '') {
    const parsed = parseStrictJson(req.body);
    if (!parsed.ok || !isRecord(parsed.value))
      return bybitError(10001, 'request body is not a valid JSON object', now);
    fields = parsed.value;
  }
  return privateRoute(req, admitted.key, ctx, fields);
}

function issueKey(): IssuedKey {
  // Bybit's system-generated keys: 18-character key, 36-character secret, both alphanumeric.
  const apiKey = randomToken(18);
  const secret = randomToken(36);
  return { credential: { apiKey, secret }, verifySecret: secret };
}

export const bybitEmulator = { ...standardEmulator('bybit', issueKey, handle), ws: bybitWsEmulator };
