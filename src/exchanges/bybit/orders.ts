/**
 * One Bybit order, read by Bybit's rules for its category and order type from the value its
 * strict schema parsed. `orderProblem` names the field an order type or category does not use
 * (Bybit would ignore it or read it differently), so the request is refused instead.
 */
import type { z } from 'zod';
import type { OrderIntent } from '../adapter.js';
import { orderIntentOf } from '../order-intent.js';
import { num } from '../request-schema.js';
import type { amendItem, cancelItem, orderItem } from './schemas.js';
import { type BybitCategory, bybitInstrument } from './symbols.js';

export type OrderItem = z.infer<typeof orderItem>;
export type AmendItem = z.infer<typeof amendItem>;
export type CancelItem = z.infer<typeof cancelItem>;

export type Read = { ok: true; intent: OrderIntent } | { ok: false; message: string };

const SPOT_ONLY = ['isLeverage', 'orderFilter', 'marketUnit'] as const;
const DERIVATIVES_ONLY = ['triggerDirection', 'tpslMode', 'closeOnTrigger', 'positionIdx'] as const;
const LEGS = [
  { leg: 'takeProfit', type: 'tpOrderType', limit: 'tpLimitPrice', by: 'tpTriggerBy' },
  { leg: 'stopLoss', type: 'slOrderType', limit: 'slLimitPrice', by: 'slTriggerBy' },
] as const;

const field = (name: string, why: string) => `field "${name}" ${why}`;

/** Why Bybit would not execute `o` exactly as keywarden reads it, or undefined. */
export function orderProblem(o: OrderItem, category: BybitCategory): string | undefined {
  const spot = category === 'spot';
  const market = o.orderType === 'Market';
  if (market && o.price !== undefined) return field('price', 'is not used by Market orders');
  if (!market && o.price === undefined) return field('price', 'is required for Limit orders');
  for (const name of spot ? DERIVATIVES_ONLY : SPOT_ONLY)
    if (o[name] !== undefined) return field(name, `is not used by ${category} orders`);
  if (o.marketUnit !== undefined && !market) return field('marketUnit', 'is used only by Market orders');
  if (o.triggerBy !== undefined && o.triggerPrice === undefined)
    return field('triggerBy', 'needs triggerPrice');
  if (spot) {
    const filter = o.orderFilter ?? 'Order';
    if (filter === 'Order' && o.triggerPrice !== undefined)
      return field('triggerPrice', 'needs orderFilter StopOrder or tpslOrder on spot');
    if (filter !== 'Order' && o.triggerPrice === undefined) return field('orderFilter', 'needs triggerPrice');
    // CCXT marks spot stop-loss/take-profit trigger orders reduceOnly; on plain spot orders Bybit ignores it.
    if (filter === 'Order' && o.reduceOnly !== undefined)
      return field('reduceOnly', 'is not used by spot orders');
    if (market && (o.takeProfit !== undefined || o.stopLoss !== undefined))
      return field(
        o.takeProfit !== undefined ? 'takeProfit' : 'stopLoss',
        'is not used by spot Market orders',
      );
  } else if ((o.triggerPrice === undefined) !== (o.triggerDirection === undefined)) {
    return field(o.triggerPrice === undefined ? 'triggerDirection' : 'triggerPrice', 'needs its pair');
  }
  for (const l of LEGS) {
    const limit = o[l.limit];
    const type = o[l.type];
    if (o[l.leg] === undefined) {
      for (const name of [l.type, l.limit, l.by] as const)
        if (o[name] !== undefined) return field(name, `needs ${l.leg}`);
      continue;
    }
    if (limit !== undefined && type !== 'Limit') return field(l.limit, `needs ${l.type} Limit`);
    if (type === 'Limit' && limit === undefined) return field(l.type, `Limit needs ${l.limit}`);
    if (!spot && limit !== undefined && o.tpslMode !== 'Partial')
      return field(l.limit, 'needs tpslMode Partial');
  }
  if (o.tpslMode !== undefined && o.takeProfit === undefined && o.stopLoss === undefined)
    return field('tpslMode', 'needs takeProfit or stopLoss');
  return undefined;
}

function instrument(raw: string, category: BybitCategory) {
  const inst = bybitInstrument(raw, category);
  return inst
    ? ({ ok: true, inst } as const)
    : ({
        ok: false,
        message: `symbol "${raw.slice(0, 40)}" is not a ${category} instrument keywarden reads`,
      } as const);
}

/** An order of `create` or `create-batch`: symbol, side, size and every price, by Bybit's semantics. */
export function readOrder(o: OrderItem, category: BybitCategory): Read {
  const problem = orderProblem(o, category);
  if (problem) return { ok: false, message: problem };
  const at = instrument(o.symbol, category);
  if (!at.ok) return at;
  const market = o.orderType === 'Market';
  // Spot market buys count qty in quote coin, sells in base coin, unless marketUnit says otherwise.
  const unit = o.marketUnit ?? (o.side === 'Buy' ? 'quoteCoin' : 'baseCoin');
  const intent = orderIntentOf({
    symbol: at.inst.symbol,
    rawSymbol: o.symbol,
    market: at.inst.market,
    side: o.side === 'Buy' ? 'buy' : 'sell',
    type: market ? 'market' : 'limit',
    price: num(o.price),
    size: num(o.qty),
    sizeInQuote: category === 'spot' && market && unit === 'quoteCoin',
    // Linear contracts are sized in the base coin; inverse ones in USD contracts.
    contracts: category === 'inverse',
    otherPrices: [
      ['triggerPrice', num(o.triggerPrice)],
      ['takeProfit', num(o.takeProfit)],
      ['stopLoss', num(o.stopLoss)],
      ['tpLimitPrice', num(o.tpLimitPrice)],
      ['slLimitPrice', num(o.slLimitPrice)],
    ],
  });
  return { ok: true, intent };
}

function orderRef(o: { orderId?: string | undefined; orderLinkId?: string | undefined }) {
  if ((o.orderId === undefined) === (o.orderLinkId === undefined))
    return { ok: false, message: 'name the order by exactly one of "orderId" and "orderLinkId"' } as const;
  return {
    ok: true,
    ref: o.orderId !== undefined ? { orderId: o.orderId } : { clientOrderId: o.orderLinkId as string },
  } as const;
}

/** `0` removes a trigger, take-profit or stop-loss in an amend: no price to check. */
const setPrice = (v: string | undefined) => (v === undefined || Number(v) === 0 ? undefined : Number(v));

/** An amend: a new order for the resting order's symbol (side, size and price looked up by the gateway). */
export function readAmend(o: AmendItem, category: BybitCategory): Read {
  const ref = orderRef(o);
  if (!ref.ok) return ref;
  if (category === 'spot' && o.tpslMode !== undefined)
    return { ok: false, message: field('tpslMode', 'is not used by spot orders') };
  const at = instrument(o.symbol, category);
  if (!at.ok) return at;
  const intent = orderIntentOf({
    symbol: at.inst.symbol,
    rawSymbol: o.symbol,
    market: at.inst.market,
    price: num(o.price),
    size: num(o.qty),
    sizeInQuote: false,
    contracts: category === 'inverse',
    otherPrices: [
      ['triggerPrice', setPrice(o.triggerPrice)],
      ['takeProfit', setPrice(o.takeProfit)],
      ['stopLoss', setPrice(o.stopLoss)],
      ['tpLimitPrice', num(o.tpLimitPrice)],
      ['slLimitPrice', num(o.slLimitPrice)],
    ],
    amend: true,
  });
  intent.orderRef = ref.ref;
  return { ok: true, intent };
}

/** A cancel names its order and symbol (for the audit record; cancels carry no notional). */
export function readCancel(o: CancelItem, category: BybitCategory): Read {
  const ref = orderRef(o);
  if (!ref.ok) return ref;
  const at = instrument(o.symbol, category);
  if (!at.ok) return at;
  return {
    ok: true,
    intent: orderIntentOf({
      symbol: at.inst.symbol,
      rawSymbol: o.symbol,
      market: at.inst.market,
      sizeInQuote: false,
    }),
  };
}
