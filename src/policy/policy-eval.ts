import type { Classification, OrderIntent } from '../exchanges/adapter.js';
import type { Decision, Policy, PolicyContext, PolicyRule } from './policy-types.js';

/**
 * The policy decision as a pure function of policy, classified request and context.
 * Rules run in a fixed order and the first denial wins, so the named rule is stable.
 * Anything a rule needs but cannot know (a price, a notional, a symbol) is a denial:
 * the engine fails closed.
 */
export function evaluate(policy: Policy, request: Classification, ctx: PolicyContext): Decision {
  const denial = firstDenial(policy, request, ctx);
  if (!denial) return { allowed: true };
  // A test/dev client reaching a prod key is never only monitored: that separation is the point of tagging keys.
  if (policy.mode === 'monitor' && denial.rule !== 'environment') return { allowed: true, wouldDeny: denial };
  return { allowed: false, ...denial };
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

function firstDenial(policy: Policy, request: Classification, ctx: PolicyContext): Denial | undefined {
  if (ctx.keyEnvironment === 'prod' && ctx.clientEnvironment !== 'prod') {
    return deny('environment', `a ${ctx.clientEnvironment} client may not use a prod key`);
  }
  if (!policy.actions.includes(request.action)) {
    return deny('actions', `action ${request.action} (${request.endpoint}) is not allowed by this policy`);
  }
  if (request.action === 'trade') return tradeDenial(policy, request.orders, ctx);
  if (request.action === 'withdraw') return withdrawalDenial(policy, request, ctx);
  return undefined;
}

function tradeDenial(policy: Policy, orders: OrderIntent[], ctx: PolicyContext): Denial | undefined {
  if (policy.tradingHours && !withinTradingHours(policy.tradingHours, ctx.now)) {
    const { start, end, days } = policy.tradingHours;
    const dayText = days ? ` on days ${days.join(',')}` : '';
    return deny('tradingHours', `trading is allowed only ${start}-${end} UTC${dayText}`);
  }
  const symbolDenial = orders.map((o) => symbolRuleDenial(policy, o)).find((d) => d !== undefined);
  if (symbolDenial) return symbolDenial;
  if (policy.maxOrdersPerMinute !== undefined) {
    const total = ctx.usage.ordersLastMinute + Math.max(orders.length, 1);
    if (total > policy.maxOrdersPerMinute) {
      return deny(
        'maxOrdersPerMinute',
        `${total} orders in the last minute exceeds maxOrdersPerMinute ${formatAmount(policy.maxOrdersPerMinute)}`,
      );
    }
  }
  const needsNotional = policy.maxOrderNotional !== undefined || policy.maxDailyNotional !== undefined;
  if (needsNotional && orders.length === 0) {
    return deny('unpriced', 'trade request carries no order whose notional can be computed');
  }
  let batchNotional = 0;
  for (const order of orders) {
    const symbol = order.symbol ?? order.rawSymbol ?? 'unknown symbol';
    const quote = quoteOf(order.symbol);
    if (policy.priceBandPercent !== undefined && order.price !== undefined && !isMarket(order)) {
      const market = order.symbol ? ctx.prices[order.symbol] : undefined;
      if (market === undefined || !(market > 0)) {
        return deny('unpriced', `no market price for ${symbol} to check the price band`);
      }
      const offPercent = (Math.abs(order.price - market) / market) * 100;
      if (offPercent > policy.priceBandPercent) {
        return deny(
          'priceBand',
          `limit price ${formatAmount(order.price)} is ${formatAmount(Number(offPercent.toFixed(2)))}% from market ${formatAmount(market)}, outside priceBandPercent ${formatAmount(policy.priceBandPercent)}`,
        );
      }
    }
    if (!needsNotional) continue;
    const notional = notionalOf(order, ctx);
    if (notional === undefined) {
      return deny('unpriced', `cannot compute the notional of the ${symbol} order (no price known)`);
    }
    if (policy.maxOrderNotional !== undefined && notional > policy.maxOrderNotional) {
      return deny(
        'maxOrderNotional',
        `order notional ${formatAmount(notional)} ${quote} exceeds maxOrderNotional ${formatAmount(policy.maxOrderNotional)}`,
      );
    }
    batchNotional += notional;
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
  const address = w?.address;
  if (!address || !policy.withdrawals?.addresses.includes(address)) {
    return deny('withdrawals.address', 'withdrawal address is not on the allow-list');
  }
  const caps = policy.withdrawals.dailyCap;
  if (caps === undefined) return undefined;
  const coin = w.coin?.toUpperCase();
  const cap = coin === undefined ? undefined : capFor(caps, coin);
  if (coin === undefined || cap === undefined) {
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
  if (!lists || ((lists.allow?.length ?? 0) === 0 && (lists.deny?.length ?? 0) === 0)) return undefined;
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

// Globs per side, case-insensitive: `BTC/*` (any quote), `*` + `/USDT` (any base), `*/*` (all).
export function matchesSymbol(pattern: string, symbol: string): boolean {
  const [pb, pq] = pattern.toUpperCase().split('/');
  const [sb, sq] = symbol.toUpperCase().split('/');
  if (pb === undefined || pq === undefined || sb === undefined || sq === undefined) return false;
  return globMatch(pb, sb) && globMatch(pq, sq);
}

function globMatch(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`);
  return re.test(value);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function isMarket(order: OrderIntent): boolean {
  return order.type === 'market';
}

function quoteOf(symbol: string | undefined): string {
  return symbol?.split('/')[1] ?? 'quote';
}

/** Quote notional: from the request when it says, else quantity × the known market price. */
export function notionalOf(order: OrderIntent, ctx: PolicyContext): number | undefined {
  const valid = (n: number | undefined) => (n !== undefined && Number.isFinite(n) && n >= 0 ? n : undefined);
  const direct = valid(order.notional) ?? valid(order.quoteQuantity);
  if (direct !== undefined) return direct;
  const qty = valid(order.quantity);
  if (qty === undefined) return undefined;
  if (!isMarket(order) && valid(order.price) !== undefined) return qty * (order.price ?? 0);
  const market = order.symbol ? valid(ctx.prices[order.symbol]) : undefined;
  if (market === undefined || market === 0) return undefined;
  return qty * market;
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
