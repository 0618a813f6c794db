import type { Action } from '../core/index.js';
import type { Classification, OrderIntent, PriceField } from '../exchanges/index.js';
import { priceOrder } from './notional.js';
import type { Decision, Policy, PolicyContext, PolicyRule, PricedOrder } from './policy-types.js';

/**
 * The policy decision as a pure function of policy, classified request and context.
 * Rules run in a fixed order and the first denial wins, so the named rule is stable.
 * Anything a rule needs but cannot know (a price, a notional, a symbol) is a denial:
 * the engine fails closed.
 */
export function evaluate(policy: Policy, request: Classification, ctx: PolicyContext): Decision {
  const priced = isOrderAction(request.action) ? request.orders.map((o) => priceOrder(o, ctx)) : [];
  let notional = 0;
  for (const p of priced) notional += p.notional ?? 0;
  const denial = precheck(policy, request, ctx) ?? pricedDenial(policy, request, priced, ctx);
  if (!denial) return { allowed: true, notional, priced };
  // A test/dev client reaching a prod key is never only monitored: that separation is the point of tagging keys.
  if (policy.mode === 'monitor' && denial.rule !== 'environment')
    return { allowed: true, wouldDeny: denial, notional, priced };
  return { allowed: false, ...denial, notional, priced };
}

interface Denial {
  rule: PolicyRule;
  message: string;
}

const deny = (rule: PolicyRule, message: string): Denial => ({ rule, message });

/** `12000` -> `12,000`; fractional amounts keep up to 8 decimals. */
export function formatAmount(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: 8 });
}

/** Actions whose requests carry orders the symbol, market and notional rules apply to. */
export function isOrderAction(action: Action): boolean {
  return action === 'trade' || action === 'margin' || action === 'convert';
}

/**
 * The rules that need no market data: environment, action, market type, symbols, leverage,
 * trading hours, order count, withdrawal address. The gateway runs these first and fetches
 * prices only for a request they allow, so a denied request costs no upstream calls.
 */
export function precheck(policy: Policy, request: Classification, ctx: PolicyContext): Denial | undefined {
  if (ctx.keyEnvironment === 'prod' && ctx.clientEnvironment !== 'prod') {
    return deny('environment', `a ${ctx.clientEnvironment} client may not use a prod key`);
  }
  if (!policy.actions.includes(request.action)) {
    return deny('actions', `action ${request.action} (${request.endpoint}) is not allowed by this policy`);
  }
  const leverage = maxLeverageOf(request);
  if (leverage !== undefined && policy.maxLeverage !== undefined && leverage > policy.maxLeverage) {
    return deny(
      'maxLeverage',
      `leverage ${formatAmount(leverage)} exceeds maxLeverage ${formatAmount(policy.maxLeverage)}`,
    );
  }
  if (isOrderAction(request.action)) return orderPrecheck(policy, request, ctx);
  if (request.action === 'withdraw') {
    const address = request.withdrawal?.address;
    if (!address || !policy.withdrawals?.addresses.includes(address)) {
      return deny('withdrawals.address', 'withdrawal address is not on the allow-list');
    }
  }
  return undefined;
}

function maxLeverageOf(request: Classification): number | undefined {
  let max = request.leverage;
  for (const o of request.orders)
    if (o.leverage !== undefined && (max === undefined || o.leverage > max)) max = o.leverage;
  return max;
}

/**
 * A margin setting (set-leverage on a symbol, a margin-mode switch) rides as an order without a
 * size: the symbol, market and leverage rules apply to it, the count, band and notional rules
 * do not, and a margin request may carry none (an account-wide mode switch).
 */
function isSetting(action: Action, order: OrderIntent): boolean {
  return action === 'margin' && order.quantity === undefined && order.quoteQuantity === undefined;
}

function orderPrecheck(policy: Policy, request: Classification, ctx: PolicyContext): Denial | undefined {
  const orders = request.orders;
  if (orders.length === 0 && request.action !== 'margin')
    return deny('orders', 'the request carries no order keywarden could read');
  if (policy.tradingHours && !withinTradingHours(policy.tradingHours, ctx.now)) {
    const { start, end, days } = policy.tradingHours;
    const dayText = days ? ` on days ${days.join(',')}` : '';
    return deny('tradingHours', `trading is allowed only ${start}-${end} UTC${dayText}`);
  }
  const markets = policy.markets ?? ['spot'];
  for (const o of orders) {
    const market = o.market ?? 'spot';
    if (!markets.includes(market)) {
      return deny(
        'markets',
        `${market} market ${o.symbol ?? o.rawSymbol ?? ''} is not allowed (markets: ${markets.join(', ')})`.replace(
          '  ',
          ' ',
        ),
      );
    }
  }
  const symbolDenial = orders.map((o) => symbolRuleDenial(policy, o)).find((d) => d !== undefined);
  if (symbolDenial) return symbolDenial;
  if (policy.maxOrdersPerMinute !== undefined) {
    const total = ctx.usage.ordersLastMinute + sizedOrders(request);
    if (total > policy.maxOrdersPerMinute) {
      return deny(
        'maxOrdersPerMinute',
        `${total} orders in the last minute exceeds maxOrdersPerMinute ${formatAmount(policy.maxOrdersPerMinute)}`,
      );
    }
  }
  return undefined;
}

/** Symbols whose market price (and derivatives whose contract spec) the price rules will read. */
export function marketDataNeeds(
  policy: Policy,
  request: Classification,
): { prices: string[]; specs: string[] } {
  const prices = new Set<string>();
  const specs = new Set<string>();
  if (!isOrderAction(request.action)) return { prices: [], specs: [] };
  const band = policy.priceBandPercent !== undefined;
  const caps = policy.maxOrderNotional !== undefined || policy.maxDailyNotional !== undefined;
  for (const o of request.orders) {
    if (!o.symbol || o.unevaluable !== undefined) continue;
    if (band && pricesOf(o).length > 0) prices.add(o.symbol);
    // Quote-sized orders count their size; an unsized one is unpriced (or a margin setting) anyway.
    if (!caps || o.quoteQuantity !== undefined || o.quantity === undefined) continue;
    if (o.contracts) specs.add(o.symbol);
    // A limit buy is counted at its limit price; every other order needs the market price.
    const limitBuy = o.pricing !== 'market' && o.type !== 'market' && o.side === 'buy';
    if (!limitBuy || o.contracts) prices.add(o.symbol);
  }
  return { prices: [...prices], specs: [...specs] };
}

function pricedDenial(
  policy: Policy,
  request: Classification,
  priced: PricedOrder[],
  ctx: PolicyContext,
): Denial | undefined {
  if (isOrderAction(request.action)) return tradeDenial(policy, request, priced, ctx);
  if (request.action === 'withdraw') return withdrawalDenial(policy, request, ctx);
  return undefined;
}

/** Orders that trade (margin settings are not counted). */
export function sizedOrders(request: Classification): number {
  let n = 0;
  for (const o of request.orders) if (!isSetting(request.action, o)) n++;
  return n;
}

function tradeDenial(
  policy: Policy,
  request: Classification,
  priced: PricedOrder[],
  ctx: PolicyContext,
): Denial | undefined {
  const orders = request.orders;
  const band = policy.priceBandPercent;
  const needsNotional = policy.maxOrderNotional !== undefined || policy.maxDailyNotional !== undefined;
  let batchNotional = 0;
  for (let i = 0; i < orders.length; i++) {
    const order = orders[i] as OrderIntent;
    const p = priced[i] as PricedOrder;
    if (isSetting(request.action, order)) continue;
    const symbol = p.symbol;
    if (order.unevaluable !== undefined && (band !== undefined || needsNotional)) {
      return deny(
        'unpriced',
        `${symbol}: ${order.unevaluable}; not accepted while a price band or notional cap applies`,
      );
    }
    const fields = pricesOf(order);
    if (band !== undefined && fields.length > 0) {
      const market = order.symbol ? ctx.prices[order.symbol] : undefined;
      if (market === undefined || !(market > 0) || !Number.isFinite(market)) {
        return deny('unpriced', `no market price for ${symbol} to check the price band`);
      }
      for (const f of fields) {
        const offPercent = (Math.abs(f.value - market) / market) * 100;
        if (!(offPercent <= band)) {
          return deny(
            'priceBand',
            `${f.field} ${formatAmount(f.value)} is ${formatAmount(Number(offPercent.toFixed(2)))}% from market ${formatAmount(market)}, outside priceBandPercent ${formatAmount(band)}`,
          );
        }
      }
    }
    if (!needsNotional) continue;
    if (p.notional === undefined) {
      return deny('unpriced', `cannot compute the notional of the ${symbol} order (${p.basis})`);
    }
    const quote = quoteOf(order.symbol);
    if (policy.maxOrderNotional !== undefined && p.notional > policy.maxOrderNotional) {
      return deny(
        'maxOrderNotional',
        `order notional ${formatAmount(p.notional)} ${quote} exceeds maxOrderNotional ${formatAmount(policy.maxOrderNotional)} (${p.basis})`,
      );
    }
    batchNotional += p.notional;
  }
  if (policy.maxDailyNotional !== undefined) {
    const total = ctx.usage.dailyNotional + batchNotional;
    if (total > policy.maxDailyNotional) {
      return deny(
        'maxDailyNotional',
        `daily notional ${formatAmount(total)} would exceed maxDailyNotional ${formatAmount(policy.maxDailyNotional)}`,
      );
    }
  }
  return undefined;
}

function withdrawalDenial(policy: Policy, request: Classification, ctx: PolicyContext): Denial | undefined {
  const w = request.withdrawal;
  const caps = policy.withdrawals?.dailyCap;
  if (caps === undefined) return undefined;
  const coin = w?.coin?.toUpperCase();
  const cap = coin === undefined ? undefined : capFor(caps, coin);
  if (w === undefined || coin === undefined || cap === undefined) {
    return deny('withdrawals.dailyCap', `no daily withdrawal cap is set for ${coin ?? 'an unknown coin'}`);
  }
  if (w.amount === undefined || !Number.isFinite(w.amount)) {
    return deny('withdrawals.dailyCap', `withdrawal amount of ${coin} is unknown`);
  }
  const total = (ctx.usage.withdrawnToday[coin] ?? 0) + w.amount;
  if (total > cap) {
    return deny(
      'withdrawals.dailyCap',
      `withdrawn today ${formatAmount(total)} ${coin} would exceed the daily cap ${formatAmount(cap)}`,
    );
  }
  return undefined;
}

function capFor(caps: Record<string, number>, coin: string): number | undefined {
  for (const [k, v] of Object.entries(caps)) if (k.toUpperCase() === coin) return v;
  return undefined;
}

function symbolRuleDenial(policy: Policy, order: OrderIntent): Denial | undefined {
  const lists = policy.symbols;
  // An allow list that is present applies even when empty (it then allows no symbol): reading
  // `allow: []` as "no rule" would let a policy that names no symbol trade every one.
  if (!lists || (lists.allow === undefined && (lists.deny?.length ?? 0) === 0)) return undefined;
  const symbol = order.symbol;
  if (!symbol) {
    return deny(lists.allow ? 'symbols.allow' : 'symbols.deny', 'order symbol could not be determined');
  }
  const denied = lists.deny?.find((p) => matchesSymbol(p, symbol));
  if (denied) return deny('symbols.deny', `symbol ${symbol} matches deny pattern ${denied}`);
  if (lists.allow && !lists.allow.some((p) => matchesSymbol(p, symbol))) {
    return deny('symbols.allow', `symbol ${symbol} is not in the allow list`);
  }
  return undefined;
}

// Globs per side, case-insensitive: `BTC/*` (any quote), `*` + `/USDT` (any base), `*/*` (all
// spot). A derivative `BTC/USDT:USDT` only matches a pattern with a settle part
// (`BTC/USDT:USDT`, `*` + `/USDT:*`): a spot pattern never reaches a derivative.
export function matchesSymbol(pattern: string, symbol: string): boolean {
  const [pPair, pSettle, pExtra] = pattern.toUpperCase().split(':');
  const [sPair, sSettle, sExtra] = symbol.toUpperCase().split(':');
  if (pExtra !== undefined || sExtra !== undefined || pPair === undefined || sPair === undefined)
    return false;
  if ((pSettle === undefined) !== (sSettle === undefined)) return false;
  if (pSettle !== undefined && sSettle !== undefined && !globMatch(pSettle, sSettle)) return false;
  const [pb, pq, px] = pPair.split('/');
  const [sb, sq, sx] = sPair.split('/');
  if (pb === undefined || pq === undefined || sb === undefined || sq === undefined) return false;
  if (px !== undefined || sx !== undefined) return false;
  return globMatch(pb, sb) && globMatch(pq, sq);
}

function globMatch(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`);
  return re.test(value);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Every price field of an order; an intent built without `prices` still has its limit price banded. */
function pricesOf(order: OrderIntent): PriceField[] {
  if (order.prices) return order.prices;
  return order.price !== undefined && order.pricing !== 'market' && order.type !== 'market'
    ? [{ field: 'price', value: order.price }]
    : [];
}

function quoteOf(symbol: string | undefined): string {
  return symbol?.split(':')[0]?.split('/')[1] ?? 'quote';
}

/** Minutes-of-day window in UTC; `start > end` wraps midnight; `start == end` means all day. Days use the UTC weekday of `now`. */
export function withinTradingHours(hours: NonNullable<Policy['tradingHours']>, now: number): boolean {
  const d = new Date(now);
  if (hours.days && !hours.days.includes(d.getUTCDay())) return false;
  const minutes = d.getUTCHours() * 60 + d.getUTCMinutes();
  const start = toMinutes(hours.start);
  const end = toMinutes(hours.end);
  if (start === end) return true;
  if (start < end) return minutes >= start && minutes < end;
  return minutes >= start || minutes < end;
}

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}
