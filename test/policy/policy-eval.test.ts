import { describe, expect, it } from 'vitest';
import type { Classification, OrderIntent } from '../../src/exchanges/adapter.js';
import { evaluate, matchesSymbol, withinTradingHours } from '../../src/policy/policy-eval.js';
import type { Decision, Policy, PolicyContext, PolicyRule } from '../../src/policy/policy-types.js';

// Monday 2026-11-23 12:00 UTC
const NOON_MONDAY = Date.UTC(2026, 10, 23, 12, 0);

const base: Policy = { mode: 'enforce', actions: ['public', 'read', 'trade', 'cancel'] };
/** Usage so far today and in the last minute: none unless `over` says otherwise. */
const usage = (over: Partial<PolicyContext['usage']> = {}): Pick<PolicyContext, 'usage'> => ({
  usage: { dailyNotional: 0, ordersLastMinute: 0, withdrawnToday: {}, ...over },
});
const ctx = (over: Partial<PolicyContext> = {}): PolicyContext => ({
  now: NOON_MONDAY,
  clientEnvironment: 'prod',
  keyEnvironment: 'prod',
  prices: { 'BTC/USDT': 60_000, 'ETH/USDT': 3_000 },
  ...usage(),
  ...over,
});
const limit = (over: Partial<OrderIntent> = {}): OrderIntent => ({
  symbol: 'BTC/USDT',
  side: 'buy',
  type: 'limit',
  quantity: 0.01,
  price: 60_000,
  ...over,
});
const trade = (...orders: OrderIntent[]): Classification => ({
  action: 'trade',
  endpoint: 'POST /api/v3/order',
  orders: orders.length > 0 ? orders : [limit()],
});
const withdraw = (coin: string, amount: number, address: string): Classification => ({
  action: 'withdraw',
  endpoint: 'POST /sapi/v1/capital/withdraw/apply',
  orders: [],
  withdrawal: { coin, amount, address },
});

interface Row {
  name: string;
  policy: Partial<Policy>;
  request: Classification;
  ctx?: Partial<PolicyContext>;
  /** undefined = allowed */
  rule?: PolicyRule;
  message?: RegExp;
}

const ADDR = 'bc1qallowed';
const rows: Row[] = [
  { name: 'default actions allow a trade', policy: {}, request: trade() },
  {
    name: 'environment: test client with prod key',
    policy: {},
    request: trade(),
    ctx: { clientEnvironment: 'test' },
    rule: 'environment',
    message: /test client may not use a prod key/,
  },
  {
    name: 'environment: dev client with prod key',
    policy: {},
    request: trade(),
    ctx: { clientEnvironment: 'dev' },
    rule: 'environment',
  },
  {
    name: 'environment: test client with test key',
    policy: {},
    request: trade(),
    ctx: { clientEnvironment: 'test', keyEnvironment: 'test' },
  },
  {
    name: 'actions: withdraw denied by default',
    policy: {},
    request: withdraw('BTC', 0.1, ADDR),
    rule: 'actions',
    message: /action withdraw/,
  },
  {
    name: 'actions: transfer denied by default',
    policy: {},
    request: { action: 'transfer', endpoint: 'POST /t', orders: [] },
    rule: 'actions',
  },
  {
    name: 'actions: unknown endpoint denied',
    policy: {},
    request: { action: 'unknown', endpoint: 'GET /x', orders: [] },
    rule: 'actions',
  },
  {
    name: 'actions: read allowed',
    policy: {},
    request: { action: 'read', endpoint: 'GET /api/v3/account', orders: [] },
  },
  {
    name: 'actions: trade denied for read-only',
    policy: { actions: ['public', 'read'] },
    request: trade(),
    rule: 'actions',
  },
  { name: 'symbols.allow: glob BTC/* matches', policy: { symbols: { allow: ['BTC/*'] } }, request: trade() },
  {
    name: 'symbols.allow: ETH not in BTC/*',
    policy: { symbols: { allow: ['BTC/*'] } },
    request: trade(limit({ symbol: 'ETH/USDT', price: 3000 })),
    rule: 'symbols.allow',
  },
  {
    name: 'symbols.allow: */USDT matches ETH/USDT',
    policy: { symbols: { allow: ['*/USDT'] } },
    request: trade(limit({ symbol: 'ETH/USDT', price: 3000 })),
  },
  {
    name: 'symbols.allow: an empty allow list allows no symbol (not every one)',
    policy: { symbols: { allow: [] } },
    request: trade(),
    rule: 'symbols.allow',
  },
  {
    name: 'symbols.allow: an empty allow list with a deny list still allows no symbol',
    policy: { symbols: { allow: [], deny: ['*/TRY'] } },
    request: trade(),
    rule: 'symbols.allow',
  },
  {
    name: 'symbols.deny wins over allow',
    policy: { symbols: { allow: ['*/USDT'], deny: ['BTC/*'] } },
    request: trade(),
    rule: 'symbols.deny',
    message: /matches deny pattern BTC\/\*/,
  },
  {
    name: 'symbols.deny: second element of a batch',
    policy: { symbols: { deny: ['*/TRY'] } },
    request: trade(limit(), limit({ symbol: 'BTC/TRY', price: 2_000_000 })),
    rule: 'symbols.deny',
  },
  {
    name: 'symbols: unknown symbol with a list fails closed',
    policy: { symbols: { allow: ['*/USDT'] } },
    request: trade(limit({ symbol: undefined })),
    rule: 'symbols.allow',
  },
  {
    name: 'maxOrderNotional: under',
    policy: { maxOrderNotional: 5000 },
    request: trade(limit({ quantity: 0.05 })),
  },
  {
    name: 'maxOrderNotional: over names amounts with separators',
    policy: { maxOrderNotional: 5000 },
    request: trade(limit({ quantity: 0.2 })),
    rule: 'maxOrderNotional',
    message: /^order notional 12,000 USDT exceeds maxOrderNotional 5,000 \(limit price\)$/,
  },
  {
    name: 'maxOrderNotional: market order priced from ctx',
    policy: { maxOrderNotional: 5000 },
    request: trade(limit({ type: 'market', price: undefined, quantity: 0.1 })),
    rule: 'maxOrderNotional',
  },
  {
    name: 'maxOrderNotional: market order under',
    policy: { maxOrderNotional: 5000 },
    request: trade(limit({ type: 'market', price: undefined, quantity: 0.05 })),
  },
  {
    name: 'maxOrderNotional: quoteQuantity used',
    policy: { maxOrderNotional: 5000 },
    request: trade(limit({ type: 'market', price: undefined, quantity: undefined, quoteQuantity: 6000 })),
    rule: 'maxOrderNotional',
  },
  {
    name: 'unpriced: market order without a known price',
    policy: { maxOrderNotional: 5000 },
    request: trade(limit({ type: 'market', price: undefined })),
    ctx: { prices: {} },
    rule: 'unpriced',
  },
  {
    name: 'orders: a trade with no order keywarden could read is denied, with or without caps',
    policy: {},
    request: { action: 'trade', endpoint: 'POST /x', orders: [] },
    rule: 'orders',
  },
  {
    name: 'no notional rule: unpriced market order allowed',
    policy: {},
    request: trade(limit({ type: 'market', price: undefined })),
    ctx: { prices: {} },
  },
  {
    name: 'maxOrderNotional: every element of a batch checked',
    policy: { maxOrderNotional: 5000 },
    request: trade(limit({ quantity: 0.01 }), limit({ quantity: 0.01 }), limit({ quantity: 1 })),
    rule: 'maxOrderNotional',
  },
  {
    name: 'maxDailyNotional: under with usage',
    policy: { maxDailyNotional: 10_000 },
    request: trade(),
    ctx: usage({ dailyNotional: 9_000 }),
  },
  {
    name: 'maxDailyNotional: usage plus order over',
    policy: { maxDailyNotional: 10_000 },
    request: trade(),
    ctx: usage({ dailyNotional: 9_500 }),
    rule: 'maxDailyNotional',
  },
  {
    name: 'maxDailyNotional: notional summed across a batch',
    policy: { maxDailyNotional: 2_000, maxOrderNotional: 1_000 },
    request: trade(limit({ quantity: 0.015 }), limit({ quantity: 0.015 }), limit({ quantity: 0.015 })),
    rule: 'maxDailyNotional',
    message: /2,700/,
  },
  {
    name: 'maxOrdersPerMinute: under',
    policy: { maxOrdersPerMinute: 10 },
    request: trade(),
    ctx: usage({ ordersLastMinute: 9 }),
  },
  {
    name: 'maxOrdersPerMinute: over',
    policy: { maxOrdersPerMinute: 10 },
    request: trade(),
    ctx: usage({ ordersLastMinute: 10 }),
    rule: 'maxOrdersPerMinute',
  },
  {
    name: 'maxOrdersPerMinute: batch counts each order',
    policy: { maxOrdersPerMinute: 10 },
    request: trade(limit(), limit(), limit()),
    ctx: usage({ ordersLastMinute: 8 }),
    rule: 'maxOrdersPerMinute',
  },
  { name: 'priceBand: within', policy: { priceBandPercent: 2 }, request: trade(limit({ price: 61_000 })) },
  {
    name: 'priceBand: outside',
    policy: { priceBandPercent: 2 },
    request: trade(limit({ price: 63_000 })),
    rule: 'priceBand',
    message: /5% from market 60,000/,
  },
  {
    name: 'priceBand: second batch element outside',
    policy: { priceBandPercent: 2 },
    request: trade(limit(), limit({ price: 50_000 })),
    rule: 'priceBand',
  },
  {
    name: 'priceBand: no market price is unpriced',
    policy: { priceBandPercent: 2 },
    request: trade(),
    ctx: { prices: {} },
    rule: 'unpriced',
  },
  {
    name: 'priceBand: market orders are not banded',
    policy: { priceBandPercent: 2 },
    request: trade(limit({ type: 'market', price: undefined })),
    ctx: { prices: {} },
  },
  {
    name: 'tradingHours: inside',
    policy: { tradingHours: { start: '09:00', end: '17:00' } },
    request: trade(),
  },
  {
    name: 'tradingHours: outside',
    policy: { tradingHours: { start: '13:00', end: '17:00' } },
    request: trade(),
    rule: 'tradingHours',
  },
  {
    name: 'tradingHours: wrapping window excludes noon',
    policy: { tradingHours: { start: '22:00', end: '06:00' } },
    request: trade(),
    rule: 'tradingHours',
  },
  {
    name: 'tradingHours: weekday not listed',
    policy: { tradingHours: { start: '00:00', end: '23:59', days: [0, 6] } },
    request: trade(),
    rule: 'tradingHours',
  },
  {
    name: 'tradingHours: cancel still allowed outside hours',
    policy: { tradingHours: { start: '13:00', end: '17:00' } },
    request: { action: 'cancel', endpoint: 'DELETE /api/v3/order', orders: [] },
  },
  {
    name: 'withdrawals.address: allow-listed',
    policy: { actions: ['withdraw'], withdrawals: { addresses: [ADDR] } },
    request: withdraw('BTC', 0.1, ADDR),
  },
  {
    name: 'withdrawals.address: other address',
    policy: { actions: ['withdraw'], withdrawals: { addresses: [ADDR] } },
    request: withdraw('BTC', 0.1, 'bc1qevil'),
    rule: 'withdrawals.address',
  },
  {
    name: 'withdrawals.address: no list configured',
    policy: { actions: ['withdraw'] },
    request: withdraw('BTC', 0.1, ADDR),
    rule: 'withdrawals.address',
  },
  {
    name: 'withdrawals.dailyCap: under',
    policy: { actions: ['withdraw'], withdrawals: { addresses: [ADDR], dailyCap: { BTC: 1 } } },
    request: withdraw('btc', 0.4, ADDR),
    ctx: usage({ withdrawnToday: { BTC: 0.5 } }),
  },
  {
    name: 'withdrawals.dailyCap: over with today usage',
    policy: { actions: ['withdraw'], withdrawals: { addresses: [ADDR], dailyCap: { BTC: 1 } } },
    request: withdraw('BTC', 0.6, ADDR),
    ctx: usage({ withdrawnToday: { BTC: 0.5 } }),
    rule: 'withdrawals.dailyCap',
  },
  {
    name: 'withdrawals.dailyCap: coin without a cap',
    policy: { actions: ['withdraw'], withdrawals: { addresses: [ADDR], dailyCap: { BTC: 1 } } },
    request: withdraw('ETH', 1, ADDR),
    rule: 'withdrawals.dailyCap',
  },
];

describe('evaluate — one row per rule', () => {
  for (const row of rows) {
    it(row.name, () => {
      const d: Decision = evaluate({ ...base, ...row.policy }, row.request, ctx(row.ctx));
      if (row.rule === undefined) {
        expect(d).toMatchObject({ allowed: true });
        expect(d).not.toHaveProperty('wouldDeny');
        return;
      }
      expect(d.allowed).toBe(false);
      if (d.allowed) return;
      expect(d.rule).toBe(row.rule);
      expect(d.message.length).toBeGreaterThan(0);
      if (row.message) expect(d.message).toMatch(row.message);
    });
  }
});

describe('monitor mode', () => {
  it('lets a would-be denial through and names it', () => {
    const d = evaluate({ ...base, mode: 'monitor', maxOrderNotional: 100 }, trade(), ctx());
    expect(d).toMatchObject({
      allowed: true,
      wouldDeny: {
        rule: 'maxOrderNotional',
        message: 'order notional 600 USDT exceeds maxOrderNotional 100 (limit price)',
      },
    });
  });
  it('still blocks a test client using a prod key', () => {
    const d = evaluate({ ...base, mode: 'monitor' }, trade(), ctx({ clientEnvironment: 'test' }));
    expect(d).toMatchObject({ allowed: false, rule: 'environment' });
  });
  it('plain allow carries no wouldDeny', () => {
    expect(evaluate({ ...base, mode: 'monitor' }, trade(), ctx())).toMatchObject({ allowed: true });
    expect(evaluate({ ...base, mode: 'monitor' }, trade(), ctx())).not.toHaveProperty('wouldDeny');
  });
});

describe('helpers', () => {
  it('matches globs per side, case-insensitively', () => {
    expect(matchesSymbol('BTC/*', 'btc/usdt')).toBe(true);
    expect(matchesSymbol('*/USDT', 'ETH/USDT')).toBe(true);
    expect(matchesSymbol('*/USDT', 'ETH/USDC')).toBe(false);
    expect(matchesSymbol('B*/USD*', 'BNB/USDC')).toBe(true);
    expect(matchesSymbol('BTC.USDT/*', 'BTCXUSDT/A')).toBe(false);
  });
  it('handles windows that wrap midnight', () => {
    const at = (h: number, m = 0) => Date.UTC(2026, 10, 23, h, m);
    const w = { start: '22:00', end: '06:00' };
    expect(withinTradingHours(w, at(23))).toBe(true);
    expect(withinTradingHours(w, at(5, 59))).toBe(true);
    expect(withinTradingHours(w, at(6))).toBe(false);
    expect(withinTradingHours(w, at(21, 59))).toBe(false);
  });
});
