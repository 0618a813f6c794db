/**
 * The Binance sandbox's trading endpoints, as strict as Binance: every parameter is read or
 * refused (-1104 "Not all sent parameters were read", -1106 "Parameter '%s' sent when not
 * required", -1102 mandatory, -1100 illegal characters), limit prices pass a
 * PERCENT_PRICE_BY_SIDE filter, and stop, OCO, cancel-replace, amend and convert requests
 * execute as Binance executes them. This table is the emulator's own reading of Binance's
 * docs, independent of the gateway's schemas: keywarden must refuse first, never rely on it.
 */
import type { Result } from '../core/index.js';
import { BINANCE_ORDER_TYPES, binanceMarketId } from '../exchanges/binance/index.js';
import type { ExchangeResponse } from '../exchanges/index.js';
import { getParam, type Params } from '../exchanges/index.js';
import { json, type SandboxContext, type SandboxKey } from './emulator.js';
import type { Engine, EngineError, Market, Order } from './engine.js';
import { perEngine } from './engine-state.js';

export function err(status: number, code: number, msg: string): ExchangeResponse {
  return json(status, { code, msg });
}

export function fmt(n: number): string {
  return n.toFixed(8);
}

/** PERCENT_PRICE_BY_SIDE multipliers of every sandbox symbol (Binance's common spot values). */
export const PERCENT_PRICE = {
  bidMultiplierUp: 5,
  bidMultiplierDown: 0.2,
  askMultiplierUp: 5,
  askMultiplierDown: 0.2,
};

const ORDER_TYPES = BINANCE_ORDER_TYPES;
type OrderType = (typeof ORDER_TYPES)[number];

/** The order parameters Binance reads for each type (rest-api.md "New order" table). */
const TYPE_PARAMS: Record<OrderType, string[]> = {
  LIMIT: ['timeInForce', 'quantity', 'price', 'icebergQty'],
  MARKET: ['quantity', 'quoteOrderQty'],
  STOP_LOSS: ['quantity', 'stopPrice', 'trailingDelta'],
  TAKE_PROFIT: ['quantity', 'stopPrice', 'trailingDelta'],
  STOP_LOSS_LIMIT: ['timeInForce', 'quantity', 'price', 'stopPrice', 'trailingDelta', 'icebergQty'],
  TAKE_PROFIT_LIMIT: ['timeInForce', 'quantity', 'price', 'stopPrice', 'trailingDelta', 'icebergQty'],
  LIMIT_MAKER: ['quantity', 'price', 'icebergQty'],
};
const AUTH = ['timestamp', 'recvWindow', 'signature'];
const ORDER_COMMON = [
  'symbol',
  'side',
  'type',
  'newClientOrderId',
  'newOrderRespType',
  'selfTradePreventionMode',
  'strategyId',
  'strategyType',
  ...AUTH,
];
const ALL_ORDER_PARAMS = new Set([...ORDER_COMMON, ...Object.values(TYPE_PARAMS).flat()]);
const DECIMAL = /^([0-9]{1,20})(\.[0-9]{1,20})?$/;
const DECIMAL_PARAMS = new Set([
  'quantity',
  'quoteOrderQty',
  'price',
  'stopPrice',
  'icebergQty',
  'newQty',
  'stopLimitPrice',
  'limitIcebergQty',
  'stopIcebergQty',
  'fromAmount',
  'toAmount',
  'abovePrice',
  'aboveStopPrice',
  'belowPrice',
  'belowStopPrice',
]);

/** -1104 for a parameter no variant of the endpoint reads, -1106 for one this variant does not use. */
function unread(p: Params, reads: Set<string>, known: Set<string> = reads): ExchangeResponse | undefined {
  const extra = p.filter(([k]) => !reads.has(k)).map(([k]) => k);
  const first = extra[0];
  if (first === undefined) return undefined;
  if (known.has(first)) return err(400, -1106, `Parameter '${first}' sent when not required.`);
  return err(
    400,
    -1104,
    `Not all sent parameters were read; read '${p.length - extra.length}' parameter(s) but was sent '${p.length}'.`,
  );
}

function malformed(p: Params): ExchangeResponse | undefined {
  for (const [k, v] of p) {
    if ((DECIMAL_PARAMS.has(k) || k.endsWith('Quantity') || k.endsWith('Price')) && !DECIMAL.test(v))
      return err(
        400,
        -1100,
        `Illegal characters found in parameter '${k}'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'.`,
      );
  }
  return undefined;
}

const mandatory = (name: string) =>
  err(400, -1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`);

const num = (p: Params, name: string) => {
  const v = getParam(p, name);
  return v === undefined ? undefined : Number(v);
};

export function marketById(engine: Engine, id: string | undefined): Market | undefined {
  if (id === undefined) return undefined;
  return engine.markets().find((m) => binanceMarketId(m.symbol) === id.toUpperCase());
}

export function engineError(e: EngineError, cancel = false): ExchangeResponse {
  switch (e.code) {
    case 'unknown_symbol':
      return err(400, -1121, 'Invalid symbol.');
    case 'invalid_quantity':
      return err(400, -1013, 'Invalid quantity.');
    case 'invalid_price':
      return err(400, -1013, 'Invalid price.');
    case 'insufficient_balance':
      return err(400, -2010, 'Account has insufficient balance for requested action.');
    case 'order_not_found':
      return cancel ? err(400, -2011, 'Unknown order sent.') : err(400, -2013, 'Order does not exist.');
    case 'duplicate_client_order_id':
      return err(400, -2010, 'Duplicate order sent.');
  }
}

/** A stop order Binance holds until its trigger: the engine has no stops, so the emulator keeps it. */
interface PendingStop {
  id: string;
  account: string;
  market: Market;
  side: 'buy' | 'sell';
  type: OrderType;
  quantity: number;
  price?: number;
  stopPrice?: number;
  clientOrderId?: string;
  /** The other leg of its OCO, cancelled when this one triggers. */
  sibling?: string;
  createdAt: number;
}

interface Quote {
  account: string;
  from: string;
  to: string;
  fromAmount: number;
  toAmount: number;
  market: Market;
  expiresAt: number;
}

interface State {
  stops: PendingStop[];
  quotes: Map<string, Quote>;
  seq: number;
}

const state = perEngine<State>(() => ({ stops: [], quotes: new Map(), seq: 7_000_000 }));

/** STOP_LOSS sells (TAKE_PROFIT buys) trigger at or below the stop; the others at or above it. */
function triggered(stop: PendingStop, price: number): boolean {
  const down = (stop.side === 'sell') === stop.type.startsWith('STOP_LOSS');
  const at = stop.stopPrice ?? Number.NaN;
  return down ? price <= at : price >= at;
}

/** Fire every stop whose trigger the market has reached; cancel the OCO sibling of each one that fires. */
export function runStops(engine: Engine): void {
  const s = state(engine);
  for (const stop of [...s.stops]) {
    if (stop.stopPrice === undefined || !triggered(stop, stop.market.price)) continue;
    s.stops = s.stops.filter((x) => x !== stop);
    if (stop.sibling) engine.cancelOrder(stop.account, { id: stop.sibling });
    const limit = stop.type.endsWith('_LIMIT');
    engine.placeOrder({
      account: stop.account,
      symbol: stop.market.symbol,
      side: stop.side,
      type: limit ? 'limit' : 'market',
      quantity: stop.quantity,
      ...(limit && stop.price !== undefined ? { price: stop.price } : {}),
    });
  }
  // An OCO's limit leg that filled cancels its stop leg.
  s.stops = s.stops.filter((stop) => {
    if (!stop.sibling) return true;
    const o = engine.order(stop.account, { id: stop.sibling });
    return o?.status === 'open';
  });
}

function percentPrice(side: 'buy' | 'sell', price: number, m: Market): ExchangeResponse | undefined {
  const up = side === 'buy' ? PERCENT_PRICE.bidMultiplierUp : PERCENT_PRICE.askMultiplierUp;
  const down = side === 'buy' ? PERCENT_PRICE.bidMultiplierDown : PERCENT_PRICE.askMultiplierDown;
  if (price > m.price * up || price < m.price * down)
    return err(400, -1013, 'Filter failure: PERCENT_PRICE_BY_SIDE');
  return undefined;
}

/** One order read from its own (possibly prefixed) names: validated, not yet placed. */
interface OrderSpec {
  market: Market;
  side: 'buy' | 'sell';
  type: OrderType;
  quantity?: number;
  quoteQuantity?: number;
  price?: number;
  stopPrice?: number;
  trailing: boolean;
  clientOrderId?: string;
}

/** A refusal is Binance's own error answer, ready to send. */
type Read = Result<OrderSpec, ExchangeResponse>;

/**
 * Read one order. `names` maps a field (`price`) to the parameter that carries it; `shared`
 * are parameters that the endpoint reads besides the order's own.
 */
function readOrder(
  engine: Engine,
  p: Params,
  names: (f: string) => string,
  type: string | undefined,
  /** Refuse another type's fields (off for legacy OCO's limit leg, which shares the request with its stop leg). */
  crossCheck = true,
): Read {
  const fail = (response: ExchangeResponse): Read => ({ ok: false, error: response });
  const m = marketById(engine, getParam(p, 'symbol'));
  if (!m) return fail(err(400, -1121, 'Invalid symbol.'));
  const side = getParam(p, names('side'));
  if (side !== 'BUY' && side !== 'SELL') return fail(mandatory(names('side')));
  if (!(ORDER_TYPES as readonly string[]).includes(type ?? ''))
    return fail(err(400, -1116, 'Invalid orderType.'));
  const t = type as OrderType;
  const reads = TYPE_PARAMS[t];
  const has = (f: string) => getParam(p, names(f)) !== undefined;
  // Parameters of another type: "sent when not required".
  for (const f of [
    'timeInForce',
    'quantity',
    'quoteOrderQty',
    'price',
    'stopPrice',
    'trailingDelta',
    'icebergQty',
  ])
    if (crossCheck && has(f) && !reads.includes(f))
      return fail(err(400, -1106, `Parameter '${names(f)}' sent when not required.`));
  if (t === 'MARKET') {
    if (has('quantity') && has('quoteOrderQty'))
      return fail(err(400, -1106, `Parameter '${names('quoteOrderQty')}' sent when not required.`));
    if (!has('quantity') && !has('quoteOrderQty')) return fail(mandatory(names('quantity')));
  } else if (!has('quantity')) return fail(mandatory(names('quantity')));
  if (reads.includes('price') && !has('price')) return fail(mandatory(names('price')));
  if (reads.includes('timeInForce') && !has('timeInForce')) return fail(mandatory(names('timeInForce')));
  if (reads.includes('stopPrice') && !has('stopPrice') && !has('trailingDelta'))
    return fail(mandatory(names('stopPrice')));
  const spec: OrderSpec = {
    market: m,
    side: side === 'BUY' ? 'buy' : 'sell',
    type: t,
    trailing: has('trailingDelta'),
  };
  const q = num(p, names('quantity'));
  const qq = num(p, names('quoteOrderQty'));
  const price = num(p, names('price'));
  const stop = num(p, names('stopPrice'));
  const cid = getParam(p, names('clientOrderId'));
  if (q !== undefined) spec.quantity = q;
  if (qq !== undefined) spec.quoteQuantity = qq;
  if (price !== undefined) spec.price = price;
  const stopped = reads.includes('stopPrice') && stop !== undefined;
  if (stopped) spec.stopPrice = stop;
  if (cid !== undefined) spec.clientOrderId = cid;
  if (price !== undefined) {
    const bad = percentPrice(spec.side, price, m);
    if (bad) return fail(bad);
  }
  if (
    stopped &&
    triggered({ ...spec, id: '', account: '', quantity: 0, createdAt: 0, stopPrice: stop }, m.price)
  )
    return fail(err(400, -2010, 'Order would trigger immediately.'));
  if (
    t === 'LIMIT_MAKER' &&
    price !== undefined &&
    (spec.side === 'buy' ? price >= m.price : price <= m.price)
  )
    return fail(err(400, -2010, 'Order would immediately match and take.'));
  return { ok: true, value: spec };
}

type Placed = Result<Order | PendingStop, ExchangeResponse>;

function place(ctx: SandboxContext, key: SandboxKey, spec: OrderSpec): Placed {
  const engine = ctx.engine;
  if (spec.type.startsWith('STOP_LOSS') || spec.type.startsWith('TAKE_PROFIT')) {
    const s = state(engine);
    const stop: PendingStop = {
      id: String(++s.seq),
      account: key.account,
      market: spec.market,
      side: spec.side,
      type: spec.type,
      quantity: spec.quantity ?? 0,
      createdAt: ctx.clock.now(),
      ...(spec.price !== undefined ? { price: spec.price } : {}),
      ...(spec.stopPrice !== undefined ? { stopPrice: spec.stopPrice } : {}),
      ...(spec.clientOrderId !== undefined ? { clientOrderId: spec.clientOrderId } : {}),
    };
    s.stops.push(stop);
    return { ok: true, value: stop };
  }
  const market = spec.type === 'MARKET';
  const r = engine.placeOrder({
    account: key.account,
    symbol: spec.market.symbol,
    side: spec.side,
    type: market ? 'market' : 'limit',
    ...(spec.quantity !== undefined ? { quantity: spec.quantity } : {}),
    ...(spec.quoteQuantity !== undefined ? { quoteQuantity: spec.quoteQuantity } : {}),
    ...(!market && spec.price !== undefined ? { price: spec.price } : {}),
    ...(spec.clientOrderId !== undefined ? { clientOrderId: spec.clientOrderId } : {}),
  });
  return r.ok ? r : { ok: false, error: engineError(r.error) };
}

const STATUS: Record<Order['status'], string> = { open: 'NEW', filled: 'FILLED', canceled: 'CANCELED' };

export function orderJson(o: Order) {
  return {
    symbol: binanceMarketId(o.symbol),
    orderId: Number(o.id),
    orderListId: -1,
    clientOrderId: o.clientOrderId ?? `sandbox${o.id}`,
    price: fmt(o.price ?? 0),
    origQty: fmt(o.quantity),
    executedQty: fmt(o.filled),
    cummulativeQuoteQty: fmt(o.filled * (o.averagePrice ?? 0)),
    status: STATUS[o.status],
    timeInForce: 'GTC',
    type: o.type.toUpperCase(),
    side: o.side.toUpperCase(),
    stopPrice: fmt(0),
    icebergQty: fmt(0),
    time: o.createdAt,
    updateTime: o.updatedAt,
    isWorking: true,
    workingTime: o.createdAt,
    origQuoteOrderQty: fmt(0),
    selfTradePreventionMode: 'EXPIRE_MAKER',
  };
}

function placedJson(ctx: SandboxContext, key: SandboxKey, placed: Order | PendingStop) {
  if ('market' in placed) {
    return {
      symbol: binanceMarketId(placed.market.symbol),
      orderId: Number(placed.id),
      orderListId: -1,
      clientOrderId: placed.clientOrderId ?? `sandbox${placed.id}`,
      transactTime: placed.createdAt,
      price: fmt(placed.price ?? 0),
      origQty: fmt(placed.quantity),
      executedQty: fmt(0),
      cummulativeQuoteQty: fmt(0),
      status: 'NEW',
      timeInForce: 'GTC',
      type: placed.type,
      side: placed.side.toUpperCase(),
      stopPrice: fmt(placed.stopPrice ?? 0),
      workingTime: -1,
      fills: [],
      selfTradePreventionMode: 'EXPIRE_MAKER',
    };
  }
  const fills = ctx.engine
    .trades(key.account, placed.symbol)
    .filter((t) => t.orderId === placed.id)
    .map((t) => ({
      price: fmt(t.price),
      qty: fmt(t.quantity),
      commission: fmt(t.fee),
      commissionAsset: t.feeCurrency,
      tradeId: Number(t.id),
    }));
  const {
    time: _t,
    updateTime: _u,
    isWorking: _w,
    stopPrice: _s,
    icebergQty: _i,
    ...base
  } = orderJson(placed);
  return { ...base, transactTime: placed.createdAt, fills };
}

const single = (f: string) => (f === 'clientOrderId' ? 'newClientOrderId' : f);

/** POST /api/v3/order (and /order/test, /sapi/v1/margin/order with `extra` margin parameters). */
export function newOrder(
  p: Params,
  key: SandboxKey,
  ctx: SandboxContext,
  opts: { test?: boolean; extra?: string[] } = {},
): ExchangeResponse {
  const type = getParam(p, 'type');
  const reads = new Set([...ORDER_COMMON, ...(opts.extra ?? [])]);
  for (const f of TYPE_PARAMS[type as OrderType] ?? []) reads.add(f);
  const refused = unread(p, reads, new Set([...ALL_ORDER_PARAMS, ...(opts.extra ?? [])])) ?? malformed(p);
  if (refused) return refused;
  const r = readOrder(ctx.engine, p, single, type);
  if (!r.ok) return r.error;
  if (opts.test) return json(200, {});
  const placed = place(ctx, key, r.value);
  return placed.ok ? json(200, placedJson(ctx, key, placed.value)) : placed.error;
}

const LEG_FIELDS = [
  'type',
  'price',
  'stopPrice',
  'trailingDelta',
  'timeInForce',
  'icebergQty',
  'clientOrderId',
  'strategyId',
  'strategyType',
];
const legName = (prefix: string) => (f: string) =>
  f === 'side' || f === 'quantity' ? f : `${prefix}${f[0]?.toUpperCase() ?? ''}${f.slice(1)}`;
const OCO_READS = new Set([
  'symbol',
  'side',
  'quantity',
  'listClientOrderId',
  'newOrderRespType',
  'selfTradePreventionMode',
  ...AUTH,
  ...LEG_FIELDS.map(legName('above')),
  ...LEG_FIELDS.map(legName('below')),
]);

/** An OCO of two specs: limit legs rest in the engine, stop legs wait here; either one cancels the other. */
function placeOco(
  ctx: SandboxContext,
  key: SandboxKey,
  specs: OrderSpec[],
  listClientOrderId: string | undefined,
) {
  const placed: Array<Order | PendingStop> = [];
  for (const spec of specs) {
    const r = place(ctx, key, spec);
    if (!r.ok) {
      for (const o of placed) cancelAny(ctx.engine, key.account, o.id);
      return r.error;
    }
    placed.push(r.value);
  }
  const [a, b] = placed;
  if (a && b) {
    if ('market' in a && !('market' in b)) a.sibling = b.id;
    if ('market' in b && !('market' in a)) b.sibling = a.id;
  }
  const s = state(ctx.engine);
  const listId = ++s.seq;
  const symbol = binanceMarketId(specs[0]?.market.symbol ?? '');
  return json(200, {
    orderListId: listId,
    contingencyType: 'OCO',
    listStatusType: 'EXEC_STARTED',
    listOrderStatus: 'EXECUTING',
    listClientOrderId: listClientOrderId ?? `sandboxlist${listId}`,
    transactionTime: ctx.clock.now(),
    symbol,
    orders: placed.map((o) => ({
      symbol,
      orderId: Number(o.id),
      clientOrderId: o.clientOrderId ?? `sandbox${o.id}`,
    })),
    orderReports: placed.map((o) => placedJson(ctx, key, o)),
  });
}

function cancelAny(engine: Engine, account: string, id: string): void {
  const s = state(engine);
  s.stops = s.stops.filter((x) => !(x.id === id && x.account === account));
  engine.cancelOrder(account, { id });
}

/** POST /api/v3/orderList/oco: an above and a below leg sharing side and quantity. */
export function orderListOco(p: Params, key: SandboxKey, ctx: SandboxContext): ExchangeResponse {
  const refused = unread(p, OCO_READS) ?? malformed(p);
  if (refused) return refused;
  const specs: OrderSpec[] = [];
  for (const prefix of ['above', 'below']) {
    const names = legName(prefix);
    const type = getParam(p, names('type'));
    if (
      !['STOP_LOSS_LIMIT', 'STOP_LOSS', 'LIMIT_MAKER', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'].includes(
        type ?? '',
      )
    )
      return err(400, -1116, 'Invalid orderType.');
    const r = readOrder(ctx.engine, p, names, type);
    if (!r.ok) return r.error;
    specs.push(r.value);
  }
  return placeOco(ctx, key, specs, getParam(p, 'listClientOrderId'));
}

const LEGACY_OCO_READS = new Set([
  'symbol',
  'side',
  'quantity',
  'price',
  'stopPrice',
  'stopLimitPrice',
  'stopLimitTimeInForce',
  'trailingDelta',
  'listClientOrderId',
  'limitClientOrderId',
  'limitStrategyId',
  'limitStrategyType',
  'limitIcebergQty',
  'stopClientOrderId',
  'stopStrategyId',
  'stopStrategyType',
  'stopIcebergQty',
  'newOrderRespType',
  'selfTradePreventionMode',
  ...AUTH,
]);

/** POST /api/v3/order/oco (deprecated): a LIMIT_MAKER leg at `price`, a stop leg at `stopPrice` (limit at `stopLimitPrice`). */
export function legacyOco(p: Params, key: SandboxKey, ctx: SandboxContext): ExchangeResponse {
  const refused = unread(p, LEGACY_OCO_READS) ?? malformed(p);
  if (refused) return refused;
  const stopLimit = getParam(p, 'stopLimitPrice') !== undefined;
  if (!stopLimit && getParam(p, 'stopLimitTimeInForce') !== undefined)
    return err(400, -1106, "Parameter 'stopLimitTimeInForce' sent when not required.");
  const limitNames = (f: string) =>
    f === 'clientOrderId' ? 'limitClientOrderId' : f === 'icebergQty' ? 'limitIcebergQty' : f;
  const stopNames = (f: string) =>
    ({
      price: 'stopLimitPrice',
      timeInForce: 'stopLimitTimeInForce',
      clientOrderId: 'stopClientOrderId',
      icebergQty: 'stopIcebergQty',
    })[f] ?? f;
  const limit = readOrder(ctx.engine, p, limitNames, 'LIMIT_MAKER', false);
  if (!limit.ok) return limit.error;
  const stop = readOrder(ctx.engine, p, stopNames, stopLimit ? 'STOP_LOSS_LIMIT' : 'STOP_LOSS');
  if (!stop.ok) return stop.error;
  return placeOco(ctx, key, [limit.value, stop.value], getParam(p, 'listClientOrderId'));
}

const CANCEL_REPLACE_EXTRA = [
  'cancelReplaceMode',
  'cancelNewClientOrderId',
  'cancelOrigClientOrderId',
  'cancelOrderId',
  'cancelRestrictions',
  'orderRateLimitExceededMode',
];

/** POST /api/v3/order/cancelReplace: cancel one order, then place a new one (STOP_ON_FAILURE keeps the order on a failed cancel). */
export function cancelReplace(p: Params, key: SandboxKey, ctx: SandboxContext): ExchangeResponse {
  const type = getParam(p, 'type');
  const reads = new Set([
    ...ORDER_COMMON,
    ...CANCEL_REPLACE_EXTRA,
    ...(TYPE_PARAMS[type as OrderType] ?? []),
  ]);
  const refused = unread(p, reads, new Set([...ALL_ORDER_PARAMS, ...CANCEL_REPLACE_EXTRA])) ?? malformed(p);
  if (refused) return refused;
  const mode = getParam(p, 'cancelReplaceMode');
  if (mode !== 'STOP_ON_FAILURE' && mode !== 'ALLOW_FAILURE') return mandatory('cancelReplaceMode');
  const id = getParam(p, 'cancelOrderId');
  const cid = getParam(p, 'cancelOrigClientOrderId');
  if (id === undefined && cid === undefined) return mandatory('cancelOrderId');
  const r = readOrder(ctx.engine, p, single, type);
  if (!r.ok) return r.error;
  const cancelled = ctx.engine.cancelOrder(key.account, {
    ...(id !== undefined ? { id } : {}),
    ...(cid !== undefined ? { clientOrderId: cid } : {}),
  });
  if (!cancelled.ok && mode === 'STOP_ON_FAILURE')
    return json(400, {
      code: -2022,
      msg: 'Order cancel-replace failed.',
      data: {
        cancelResult: 'FAILURE',
        newOrderResult: 'NOT_ATTEMPTED',
        cancelResponse: { code: -2011, msg: 'Unknown order sent.' },
        newOrderResponse: null,
      },
    });
  const placed = place(ctx, key, r.value);
  const cancelResponse = cancelled.ok
    ? orderJson(cancelled.value)
    : { code: -2011, msg: 'Unknown order sent.' };
  if (!placed.ok)
    return json(cancelled.ok ? 409 : 400, {
      code: -2021,
      msg: 'Order cancel-replace partially failed.',
      data: {
        cancelResult: cancelled.ok ? 'SUCCESS' : 'FAILURE',
        newOrderResult: 'FAILURE',
        cancelResponse,
        newOrderResponse: JSON.parse(placed.error.body),
      },
    });
  return json(cancelled.ok ? 200 : 409, {
    cancelResult: cancelled.ok ? 'SUCCESS' : 'FAILURE',
    newOrderResult: 'SUCCESS',
    cancelResponse,
    newOrderResponse: placedJson(ctx, key, placed.value),
  });
}

const AMEND_READS = new Set([
  'symbol',
  'orderId',
  'origClientOrderId',
  'newClientOrderId',
  'newQty',
  ...AUTH,
]);

/**
 * PUT /api/v3/order/amend/keepPriority: lowers a resting order's quantity, keeping its place.
 * Binance only decreases (newQty must be below the order's quantity and above what filled).
 */
export function amendKeepPriority(p: Params, key: SandboxKey, ctx: SandboxContext): ExchangeResponse {
  const refused = unread(p, AMEND_READS) ?? malformed(p);
  if (refused) return refused;
  const m = marketById(ctx.engine, getParam(p, 'symbol'));
  if (!m) return err(400, -1121, 'Invalid symbol.');
  const newQty = num(p, 'newQty');
  if (newQty === undefined) return mandatory('newQty');
  const id = getParam(p, 'orderId');
  const cid = getParam(p, 'origClientOrderId');
  if (id === undefined && cid === undefined) return mandatory('orderId');
  const o = ctx.engine.order(key.account, {
    ...(id !== undefined ? { id } : {}),
    ...(cid !== undefined ? { clientOrderId: cid } : {}),
  });
  if (o?.status !== 'open' || o.symbol !== m.symbol) return err(400, -2013, 'Order does not exist.');
  if (!(newQty > o.filled && newQty < o.quantity))
    return err(400, -2038, 'Order amend (quantity increase) is not supported.');
  // Release what the removed quantity held (the engine locks quote for buys, base for sells).
  const freed = o.quantity - newQty;
  const b = ctx.engine.balances(key.account);
  const asset = o.side === 'buy' ? m.quote : m.base;
  const amount = o.side === 'buy' ? freed * (o.price ?? 0) : freed;
  const bal = b.get(asset);
  if (bal) {
    bal.locked -= amount;
    bal.free += amount;
  }
  o.quantity = newQty;
  o.updatedAt = ctx.clock.now();
  const newClientOrderId = getParam(p, 'newClientOrderId');
  if (newClientOrderId !== undefined) o.clientOrderId = newClientOrderId;
  return json(200, {
    transactTime: o.updatedAt,
    executionId: o.updatedAt,
    amendedOrder: { ...orderJson(o), origClientOrderId: cid ?? o.clientOrderId },
  });
}

const QUOTE_READS = new Set([
  'fromAsset',
  'toAsset',
  'fromAmount',
  'toAmount',
  'walletType',
  'validTime',
  ...AUTH,
]);

/** POST /sapi/v1/convert/getQuote: a ten-second quote at the market price, no fee. */
export function convertQuote(p: Params, key: SandboxKey, ctx: SandboxContext): ExchangeResponse {
  const refused = unread(p, QUOTE_READS) ?? malformed(p);
  if (refused) return refused;
  const from = getParam(p, 'fromAsset')?.toUpperCase();
  const to = getParam(p, 'toAsset')?.toUpperCase();
  if (!from || !to) return mandatory(from ? 'toAsset' : 'fromAsset');
  const fromAmount = num(p, 'fromAmount');
  const toAmount = num(p, 'toAmount');
  if ((fromAmount === undefined) === (toAmount === undefined))
    return err(400, -1102, "Mandatory parameter 'fromAmount' was not sent, was empty/null, or malformed.");
  const m = ctx.engine
    .markets()
    .find((x) => (x.base === from && x.quote === to) || (x.base === to && x.quote === from));
  if (!m) return err(400, -345233, 'The pair is not supported.');
  // ratio: `to` units per `from` unit.
  const ratio = m.base === from ? m.price : 1 / m.price;
  const f = fromAmount ?? (toAmount ?? 0) / ratio;
  const t = toAmount ?? f * ratio;
  const s = state(ctx.engine);
  const quoteId = `q${++s.seq}`;
  const validTimestamp = ctx.clock.now() + 10_000;
  s.quotes.set(quoteId, {
    account: key.account,
    from,
    to,
    fromAmount: f,
    toAmount: t,
    market: m,
    expiresAt: validTimestamp,
  });
  return json(200, {
    quoteId,
    ratio: fmt(ratio),
    inverseRatio: fmt(1 / ratio),
    validTimestamp,
    toAmount: fmt(t),
    fromAmount: fmt(f),
  });
}

/** POST /sapi/v1/convert/acceptQuote: executes the quote as a market order on its market. */
export function convertAccept(p: Params, key: SandboxKey, ctx: SandboxContext): ExchangeResponse {
  const refused = unread(p, new Set(['quoteId', ...AUTH]));
  if (refused) return refused;
  const s = state(ctx.engine);
  const id = getParam(p, 'quoteId') ?? '';
  const q = s.quotes.get(id);
  if (!q || q.account !== key.account || q.expiresAt < ctx.clock.now())
    return err(400, -345103, 'Your quote has expired. Please try again.');
  s.quotes.delete(id);
  const buy = q.market.quote === q.from;
  const r = ctx.engine.placeOrder({
    account: key.account,
    symbol: q.market.symbol,
    side: buy ? 'buy' : 'sell',
    type: 'market',
    ...(buy ? { quoteQuantity: q.fromAmount } : { quantity: q.fromAmount }),
  });
  if (!r.ok) return engineError(r.error);
  return json(200, { orderId: r.value.id, createTime: ctx.clock.now(), orderStatus: 'SUCCESS' });
}

/** The symbol filters exchangeInfo lists (what the strict sandbox enforces). */
export function symbolFilters() {
  return [
    {
      filterType: 'PRICE_FILTER',
      minPrice: '0.00000001',
      maxPrice: '1000000.00000000',
      tickSize: '0.00000001',
    },
    { filterType: 'LOT_SIZE', minQty: '0.00000001', maxQty: '9000000.00000000', stepSize: '0.00000001' },
    {
      filterType: 'NOTIONAL',
      minNotional: '0.00000001',
      applyMinToMarket: true,
      maxNotional: '9000000.00000000',
    },
    {
      filterType: 'PERCENT_PRICE_BY_SIDE',
      bidMultiplierUp: String(PERCENT_PRICE.bidMultiplierUp),
      bidMultiplierDown: String(PERCENT_PRICE.bidMultiplierDown),
      askMultiplierUp: String(PERCENT_PRICE.askMultiplierUp),
      askMultiplierDown: String(PERCENT_PRICE.askMultiplierDown),
      avgPriceMins: 5,
    },
  ];
}
