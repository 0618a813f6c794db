import type { OrderIntent } from '../exchanges/index.js';
import type { PolicyContext, PricedOrder } from './policy-types.js';

/** Market orders are counted at the market price plus this margin unless configured otherwise. */
export const DEFAULT_SLIPPAGE_PERCENT = 2;

const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 8 });

const finite = (n: number | undefined): n is number => n !== undefined && Number.isFinite(n) && n >= 0;

/**
 * The quote notional of one order by the exchange's execution semantics, never from a field
 * the client could use as a decoy:
 * - sized in quote (a market buy by cost): that size;
 * - market pricing: market price × (1 + slippage);
 * - limit buy: the limit price (a buy fills at or below it);
 * - limit sell, or a side the request does not say (an amend): max(limit, market), because a
 *   sell far below the market fills at the market and realises that much;
 * - contracts: × the contract size (linear), or contracts × size in quote (inverse).
 * Undefined (the policy then denies as `unpriced`) when a needed price or spec is unknown.
 */
export function priceOrder(order: OrderIntent, ctx: PolicyContext): PricedOrder {
  const symbol = order.symbol ?? order.rawSymbol ?? 'unknown symbol';
  if (order.unevaluable !== undefined) return { symbol, basis: order.unevaluable };
  if (finite(order.quoteQuantity)) {
    if (order.quantity !== undefined) return { symbol, basis: 'both base and quote size given' };
    return { symbol, notional: order.quoteQuantity, basis: 'quote size' };
  }
  const qty = order.quantity;
  if (!finite(qty)) return { symbol, basis: 'no size' };
  let baseQty = qty;
  if (order.contracts) {
    const spec = order.symbol ? ctx.specs?.[order.symbol] : undefined;
    if (!spec || !finite(spec.contractSize) || spec.contractSize === 0)
      return { symbol, basis: 'no contract spec' };
    if (spec.inverse)
      return { symbol, notional: qty * spec.contractSize, basis: `contracts × ${fmt(spec.contractSize)}` };
    baseQty = qty * spec.contractSize;
  }
  const market = order.symbol ? ctx.prices[order.symbol] : undefined;
  const haveMarket = finite(market) && market > 0;
  if (order.pricing === 'market' || (order.pricing === undefined && order.type === 'market')) {
    if (!haveMarket) return { symbol, basis: 'no market price' };
    const slip = ctx.slippagePercent ?? DEFAULT_SLIPPAGE_PERCENT;
    return {
      symbol,
      notional: baseQty * market * (1 + slip / 100),
      basis: `market ${fmt(market)} + ${fmt(slip)}% slippage`,
    };
  }
  const limit = order.price;
  if (!finite(limit)) return { symbol, basis: 'no limit price' };
  if (order.side === 'buy') return { symbol, notional: baseQty * limit, basis: 'limit price' };
  if (!haveMarket) return { symbol, basis: 'no market price' };
  return limit >= market
    ? { symbol, notional: baseQty * limit, basis: 'limit price (at or above market)' }
    : { symbol, notional: baseQty * market, basis: `market ${fmt(market)} (limit below market)` };
}
