/**
 * Binance's strict request schemas: per endpoint and per order type, the exact parameters
 * Binance reads (binance-spot-api-docs rest-api.md "Trading endpoints", SAPI margin, convert,
 * wallet). A parameter Binance would read differently, or that this order type does not use,
 * is a refusal: keywarden forwards only what it understood. Order types are read first, then
 * the request is checked against the one schema for that combination of types (built once
 * and cached), and the intents are read from that parsed value.
 */
import { z } from 'zod';
import type { MarketType, Side } from '../../core/index.js';
import type { OrderIntent } from '../adapter.js';
import { convertIntent, orderIntentOf } from '../order-intent.js';
import { checkSchema, decimal, num, text } from '../request-schema.js';
import { binanceSymbol } from './symbols.js';

/** Binance's documented maximum receive window. */
export const MAX_RECV_WINDOW_MS = 60000;

/** Binance's spot order types (rest-api.md ENUM "Order types"). */
export const BINANCE_ORDER_TYPES = [
  'LIMIT',
  'MARKET',
  'STOP_LOSS',
  'STOP_LOSS_LIMIT',
  'TAKE_PROFIT',
  'TAKE_PROFIT_LIMIT',
  'LIMIT_MAKER',
] as const;
const ORDER_TYPES = BINANCE_ORDER_TYPES;
type OrderType = (typeof ORDER_TYPES)[number];

/** What each order type reads (rest-api.md "New order", "Other info" table). */
interface TypeRule {
  /** Takes a limit price (required). */
  price: boolean;
  /** Takes `stopPrice` and/or `trailingDelta` (one required). */
  stop: boolean;
  /** Takes `timeInForce` (required). */
  tif: boolean;
  iceberg: boolean;
  /** How it executes once active: a market order, or a limit order at `price`. */
  pricing: 'limit' | 'market';
}

const TYPE_RULES: Record<OrderType, TypeRule> = {
  LIMIT: { price: true, stop: false, tif: true, iceberg: true, pricing: 'limit' },
  LIMIT_MAKER: { price: true, stop: false, tif: false, iceberg: true, pricing: 'limit' },
  MARKET: { price: false, stop: false, tif: false, iceberg: false, pricing: 'market' },
  STOP_LOSS: { price: false, stop: true, tif: false, iceberg: false, pricing: 'market' },
  TAKE_PROFIT: { price: false, stop: true, tif: false, iceberg: false, pricing: 'market' },
  STOP_LOSS_LIMIT: { price: true, stop: true, tif: true, iceberg: true, pricing: 'limit' },
  TAKE_PROFIT_LIMIT: { price: true, stop: true, tif: true, iceberg: true, pricing: 'limit' },
};

const side = z.enum(['BUY', 'SELL']);
const tif = z.enum(['GTC', 'IOC', 'FOK']);
const bool = z.enum(['TRUE', 'FALSE', 'true', 'false']);
const integer = z.string().regex(/^\d{1,19}$/, 'expected an integer');
/** Binance's client order id: `^[\.A-Z\:/a-z0-9_-]{1,36}$`. */
const clientId = z.string().regex(/^[.A-Z:/a-z0-9_-]{1,36}$/, 'expected a client order id');
const symbol = z.string().regex(/^[A-Z0-9_-]{1,20}$/, 'expected a Binance symbol such as BTCUSDT');
const asset = z.string().regex(/^[A-Za-z0-9]{1,20}$/, 'expected an asset such as USDT');
const respType = z.enum(['ACK', 'RESULT', 'FULL']);
const stp = z.enum(['NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH', 'DECREMENT', 'TRANSFER']);
/** A trailing delta in basis points (Binance: 10..2000); unevaluable as a price either way. */
const trailingDelta = z.string().regex(/^\d{1,5}$/, 'expected basis points');
/** `recvWindow`: milliseconds with up to three decimals, at most Binance's 60000. */
export const recvWindow = z
  .string()
  .regex(/^\d{1,5}(?:\.\d{1,3})?$/, 'expected milliseconds')
  .refine((s) => Number(s) <= MAX_RECV_WINDOW_MS, `recvWindow must be less than ${MAX_RECV_WINDOW_MS}`);

/** The auth parameters every signed request may carry (token-mode requests carry none). */
const AUTH = {
  timestamp: z
    .string()
    .regex(/^\d{1,17}$/)
    .optional(),
  recvWindow: recvWindow.optional(),
  signature: z.string().max(700).optional(),
};

type Shape = Record<string, z.ZodType>;
type Parsed = Record<string, string | undefined>;

/** How one order of a request names its fields: the single-order names, or a list leg's prefixed ones. */
interface Leg {
  /** `` for a single order, else `above`, `below`, `working`, `pending`, `pendingAbove`, ... */
  prefix: string;
  typeField: string;
  sideField: string;
  quantityField: string;
  /** Market orders of this leg may be sized in quote (`quoteOrderQty`): single orders only. */
  quoteField?: string;
  clientIdField: string;
  types: readonly OrderType[];
  /**
   * OPO's pending orders name no quantity: Binance sizes them by what the working order
   * receives (its base quantity for a buy, quantity × price in quote for a sell).
   */
  sizedByWorking?: boolean;
}

const name = (prefix: string, field: string) =>
  prefix === '' ? field : `${prefix}${field[0]?.toUpperCase() ?? ''}${field.slice(1)}`;

function leg(prefix: string, types: readonly OrderType[], shared?: { side: string; quantity: string }): Leg {
  return {
    prefix,
    typeField: name(prefix, 'type'),
    sideField: shared?.side ?? name(prefix, 'side'),
    quantityField: shared?.quantity ?? name(prefix, 'quantity'),
    clientIdField: prefix === '' ? 'newClientOrderId' : name(prefix, 'clientOrderId'),
    types,
  };
}

/** The fields one leg of type `type` reads, each with its schema. */
function legShape(l: Leg, type: OrderType): Shape {
  const rule = TYPE_RULES[type];
  const f = (field: string) => name(l.prefix, field);
  const shape: Shape = {
    [l.typeField]: z.literal(type),
    [l.sideField]: side,
    [l.clientIdField]: clientId.optional(),
    [f('strategyId')]: integer.optional(),
    [f('strategyType')]: integer.optional(),
  };
  const quote = type === 'MARKET' && l.quoteField !== undefined;
  if (!l.sizedByWorking) shape[l.quantityField] = quote ? decimal.optional() : decimal;
  if (quote && l.quoteField) shape[l.quoteField] = decimal.optional();
  if (rule.price) shape[f('price')] = decimal;
  if (rule.tif) shape[f('timeInForce')] = tif;
  if (rule.iceberg) shape[f('icebergQty')] = decimal.optional();
  if (rule.stop) {
    shape[f('stopPrice')] = decimal.optional();
    shape[f('trailingDelta')] = trailingDelta.optional();
  }
  return shape;
}

/** One order as the policy reads it, from a leg of the parsed request. */
function legIntent(v: Parsed, l: Leg, type: OrderType, rawSymbol: string): OrderIntent {
  const rule = TYPE_RULES[type];
  const f = (field: string) => name(l.prefix, field);
  const quote = l.quoteField ? v[l.quoteField] : undefined;
  const trailing = rule.stop ? v[f('trailingDelta')] : undefined;
  const size = l.sizedByWorking
    ? workingProceeds(v)
    : { size: num(quote ?? v[l.quantityField]), sizeInQuote: quote !== undefined };
  // Literal fields, no object spread: this runs for every order request (a spread here cost ~25 µs).
  return orderIntentOf({
    rawSymbol,
    symbol: binanceSymbol(rawSymbol),
    market: 'spot',
    side: sideOf(v[l.sideField]),
    type: type.toLowerCase(),
    pricing: rule.pricing,
    price: rule.price ? num(v[f('price')]) : undefined,
    priceField: f('price'),
    size: size.size,
    sizeInQuote: size.sizeInQuote,
    otherPrices: rule.stop ? [[f('stopPrice'), num(v[f('stopPrice')])]] : [],
    unevaluable:
      trailing === undefined ? undefined : `${f('trailingDelta')} (a trailing stop) cannot be priced`,
  });
}

/** What an OPO's working order receives: base for a buy, quote (quantity × limit price) for a sell. */
function workingProceeds(v: Parsed): { size: number | undefined; sizeInQuote: boolean } {
  const qty = num(v.workingQuantity);
  if (v.workingSide === 'BUY') return { size: qty, sizeInQuote: false };
  const price = num(v.workingPrice);
  return { size: qty === undefined || price === undefined ? undefined : qty * price, sizeInQuote: true };
}

/** Checks the schemas cannot say: exactly one size of a market order, a trigger of a stop. */
function legRule(v: Parsed, l: Leg, type: OrderType): string | undefined {
  const f = (field: string) => name(l.prefix, field);
  if (type === 'MARKET' && l.quoteField) {
    const q = v[l.quantityField] !== undefined;
    const qq = v[l.quoteField] !== undefined;
    if (q && qq) return `a MARKET order takes "${l.quantityField}" or "${l.quoteField}", not both`;
    if (!q && !qq) return `field "${l.quantityField}" is required`;
  }
  if (TYPE_RULES[type].stop && v[f('stopPrice')] === undefined && v[f('trailingDelta')] === undefined)
    return `a ${type} order needs "${f('stopPrice')}" or "${f('trailingDelta')}"`;
  if (v[f('icebergQty')] !== undefined && TYPE_RULES[type].tif && v[f('timeInForce')] !== 'GTC')
    return `field "${f('icebergQty')}" needs ${f('timeInForce')}=GTC`;
  return undefined;
}

interface SymbolFields {
  rawSymbol: string;
  symbol?: string;
  market: MarketType;
}

function symbolOf(raw: string): SymbolFields {
  const s = binanceSymbol(raw);
  return s === undefined ? { rawSymbol: raw, market: 'spot' } : { rawSymbol: raw, symbol: s, market: 'spot' };
}

function sideOf(v: string | undefined): Side | undefined {
  return v === 'BUY' ? 'buy' : v === 'SELL' ? 'sell' : undefined;
}

/** A request that carries orders: legs plus the fields common to the whole request. */
interface OrderEndpoint {
  legs: Leg[];
  common: Shape;
  /** Extra intents (legacy OCO's stop leg reads its own names). */
  intents?: (v: Parsed) => OrderIntent[];
}

const ORDER_COMMON: Shape = {
  symbol,
  newOrderRespType: respType.optional(),
  selfTradePreventionMode: stp.optional(),
};

const single = (types: readonly OrderType[]): Leg => ({ ...leg('', types), quoteField: 'quoteOrderQty' });

const LIST_COMMON: Shape = { ...ORDER_COMMON, listClientOrderId: clientId.optional() };

const OCO_TYPES = [
  'STOP_LOSS_LIMIT',
  'STOP_LOSS',
  'LIMIT_MAKER',
  'TAKE_PROFIT',
  'TAKE_PROFIT_LIMIT',
] as const;
const WORKING_TYPES = ['LIMIT', 'LIMIT_MAKER'] as const;

const SHARED = { side: 'side', quantity: 'quantity' };
const PENDING_SHARED = { side: 'pendingSide', quantity: 'pendingQuantity' };

const CANCEL_REPLACE: Shape = {
  cancelReplaceMode: z.enum(['STOP_ON_FAILURE', 'ALLOW_FAILURE']),
  cancelNewClientOrderId: clientId.optional(),
  cancelOrigClientOrderId: clientId.optional(),
  cancelOrderId: integer.optional(),
  cancelRestrictions: z.enum(['ONLY_NEW', 'ONLY_PARTIALLY_FILLED']).optional(),
  orderRateLimitExceededMode: z.enum(['DO_NOTHING', 'CANCEL_ONLY']).optional(),
};

const MARGIN: Shape = {
  isIsolated: bool.optional(),
  sideEffectType: z.enum(['NO_SIDE_EFFECT', 'MARGIN_BUY', 'AUTO_REPAY', 'AUTO_BORROW_REPAY']).optional(),
  autoRepayAtCancel: bool.optional(),
};

/** Legacy OCO (`POST /api/v3/order/oco`, margin's `/sapi/v1/margin/order/oco`): a LIMIT_MAKER leg and a stop leg. */
function legacyOco(extra: Shape): (params: Parsed) => z.ZodType<Parsed> {
  const base: Shape = {
    ...AUTH,
    ...LIST_COMMON,
    ...extra,
    side,
    quantity: decimal,
    price: decimal,
    limitClientOrderId: clientId.optional(),
    limitStrategyId: integer.optional(),
    limitStrategyType: integer.optional(),
    limitIcebergQty: decimal.optional(),
    stopPrice: decimal.optional(),
    trailingDelta: trailingDelta.optional(),
    stopClientOrderId: clientId.optional(),
    stopStrategyId: integer.optional(),
    stopStrategyType: integer.optional(),
  };
  const plain = z.strictObject(base) as unknown as z.ZodType<Parsed>;
  const limit = z.strictObject({
    ...base,
    stopLimitPrice: decimal,
    stopLimitTimeInForce: tif,
    stopIcebergQty: decimal.optional(),
  }) as unknown as z.ZodType<Parsed>;
  // The stop leg is a STOP_LOSS_LIMIT exactly when it names a stop-limit price.
  return (params) => (params.stopLimitPrice === undefined ? plain : limit);
}

function legacyOcoIntents(v: Parsed): OrderIntent[] {
  const raw = v.symbol ?? '';
  const s = sideOf(v.side);
  const size = num(v.quantity);
  const symbol = binanceSymbol(raw);
  const limitLeg = orderIntentOf({
    rawSymbol: raw,
    symbol,
    market: 'spot',
    side: s,
    type: 'limit_maker',
    pricing: 'limit',
    price: num(v.price),
    size,
    sizeInQuote: false,
  });
  const stopLimit = v.stopLimitPrice !== undefined;
  const stopLeg = orderIntentOf({
    rawSymbol: raw,
    symbol,
    market: 'spot',
    side: s,
    type: stopLimit ? 'stop_loss_limit' : 'stop_loss',
    pricing: stopLimit ? 'limit' : 'market',
    price: num(v.stopLimitPrice),
    priceField: 'stopLimitPrice',
    size,
    sizeInQuote: false,
    otherPrices: [['stopPrice', num(v.stopPrice)]],
    unevaluable:
      v.trailingDelta === undefined ? undefined : 'trailingDelta (a trailing stop) cannot be priced',
  });
  return [limitLeg, stopLeg];
}

function legacyOcoRule(v: Parsed): string | undefined {
  if (v.stopPrice === undefined && v.trailingDelta === undefined)
    return 'an OCO needs "stopPrice" or "trailingDelta"';
  return undefined;
}

const LEGACY_OCO = legacyOco({});
const MARGIN_OCO = legacyOco(MARGIN);

const ORDER_ENDPOINTS: Record<string, OrderEndpoint> = {
  'POST /api/v3/order': { legs: [single(ORDER_TYPES)], common: ORDER_COMMON },
  'POST /api/v3/order/test': {
    legs: [single(ORDER_TYPES)],
    common: { ...ORDER_COMMON, computeCommissionRates: bool.optional() },
  },
  'POST /api/v3/sor/order': { legs: [single(['LIMIT', 'MARKET'])], common: ORDER_COMMON },
  'POST /api/v3/sor/order/test': {
    legs: [single(['LIMIT', 'MARKET'])],
    common: { ...ORDER_COMMON, computeCommissionRates: bool.optional() },
  },
  'POST /api/v3/order/cancelReplace': {
    legs: [single(ORDER_TYPES)],
    common: { ...ORDER_COMMON, ...CANCEL_REPLACE },
  },
  'POST /sapi/v1/margin/order': { legs: [single(ORDER_TYPES)], common: { ...ORDER_COMMON, ...MARGIN } },
  'POST /api/v3/orderList/oco': {
    legs: [leg('above', OCO_TYPES, SHARED), leg('below', OCO_TYPES, SHARED)],
    common: LIST_COMMON,
  },
  'POST /api/v3/orderList/oto': {
    legs: [leg('working', WORKING_TYPES), leg('pending', ORDER_TYPES)],
    common: LIST_COMMON,
  },
  'POST /api/v3/orderList/otoco': {
    legs: [
      leg('working', WORKING_TYPES),
      leg('pendingAbove', OCO_TYPES, PENDING_SHARED),
      leg('pendingBelow', OCO_TYPES, PENDING_SHARED),
    ],
    common: LIST_COMMON,
  },
};
// OPO/OPOCO (one pays the other): OTO/OTOCO whose pending orders name no quantity (faqs/opo.md).
const byWorking = (l: Leg): Leg => ({ ...l, sizedByWorking: true });
ORDER_ENDPOINTS['POST /api/v3/orderList/opo'] = {
  legs: [leg('working', WORKING_TYPES), byWorking(leg('pending', ORDER_TYPES))],
  common: LIST_COMMON,
};
ORDER_ENDPOINTS['POST /api/v3/orderList/opoco'] = {
  legs: [
    leg('working', WORKING_TYPES),
    byWorking(leg('pendingAbove', OCO_TYPES, PENDING_SHARED)),
    byWorking(leg('pendingBelow', OCO_TYPES, PENDING_SHARED)),
  ],
  common: LIST_COMMON,
};

const schemaCache = new Map<string, z.ZodType<Parsed>>();

function orderSchema(endpoint: string, spec: OrderEndpoint, types: OrderType[]): z.ZodType<Parsed> {
  const key = `${endpoint} ${types.join(',')}`;
  let schema = schemaCache.get(key);
  if (!schema) {
    const shape: Shape = { ...AUTH, ...spec.common };
    spec.legs.forEach((l, i) => {
      Object.assign(shape, legShape(l, types[i] as OrderType));
    });
    schema = z.strictObject(shape) as unknown as z.ZodType<Parsed>;
    schemaCache.set(key, schema);
  }
  return schema;
}

/** What the schemas make of one request: its orders, or why it is refused. */
export type Checked =
  | { ok: true; orders: OrderIntent[]; leverage?: number; withdrawal?: Parsed }
  | { ok: false; message: string };

const rejected = (message: string): Checked => ({ ok: false, message });

function checkOrders(endpoint: string, spec: OrderEndpoint, params: Parsed): Checked {
  const types: OrderType[] = [];
  for (const l of spec.legs) {
    const t = params[l.typeField];
    if (t === undefined) return rejected(`${endpoint}: field "${l.typeField}" is required`);
    if (!(l.types as readonly string[]).includes(t))
      return rejected(
        `${endpoint}: field "${l.typeField}": order type ${t.slice(0, 30)} is not accepted here`,
      );
    types.push(t as OrderType);
  }
  const r = checkSchema(orderSchema(endpoint, spec, types), params, endpoint);
  if (!r.ok) return r;
  const v = r.value;
  for (let i = 0; i < spec.legs.length; i++) {
    const why = legRule(v, spec.legs[i] as Leg, types[i] as OrderType);
    if (why) return rejected(`${endpoint}: ${why}`);
  }
  const raw = v.symbol ?? '';
  return { ok: true, orders: spec.legs.map((l, i) => legIntent(v, l, types[i] as OrderType, raw)) };
}

const strict = (shape: Shape) => z.strictObject({ ...AUTH, ...shape }) as unknown as z.ZodType<Parsed>;

/** Endpoints with one fixed schema, and how to read their orders. */
interface FixedEndpoint {
  /** The schema, or how to pick it from the raw parameters (legacy OCO with or without a stop-limit leg). */
  schema: z.ZodType<Parsed> | ((params: Parsed) => z.ZodType<Parsed>);
  rule?: (v: Parsed) => string | undefined;
  orders?: (v: Parsed) => OrderIntent[];
  leverage?: (v: Parsed) => number | undefined;
}

const orderRef = {
  orderId: integer.optional(),
  origClientOrderId: clientId.optional(),
};
const needsRef = (v: Parsed) =>
  v.orderId === undefined && v.origClientOrderId === undefined
    ? 'field "orderId" or "origClientOrderId" is required'
    : undefined;

const symbolOnly = (v: Parsed): OrderIntent[] => (v.symbol === undefined ? [] : [symbolOf(v.symbol)]);

function amendIntent(v: Parsed): OrderIntent[] {
  const raw = v.symbol ?? '';
  const intent = orderIntentOf({
    rawSymbol: raw,
    symbol: binanceSymbol(raw),
    market: 'spot',
    size: num(v.newQty),
    sizeInQuote: false,
    amend: true,
  });
  intent.orderRef = {
    ...(v.orderId !== undefined ? { orderId: v.orderId } : {}),
    ...(v.origClientOrderId !== undefined ? { clientOrderId: v.origClientOrderId } : {}),
  };
  return [intent];
}

function convertQuoteIntent(v: Parsed): OrderIntent[] {
  const from = v.fromAsset ?? '';
  const to = v.toAsset ?? '';
  const base = convertIntent(from, to, undefined);
  // fromAmount is in `from` units; toAmount in `to` units: one of them is the quote side.
  const buy = base.side === 'buy';
  const intent = convertIntent(from, to, num(v.fromAmount));
  if (v.toAmount !== undefined) {
    delete intent.quantity;
    delete intent.quoteQuantity;
    if (buy) intent.quantity = num(v.toAmount);
    else intent.quoteQuantity = num(v.toAmount);
  }
  return [intent];
}

function limitConvertIntent(v: Parsed): OrderIntent[] {
  const quote = v.quoteAmount;
  return [
    orderIntentOf({
      symbol: `${(v.baseAsset ?? '').toUpperCase()}/${(v.quoteAsset ?? '').toUpperCase()}`,
      side: sideOf(v.side),
      type: 'limit',
      pricing: 'limit',
      price: num(v.limitPrice),
      priceField: 'limitPrice',
      size: num(quote ?? v.baseAmount),
      sizeInQuote: quote !== undefined,
    }),
  ];
}

const exactlyOne = (a: string, b: string) => (v: Parsed) =>
  (v[a] === undefined) === (v[b] === undefined) ? `exactly one of "${a}" and "${b}" is required` : undefined;

const amount = { asset, amount: decimal };

const FIXED: Record<string, FixedEndpoint> = {
  'PUT /api/v3/order/amend/keepPriority': {
    schema: strict({ symbol, ...orderRef, newClientOrderId: clientId.optional(), newQty: decimal }),
    rule: needsRef,
    orders: amendIntent,
  },
  'POST /api/v3/order/oco': { schema: LEGACY_OCO, rule: legacyOcoRule, orders: legacyOcoIntents },
  'POST /sapi/v1/margin/order/oco': {
    schema: MARGIN_OCO,
    rule: legacyOcoRule,
    orders: legacyOcoIntents,
  },
  'DELETE /api/v3/order': {
    schema: strict({
      symbol,
      ...orderRef,
      newClientOrderId: clientId.optional(),
      cancelRestrictions: z.enum(['ONLY_NEW', 'ONLY_PARTIALLY_FILLED']).optional(),
    }),
    rule: needsRef,
    orders: symbolOnly,
  },
  'DELETE /api/v3/openOrders': { schema: strict({ symbol }), orders: symbolOnly },
  'DELETE /api/v3/orderList': {
    schema: strict({
      symbol,
      orderListId: integer.optional(),
      listClientOrderId: clientId.optional(),
      newClientOrderId: clientId.optional(),
    }),
    orders: symbolOnly,
  },
  'DELETE /sapi/v1/margin/order': {
    schema: strict({
      symbol,
      isIsolated: bool.optional(),
      ...orderRef,
      newClientOrderId: clientId.optional(),
    }),
    rule: needsRef,
    orders: symbolOnly,
  },
  'DELETE /sapi/v1/margin/openOrders': {
    schema: strict({ symbol, isIsolated: bool.optional() }),
    orders: symbolOnly,
  },
  'POST /sapi/v1/margin/borrow-repay': {
    schema: strict({
      ...amount,
      isIsolated: bool,
      symbol: symbol.optional(),
      type: z.enum(['BORROW', 'REPAY']),
    }),
  },
  'POST /sapi/v1/margin/loan': {
    schema: strict({ ...amount, isIsolated: bool.optional(), symbol: symbol.optional() }),
  },
  'POST /sapi/v1/margin/repay': {
    schema: strict({ ...amount, isIsolated: bool.optional(), symbol: symbol.optional() }),
  },
  'POST /sapi/v1/margin/max-leverage': {
    schema: strict({ maxLeverage: z.enum(['3', '5', '10']) }),
    leverage: (v) => num(v.maxLeverage),
  },
  'POST /sapi/v1/convert/getQuote': {
    schema: strict({
      fromAsset: asset,
      toAsset: asset,
      fromAmount: decimal.optional(),
      toAmount: decimal.optional(),
      walletType: z.enum(['SPOT', 'FUNDING', 'SPOT_FUNDING', 'FUNDING_SPOT']).optional(),
      validTime: z.enum(['10s', '30s', '1m', '2m']).optional(),
    }),
    rule: exactlyOne('fromAmount', 'toAmount'),
    orders: convertQuoteIntent,
  },
  // The quote it accepts was answered to the client, never seen by keywarden: no order to judge.
  'POST /sapi/v1/convert/acceptQuote': { schema: strict({ quoteId: text }), orders: () => [] },
  'POST /sapi/v1/convert/limit/placeOrder': {
    schema: strict({
      baseAsset: asset,
      quoteAsset: asset,
      limitPrice: decimal,
      baseAmount: decimal.optional(),
      quoteAmount: decimal.optional(),
      side,
      walletType: z.enum(['SPOT', 'FUNDING', 'SPOT_FUNDING', 'FUNDING_SPOT']).optional(),
      expiredType: z.enum(['1_D', '3_D', '7_D', '30_D']),
    }),
    rule: exactlyOne('baseAmount', 'quoteAmount'),
    orders: limitConvertIntent,
  },
  'POST /sapi/v1/convert/limit/cancelOrder': { schema: strict({ orderId: integer }) },
};

/** `POST /sapi/v1/capital/withdraw/apply` (the travel-rule variant adds a questionnaire). */
const WITHDRAW: Shape = {
  coin: asset,
  address: z.string().regex(/^[\x21-\x7e]{1,128}$/, 'expected an address'),
  amount: decimal,
  network: text.optional(),
  addressTag: text.optional(),
  withdrawOrderId: text.optional(),
  transactionFeeFlag: bool.optional(),
  name: z.string().max(64).optional(),
  walletType: z.enum(['0', '1']).optional(),
};

/** Money-moving endpoints: the fields each reads. The withdrawal intent is read from the parsed value. */
const MONEY: Record<string, z.ZodType<Parsed>> = {
  'POST /sapi/v1/capital/withdraw/apply': strict(WITHDRAW),
  'POST /sapi/v1/localentity/withdraw/apply': strict({ ...WITHDRAW, questionnaire: z.string().max(2000) }),
  'POST /sapi/v1/asset/transfer': strict({
    type: text,
    ...amount,
    fromSymbol: symbol.optional(),
    toSymbol: symbol.optional(),
  }),
  'POST /sapi/v1/sub-account/universalTransfer': strict({
    fromEmail: text.optional(),
    toEmail: text.optional(),
    fromAccountType: text,
    toAccountType: text,
    clientTranId: text.optional(),
    symbol: symbol.optional(),
    ...amount,
  }),
  'POST /sapi/v1/sub-account/transfer/subToMaster': strict(amount),
  'POST /sapi/v1/sub-account/transfer/subToSub': strict({ toEmail: text, ...amount }),
  'POST /sapi/v1/sub-account/futures/transfer': strict({ email: text, ...amount, type: integer }),
  'POST /sapi/v1/sub-account/margin/transfer': strict({ email: text, ...amount, type: integer }),
  'POST /sapi/v1/sub-account/futures/internalTransfer': strict({
    fromEmail: text,
    toEmail: text,
    futuresType: integer,
    ...amount,
  }),
  'POST /sapi/v1/margin/transfer': strict({ ...amount, type: integer }),
  'POST /sapi/v1/margin/isolated/transfer': strict({
    ...amount,
    symbol,
    transFrom: z.enum(['SPOT', 'ISOLATED_MARGIN']),
    transTo: z.enum(['SPOT', 'ISOLATED_MARGIN']),
  }),
  'POST /sapi/v1/futures/transfer': strict({ ...amount, type: integer }),
  'POST /sapi/v1/asset/dust': strict({ asset, accountType: z.enum(['SPOT', 'MARGIN']).optional() }),
  'POST /sapi/v1/managed-subaccount/withdraw': strict({
    fromEmail: text,
    ...amount,
    transferDate: integer.optional(),
  }),
  'POST /sapi/v1/managed-subaccount/deposit': strict({ toEmail: text, ...amount }),
  'POST /sapi/v1/broker/transfer': strict({
    fromId: text.optional(),
    toId: text.optional(),
    clientTranId: text.optional(),
    ...amount,
  }),
};

/** Reads, public data and account settings: any identifier-named parameter with a bounded printable value. */
const LOOSE_NAME = /^[A-Za-z][A-Za-z0-9]{0,63}$/;
const LOOSE_VALUE = /^[\x20-\x7e]{0,1024}$/;

function checkLoose(endpoint: string, params: Parsed): string | undefined {
  for (const [k, v] of Object.entries(params)) {
    if (!LOOSE_NAME.test(k)) return `${endpoint}: field "${k.slice(0, 60)}" is not accepted here`;
    if (v === undefined || !LOOSE_VALUE.test(v))
      return `${endpoint}: field "${k}": value is not printable text`;
  }
  if (params.recvWindow !== undefined && !recvWindow.safeParse(params.recvWindow).success)
    return `${endpoint}: field "recvWindow": recvWindow must be less than ${MAX_RECV_WINDOW_MS}`;
  return undefined;
}

/** Endpoints that place orders, move funds or borrow: these get a strict schema. */
export function hasStrictSchema(endpoint: string): boolean {
  return endpoint in ORDER_ENDPOINTS || endpoint in FIXED || endpoint in MONEY;
}

/**
 * Check one request's parameters against its endpoint's schema. `strictOnly` endpoints
 * (anything that trades, cancels, borrows, converts or moves money) without a schema here
 * are refused: keywarden does not forward what it has not read.
 */
export function checkRequest(endpoint: string, params: Parsed, strictOnly: boolean): Checked {
  const orders = ORDER_ENDPOINTS[endpoint];
  if (orders) return checkOrders(endpoint, orders, params);
  const fixed = FIXED[endpoint];
  if (fixed) {
    const schema = typeof fixed.schema === 'function' ? fixed.schema(params) : fixed.schema;
    const r = checkSchema(schema, params, endpoint);
    if (!r.ok) return r;
    const why = fixed.rule?.(r.value);
    if (why) return rejected(`${endpoint}: ${why}`);
    const out: Checked = { ok: true, orders: fixed.orders?.(r.value) ?? [] };
    const lev = fixed.leverage?.(r.value);
    if (lev !== undefined) out.leverage = lev;
    return out;
  }
  const money = MONEY[endpoint];
  if (money) {
    const r = checkSchema(money, params, endpoint);
    return r.ok ? { ok: true, orders: [], withdrawal: r.value } : r;
  }
  if (strictOnly) return rejected(`${endpoint}: keywarden has no schema for this endpoint`);
  const why = checkLoose(endpoint, params);
  return why ? rejected(why) : { ok: true, orders: [] };
}
