/**
 * Kraken's private methods as keywarden understands them: one strict schema per method and,
 * for orders, per `ordertype` (built once, at module load). A field that is not listed for
 * the method and order type is a refusal, never something Kraken may execute; the intent the
 * policy sees is read from the parsed value by Kraken's rules for that order type
 * (docs.kraken.com/api/docs/rest-api/add-order, amend-order, edit-order, add-order-batch).
 */
import { z } from 'zod';
import type { Side } from '../../core/index.js';
import type { OrderIntent } from '../adapter.js';
import { orderIntentOf } from '../order-intent.js';
import { checkSchema, decimalOrNumber, MAX_DECIMAL, text } from '../request-schema.js';

/** The body of a private call as a plain object (form fields decoded, `close[...]` nested). */
export type KrakenBody = Record<string, unknown>;

/** A price as Kraken reads it: absolute, or relative to the last trade (`+5`, `-5`, `#5`, `5%`). */
const PRICE = /^([+#-])?((?:0|[1-9]\d{0,15})(?:\.\d{1,18})?)(%)?$/;

const price = z.union([
  z
    .string()
    .max(40)
    .regex(PRICE, 'expected a decimal price, optionally relative (+5, -5, #5, 5%)')
    .refine((s) => Number(PRICE.exec(s)?.[2]) <= MAX_DECIMAL, 'number out of bounds'),
  z.number().finite().nonnegative().max(MAX_DECIMAL).transform(String),
]);
const bool = z.union([z.enum(['true', 'false']), z.boolean().transform(String)]);
const int = (max: number) =>
  z
    .union([z.string().regex(/^-?\d{1,12}$/, 'expected an integer'), z.number().int().transform(String)])
    .refine((s) => Math.abs(Number(s)) <= max, 'integer out of bounds');
/** Unix seconds, `+<seconds>` from now, or 0. */
const time = z.union([
  z.string().regex(/^\+?\d{1,12}$/, 'expected unix seconds or +seconds'),
  z.number().int().nonnegative().transform(String),
]);
const rfc3339 = z
  .string()
  .max(40)
  .regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d)$/, 'expected an RFC 3339 time');
const nonce = z.union([z.string().regex(/^\d{1,20}$/), z.number().int().nonnegative().transform(String)]);
const FLAGS = ['post', 'fcib', 'fciq', 'nompp', 'viqc'] as const;
const oflags = z
  .string()
  .max(40)
  .regex(/^[a-z]+(?:,[a-z]+)*$/, 'expected a comma-separated list of order flags')
  // A repeated flag is the same flag (CCXT itself sends `viqc,viqc` when a caller passes oflags=viqc).
  .refine((s) => s.split(',').every((f) => (FLAGS as readonly string[]).includes(f)), 'unknown order flag');
const leverage = z
  .union([z.string().regex(/^[1-9]\d?(?::1)?$/, 'expected a leverage such as 2 or 2:1'), z.number().int()])
  .transform((v) => Number(String(v).split(':')[0]))
  .refine((n) => n >= 1 && n <= 100, 'leverage out of bounds');

/** Order types and how each executes: which price fields it takes and what they mean. */
const ORDER_TYPES = {
  market: { pricing: 'market', price: 'none', price2: 'none' },
  limit: { pricing: 'limit', price: 'limit', price2: 'none' },
  'stop-loss': { pricing: 'market', price: 'trigger', price2: 'none' },
  'take-profit': { pricing: 'market', price: 'trigger', price2: 'none' },
  'stop-loss-limit': { pricing: 'limit', price: 'trigger', price2: 'limit' },
  'take-profit-limit': { pricing: 'limit', price: 'trigger', price2: 'limit' },
  'trailing-stop': { pricing: 'market', price: 'offset', price2: 'none' },
  'trailing-stop-limit': { pricing: 'limit', price: 'offset', price2: 'offset' },
  'settle-position': { pricing: 'market', price: 'none', price2: 'none' },
} as const;
type OrderType = keyof typeof ORDER_TYPES;
const ORDER_TYPE_NAMES = Object.keys(ORDER_TYPES) as [OrderType, ...OrderType[]];
/** Conditional close orders (OTO): the order Kraken places once the primary one fills. */
const CLOSE_TYPES = ORDER_TYPE_NAMES.filter((t) => t !== 'market' && t !== 'settle-position');

/** Price fields a type uses, as schema entries (required when used, absent otherwise). */
function priceShape(t: OrderType) {
  const spec = ORDER_TYPES[t];
  return {
    ...(spec.price !== 'none' ? { price } : {}),
    ...(spec.price2 !== 'none' ? { price2: price } : {}),
  };
}

const close = z.discriminatedUnion(
  'ordertype',
  CLOSE_TYPES.map((t) => z.strictObject({ ordertype: z.literal(t), ...priceShape(t) })) as unknown as [
    z.ZodObject,
    ...z.ZodObject[],
  ],
);

/** Fields every order of every type may carry (Kraken's AddOrder, and each AddOrderBatch item). */
const ORDER_COMMON = {
  type: z.enum(['buy', 'sell']),
  volume: decimalOrNumber,
  userref: int(2 ** 31),
  cl_ord_id: text.max(64),
  oflags,
  timeinforce: z.enum(['GTC', 'IOC', 'GTD']),
  starttm: time,
  expiretm: time,
  stptype: z.enum(['cancel-newest', 'cancel-oldest', 'cancel-both']),
  leverage,
  reduce_only: bool,
  close,
};
/** Fields of the request around the order(s). */
const AUTH = { nonce, otp: text.max(64) };
/** `broker` is a partner tag (as SDKs such as nautilus_trader send it); it changes nothing an order does. */
const SINGLE = { ...AUTH, pair: text.max(32), deadline: rfc3339, validate: bool, broker: text.max(64) };

function orderShape(t: OrderType) {
  const base = { ...ORDER_COMMON, ordertype: z.literal(t), ...priceShape(t) };
  const trigger = ORDER_TYPES[t].price === 'trigger' || ORDER_TYPES[t].price === 'offset';
  return trigger ? { ...base, trigger: z.enum(['last', 'index']) } : base;
}

const required = ['type', 'volume', 'ordertype'] as const;
/** A strict schema whose fields are optional but for `need` (checked after the parse, for a clear message). */
interface Checked {
  schema: z.ZodType<KrakenBody>;
  need: readonly string[];
}
function build(shape: z.core.$ZodLooseShape, need: readonly string[]): Checked {
  return { schema: z.strictObject(shape).partial() as unknown as z.ZodType<KrakenBody>, need };
}

/** Validate against a built schema: unknown fields, bad values and missing required fields are refusals. */
function check(
  c: Checked,
  value: unknown,
  what: string,
): { ok: true; value: KrakenBody } | { ok: false; message: string } {
  const r = checkSchema(c.schema, value, what);
  if (!r.ok) return r;
  for (const name of c.need)
    if (r.value[name] === undefined) return { ok: false, message: `${what}: field "${name}" is required` };
  return r;
}
const addOrderSchemas = new Map(
  ORDER_TYPE_NAMES.map((t) => [t, build({ ...SINGLE, ...orderShape(t) }, [...required, 'pair'])]),
);
const batchItemSchemas = new Map(ORDER_TYPE_NAMES.map((t) => [t, build(orderShape(t), required)]));

const MAX_BATCH = 15;
const addOrderBatch = build(
  {
    ...SINGLE,
    orders: z
      .array(z.record(z.string(), z.unknown()))
      .min(1, 'an empty batch')
      .min(2, 'Kraken takes 2 to 15 orders in a batch')
      .max(MAX_BATCH),
  },
  ['pair', 'orders'],
);

/** AmendOrder changes an open order in place (docs: amend-order); the order is named, not described. */
const amendOrder = build(
  {
    ...AUTH,
    txid: text.max(64),
    cl_ord_id: text.max(64),
    order_qty: decimalOrNumber,
    limit_price: price,
    trigger_price: price,
    post_only: bool,
    deadline: rfc3339,
  },
  [],
);
/** EditOrder (legacy) cancels the order and places its replacement (docs: edit-order). */
const editOrder = build(
  {
    ...AUTH,
    txid: text.max(64),
    userref: int(2 ** 31),
    pair: text.max(32),
    volume: decimalOrNumber,
    price,
    price2: price,
    oflags,
    deadline: rfc3339,
    cancel_response: bool,
    validate: bool,
  },
  ['txid', 'pair'],
);

const orderRef = z.union([text.max(64), z.number().int().transform(String)]);
const loose = z.union([
  z
    .string()
    .max(256)
    .regex(/^[\x20-\x7e]*$/, 'expected printable text'),
  z.number().finite(),
  z.boolean(),
]);
const amount = decimalOrNumber;

/** Read methods' fields: bounded printable text, numbers or booleans (they move nothing). */
const reads = (names: string): z.core.$ZodLooseShape =>
  Object.fromEntries(
    names
      .split(' ')
      .filter((n) => n !== '')
      .map((n) => [n, loose]),
  );

/** Every other private method: its exact fields (values typed where they move funds, loose for reads). */
const METHOD_FIELDS: Record<string, z.core.$ZodLooseShape> = {
  Balance: reads(''),
  BalanceEx: reads(''),
  TradeBalance: reads('asset'),
  OpenOrders: reads('trades userref cl_ord_id start rebase_multiplier'),
  ClosedOrders: reads(
    'trades userref cl_ord_id start end ofs closetime consolidate_taker without_count rebase_multiplier',
  ),
  QueryOrders: reads('trades userref txid consolidate_taker rebase_multiplier'),
  TradesHistory: reads('type trades start end ofs consolidate_taker ledgers rebase_multiplier'),
  QueryTrades: reads('txid trades rebase_multiplier'),
  OpenPositions: reads('txid docalcs consolidation rebase_multiplier'),
  Ledgers: reads('asset aclass type start end ofs without_count rebase_multiplier'),
  QueryLedgers: reads('id trades rebase_multiplier'),
  TradeVolume: reads('pair fee-info rebase_multiplier'),
  DepositMethods: reads('asset aclass rebase_multiplier'),
  DepositAddresses: reads('asset aclass method new amount'),
  DepositStatus: reads('asset aclass method start end cursor limit rebase_multiplier'),
  WithdrawStatus: reads('asset aclass method start end cursor limit rebase_multiplier'),
  WithdrawMethods: reads('asset aclass network rebase_multiplier'),
  WithdrawAddresses: reads('asset aclass method key verified'),
  WithdrawInfo: reads('asset key amount'),
  GetWebSocketsToken: reads(''),
  GetApiKeyInfo: reads(''),
  OrderAmends: reads('order_id rebase_multiplier'),
  ExportStatus: reads('report'),
  RetrieveExport: reads('id'),
  'Earn/Strategies': reads('ascending asset cursor limit lock_type'),
  'Earn/Allocations': reads('ascending converted_asset hide_zero_allocations'),
  'Earn/AllocateStatus': reads('strategy_id'),
  'Earn/DeallocateStatus': reads('strategy_id'),
  CancelOrder: { txid: orderRef, cl_ord_id: text.max(64) },
  CancelAll: {},
  CancelAllOrdersAfter: { timeout: int(86_400) },
  Withdraw: {
    asset: text.max(16),
    aclass: z.literal('currency'),
    key: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[\x20-\x7e]+$/),
    address: text.max(128),
    amount,
    max_fee: amount,
  },
  WithdrawCancel: { asset: text.max(16), refid: text.max(64) },
  WalletTransfer: { asset: text.max(16), from: loose, to: loose, amount },
  AccountTransfer: { asset: text.max(16), amount, from: text.max(64), to: text.max(64) },
  'Earn/Allocate': { amount, strategy_id: text.max(64) },
  'Earn/Deallocate': { amount, strategy_id: text.max(64) },
  Stake: { asset: text.max(16), amount, method: text.max(64) },
  Unstake: { asset: text.max(16), amount, method: text.max(64) },
  CreateSubaccount: reads('username email'),
  AddExport: reads('report format description fields starttm endtm'),
  RemoveExport: reads('id type'),
};

const REQUIRED_FIELDS: Record<string, readonly string[]> = {
  Withdraw: ['asset', 'key', 'amount'],
  WithdrawCancel: ['asset', 'refid'],
  WalletTransfer: ['asset', 'from', 'to', 'amount'],
  AccountTransfer: ['asset', 'amount', 'from', 'to'],
  'Earn/Allocate': ['amount', 'strategy_id'],
  'Earn/Deallocate': ['amount', 'strategy_id'],
  Stake: ['asset', 'amount', 'method'],
  Unstake: ['asset', 'amount', 'method'],
  CancelAllOrdersAfter: ['timeout'],
};

const METHODS = new Map(
  Object.entries(METHOD_FIELDS).map(([name, shape]) => [
    name,
    build({ ...AUTH, ...shape }, REQUIRED_FIELDS[name] ?? []),
  ]),
);

/** Methods that take a list and so only a JSON body (as Kraken documents them and CCXT sends them). */
export const JSON_ONLY = new Set(['AddOrderBatch', 'CancelOrderBatch']);

const cancelOrderBatch = build(
  {
    ...AUTH,
    orders: z.array(orderRef).min(1, 'an empty batch').max(50),
    cl_ord_ids: z.array(text.max(64)).min(1, 'an empty batch').max(50),
  },
  [],
);

/** What one private call asks for, as keywarden read it. */
export interface KrakenRead {
  orders: OrderIntent[];
  /** Margin trading: leverage, reduce-only or settle-position on an order. */
  margin: boolean;
  leverage?: number;
  /** The parsed, checked fields (the withdrawal and transfer readers take theirs from here). */
  fields: Record<string, unknown>;
}

export type ReadResult = { ok: true; read: KrakenRead } | { ok: false; message: string };

const refuse = (message: string): ReadResult => ({ ok: false, message });

/** Check `body` against `method`'s schema and read its orders. Undefined for a method keywarden does not know. */
export function readPrivate(
  method: string,
  body: KrakenBody,
  symbolOf: (raw: string) => string | undefined,
): ReadResult | undefined {
  switch (method) {
    case 'AddOrder': {
      const r = readOrder(body, addOrderSchemas, 'AddOrder', symbolOf);
      return r.ok ? { ok: true, read: { ...r.read, fields: body } } : r;
    }
    case 'AddOrderBatch':
      return readBatch(body, symbolOf);
    case 'AmendOrder':
      return readAmend(body);
    case 'EditOrder':
      return readEdit(body);
    case 'CancelOrderBatch': {
      const r = check(cancelOrderBatch, body, 'CancelOrderBatch');
      if (!r.ok) return r;
      if ((r.value.orders === undefined) === (r.value.cl_ord_ids === undefined))
        return refuse('CancelOrderBatch: exactly one of "orders" and "cl_ord_ids" is required');
      return { ok: true, read: { orders: [], margin: false, fields: r.value } };
    }
  }
  const schema = METHODS.get(method);
  if (!schema) return undefined;
  const r = check(schema, body, method);
  if (!r.ok) return r;
  if (method === 'CancelOrder' && (r.value.txid === undefined) === (r.value.cl_ord_id === undefined))
    return refuse('CancelOrder: exactly one of "txid" and "cl_ord_id" is required');
  return { ok: true, read: { orders: [], margin: false, fields: r.value } };
}

interface ParsedOrder {
  type: Side;
  ordertype: OrderType;
  volume: string;
  price?: string;
  price2?: string;
  oflags?: string;
  leverage?: number;
  reduce_only?: string;
  close?: { ordertype: OrderType; price?: string; price2?: string };
  pair?: string;
}

type OrderRead = { ok: true; read: Omit<KrakenRead, 'fields'> } | { ok: false; message: string };

function readOrder(
  body: KrakenBody,
  schemas: Map<OrderType, Checked>,
  what: string,
  symbolOf: (raw: string) => string | undefined,
  pair?: string,
): OrderRead {
  const t = body.ordertype;
  const schema = typeof t === 'string' ? schemas.get(t as OrderType) : undefined;
  if (!schema)
    return {
      ok: false,
      message:
        t === undefined
          ? `${what}: field "ordertype" is required`
          : `${what}: field "ordertype": not one of ${ORDER_TYPE_NAMES.join(', ')}`,
    };
  const r = check(schema, body, `${what} (${String(t)})`);
  if (!r.ok) return r;
  const o = r.value as unknown as ParsedOrder;
  const flags = o.oflags === undefined ? [] : o.oflags.split(',');
  const spec = ORDER_TYPES[o.ordertype];
  const where = `${what} (${o.ordertype})`;
  if (flags.includes('viqc') && !(o.ordertype === 'market' && o.type === 'buy'))
    return {
      ok: false,
      message: `${where}: order flag "viqc" (volume in quote) is only read on market buys`,
    };
  if (flags.includes('post') && o.ordertype !== 'limit')
    return { ok: false, message: `${where}: order flag "post" is only read on limit orders` };
  if (flags.includes('nompp') && spec.pricing !== 'market')
    return {
      ok: false,
      message: `${where}: order flag "nompp" is only read on orders that fill at the market`,
    };
  if (flags.includes('fcib') && flags.includes('fciq'))
    return { ok: false, message: `${where}: order flags "fcib" and "fciq" together` };
  if (o.ordertype === 'settle-position' && o.leverage === undefined)
    return { ok: false, message: `${where}: field "leverage" is required` };
  if (o.ordertype === 'trailing-stop' || o.ordertype === 'trailing-stop-limit') {
    if (!o.price?.startsWith('+'))
      return { ok: false, message: `${where}: field "price" must be a +offset (trailing distance)` };
  }
  if (o.close && flags.includes('viqc'))
    return { ok: false, message: `${where}: a close order after a quote-sized (viqc) order` };
  const rawSymbol = pair ?? o.pair;
  const symbol = rawSymbol === undefined ? undefined : symbolOf(rawSymbol);
  const margin = o.leverage !== undefined || o.reduce_only === 'true' || o.ordertype === 'settle-position';
  const leg = (
    side: Side,
    t: OrderType,
    p: string | undefined,
    p2: string | undefined,
    name: (f: string) => string,
  ) =>
    legIntent({
      symbol,
      rawSymbol,
      side,
      type: t,
      price: p,
      price2: p2,
      volume: o.volume,
      viqc: flags.includes('viqc'),
      leverage: o.leverage,
      name,
    });
  const order = leg(o.type, o.ordertype, o.price, o.price2, (f) => f);
  // settle-position closes the margin position at the market: its size is the position's, not the request's.
  if (o.ordertype === 'settle-position')
    order.unevaluable = "settle-position (the size is the margin position's)";
  const orders = [order];
  // The conditional close is a second order Kraken places once this one fills: opposite side, same volume.
  if (o.close)
    orders.push(
      leg(
        o.type === 'buy' ? 'sell' : 'buy',
        o.close.ordertype,
        o.close.price,
        o.close.price2,
        (f) => `close[${f}]`,
      ),
    );
  return {
    ok: true,
    read: { orders, margin, ...(o.leverage !== undefined ? { leverage: o.leverage } : {}) },
  };
}

/** One order leg's intent by its type: which field is the limit price, which are triggers, which are relative. */
function legIntent(l: {
  symbol: string | undefined;
  rawSymbol: string | undefined;
  side: Side;
  type: OrderType;
  price: string | undefined;
  price2: string | undefined;
  volume: string;
  viqc: boolean;
  leverage: number | undefined;
  name: (field: string) => string;
}): OrderIntent {
  const spec = ORDER_TYPES[l.type];
  const unevaluable: string[] = [];
  const prices: Array<[string, number]> = [];
  const priceOf = (field: string, value: string | undefined, kind: string): number | undefined => {
    if (value === undefined) return undefined;
    const m = PRICE.exec(value);
    if (kind === 'offset' || m?.[1] !== undefined || m?.[3] !== undefined) {
      unevaluable.push(`relative ${field} ${value}`);
      return undefined;
    }
    prices.push([field, Number(value)]);
    return Number(value);
  };
  const p1 = priceOf(l.name('price'), l.price, spec.price);
  const p2 = priceOf(l.name('price2'), l.price2, spec.price2);
  const limitField = spec.price === 'limit' ? 'price' : spec.price2 === 'limit' ? 'price2' : undefined;
  const limit = limitField === 'price' ? p1 : limitField === 'price2' ? p2 : undefined;
  const named = limitField === undefined ? undefined : l.name(limitField);
  return orderIntentOf({
    symbol: l.symbol,
    rawSymbol: l.rawSymbol,
    side: l.side,
    type: l.type,
    pricing: spec.pricing,
    price: limit,
    priceField: named,
    size: Number(l.volume),
    sizeInQuote: l.viqc,
    otherPrices: prices.filter(([f]) => f !== named),
    unevaluable: unevaluable.length > 0 ? unevaluable.join(', ') : undefined,
    leverage: l.leverage,
  });
}

function readBatch(body: KrakenBody, symbolOf: (raw: string) => string | undefined): ReadResult {
  const r = check(addOrderBatch, body, 'AddOrderBatch');
  if (!r.ok) return r;
  const out: KrakenRead = { orders: [], margin: false, fields: r.value };
  const pair = r.value.pair as string;
  for (const [i, item] of (r.value.orders as KrakenBody[]).entries()) {
    // Kraken reads one pair for the whole batch; a per-order `pair` is not in the item schema.
    const o = readOrder(item, batchItemSchemas, `AddOrderBatch orders.${i}`, symbolOf, pair);
    if (!o.ok) return o;
    out.orders.push(...o.read.orders);
    out.margin ||= o.read.margin;
    if (o.read.leverage !== undefined) out.leverage = Math.max(out.leverage ?? 0, o.read.leverage);
  }
  return { ok: true, read: out };
}

/** A price field of an amend: absolute goes to `prices`, relative makes the amend unevaluable. */
function amendPrice(
  field: string,
  value: string | undefined,
  prices: Array<[string, number]>,
  odd: string[],
) {
  if (value === undefined) return undefined;
  const m = PRICE.exec(value);
  if (m?.[1] !== undefined || m?.[3] !== undefined) {
    odd.push(`relative ${field} ${value}`);
    return undefined;
  }
  prices.push([field, Number(value)]);
  return Number(value);
}

function readAmend(body: KrakenBody): ReadResult {
  const r = check(amendOrder, body, 'AmendOrder');
  if (!r.ok) return r;
  const v = r.value as Record<string, string | undefined>;
  if ((v.txid === undefined) === (v.cl_ord_id === undefined))
    return refuse('AmendOrder: exactly one of "txid" and "cl_ord_id" is required');
  const prices: Array<[string, number]> = [];
  const odd: string[] = [];
  const limit = amendPrice('limit_price', v.limit_price, prices, odd);
  amendPrice('trigger_price', v.trigger_price, prices, odd);
  const order = orderIntentOf({
    price: limit,
    priceField: 'limit_price',
    size: v.order_qty === undefined ? undefined : Number(v.order_qty),
    sizeInQuote: false,
    otherPrices: prices.filter(([f]) => f !== 'limit_price'),
    unevaluable: odd.length > 0 ? odd.join(', ') : undefined,
    amend: true,
  });
  delete order.market;
  delete order.pricing;
  order.orderRef = v.txid !== undefined ? { orderId: v.txid } : { clientOrderId: v.cl_ord_id };
  return { ok: true, read: { orders: [order], margin: false, fields: r.value } };
}

function readEdit(body: KrakenBody): ReadResult {
  const r = check(editOrder, body, 'EditOrder');
  if (!r.ok) return r;
  const v = r.value as Record<string, string | undefined>;
  const flags = v.oflags === undefined ? [] : v.oflags.split(',');
  const odd = flags.filter((f) => f === 'viqc' || f === 'nompp');
  if (odd.length > 0) return refuse(`EditOrder: order flag "${odd[0]}" is not read by EditOrder`);
  const prices: Array<[string, number]> = [];
  const rel: string[] = [];
  const p1 = amendPrice('price', v.price, prices, rel);
  const p2 = amendPrice('price2', v.price2, prices, rel);
  // Which of the two is the limit price depends on the resting order's type: count the limit-like one.
  const limitField = p2 !== undefined ? 'price2' : 'price';
  const order = orderIntentOf({
    price: p2 ?? p1,
    priceField: limitField,
    size: v.volume === undefined ? undefined : Number(v.volume),
    sizeInQuote: false,
    otherPrices: prices.filter(([f]) => f !== limitField),
    unevaluable: rel.length > 0 ? rel.join(', ') : undefined,
    amend: true,
  });
  delete order.market;
  delete order.pricing;
  order.orderRef = { orderId: v.txid };
  return { ok: true, read: { orders: [order], margin: false, fields: r.value } };
}
