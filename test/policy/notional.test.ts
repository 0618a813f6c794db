/**
 * Notional and the new policy rules by the exchange's execution semantics (issue 10, findings
 * 2, 4, 5, 7): the policy prices an order from what will execute, never from a decoy field.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Classification, OrderIntent } from '../../src/exchanges/adapter.js';
import { convertIntent, orderIntentOf } from '../../src/exchanges/order-intent.js';
import { priceOrder } from '../../src/policy/notional.js';
import { evaluate, marketDataNeeds, matchesSymbol, precheck } from '../../src/policy/policy-eval.js';
import type { Policy, PolicyContext } from '../../src/policy/policy-types.js';

const ctx = (over: Partial<PolicyContext> = {}): PolicyContext => ({
  now: Date.UTC(2026, 11, 1, 12),
  clientEnvironment: 'prod',
  keyEnvironment: 'prod',
  prices: { 'BTC/USDT': 60_000, 'DOGE/USDT:USDT': 0.1, 'BTC/USD:BTC': 60_000 },
  specs: {
    'DOGE/USDT:USDT': { contractSize: 1000, inverse: false },
    'BTC/USD:BTC': { contractSize: 100, inverse: true },
  },
  slippagePercent: 2,
  usage: { dailyNotional: 0, ordersLastMinute: 0, withdrawnToday: {} },
  ...over,
});
const spot = (over: Parameters<typeof orderIntentOf>[0]): OrderIntent => orderIntentOf(over);
const trade = (orders: OrderIntent[], action: Classification['action'] = 'trade'): Classification => ({
  action,
  endpoint: 'POST /order',
  orders,
});
const policy = (over: Partial<Policy> = {}): Policy => ({ mode: 'enforce', actions: ['trade'], ...over });

describe('priceOrder', () => {
  it('a market order is priced from the ticker plus slippage, never from a price field', () => {
    const o = spot({
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'market',
      price: 1,
      size: 0.5,
      sizeInQuote: false,
    });
    expect(o.price).toBeUndefined();
    expect(o.prices).toEqual([]);
    expect(priceOrder(o, ctx())).toMatchObject({ notional: 0.5 * 60_000 * 1.02 });
  });
  it('a limit sell far below market counts at the market price', () => {
    const o = spot({
      symbol: 'BTC/USDT',
      side: 'sell',
      type: 'limit',
      price: 1,
      size: 0.3,
      sizeInQuote: false,
    });
    expect(priceOrder(o, ctx()).notional).toBe(0.3 * 60_000);
    const above = spot({
      symbol: 'BTC/USDT',
      side: 'sell',
      type: 'limit',
      price: 70_000,
      size: 0.3,
      sizeInQuote: false,
    });
    expect(priceOrder(above, ctx()).notional).toBe(0.3 * 70_000);
  });
  it('a limit buy counts at its limit; an amend with no side at max(limit, market)', () => {
    const buy = spot({
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'limit',
      price: 50_000,
      size: 0.1,
      sizeInQuote: false,
    });
    expect(priceOrder(buy, ctx()).notional).toBe(5_000);
    const amend = spot({
      symbol: 'BTC/USDT',
      type: 'limit',
      price: 50_000,
      size: 0.1,
      sizeInQuote: false,
      amend: true,
    });
    expect(priceOrder(amend, ctx()).notional).toBe(6_000);
  });
  it('contracts count × the contract size; inverse contracts in quote; no spec, no notional', () => {
    const doge = spot({
      symbol: 'DOGE/USDT:USDT',
      market: 'swap',
      side: 'buy',
      type: 'limit',
      price: 0.1,
      size: 100,
      sizeInQuote: false,
      contracts: true,
    });
    expect(priceOrder(doge, ctx()).notional).toBeCloseTo(100 * 1000 * 0.1);
    const inverse = spot({
      symbol: 'BTC/USD:BTC',
      market: 'swap',
      side: 'buy',
      type: 'limit',
      price: 60_000,
      size: 10,
      sizeInQuote: false,
      contracts: true,
    });
    expect(priceOrder(inverse, ctx()).notional).toBe(1_000);
    expect(priceOrder(doge, ctx({ specs: {} })).notional).toBeUndefined();
  });
  it('base and quote size together, or an unevaluable price, have no notional', () => {
    const both: OrderIntent = {
      ...spot({ symbol: 'BTC/USDT', side: 'buy', type: 'market', size: 10, sizeInQuote: true }),
      quantity: 0.5,
    };
    expect(priceOrder(both, ctx()).notional).toBeUndefined();
    const relative = spot({
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'limit',
      size: 1,
      sizeInQuote: false,
      unevaluable: 'relative price +5',
    });
    expect(priceOrder(relative, ctx()).notional).toBeUndefined();
  });
  it('property: a sell never counts below quantity × market, a market order never below it either', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.0001, max: 1e6, noNaN: true }),
        fc.double({ min: 0.0001, max: 100, noNaN: true }),
        fc.constantFrom('limit', 'market'),
        (price, qty, type) => {
          const o = spot({ symbol: 'BTC/USDT', side: 'sell', type, price, size: qty, sizeInQuote: false });
          const n = priceOrder(o, ctx()).notional;
          expect(n).toBeDefined();
          expect(n ?? 0).toBeGreaterThanOrEqual(qty * 60_000 * (1 - 1e-12));
        },
      ),
    );
  });
});

describe('policy rules for derivatives, margin, conversions and every price field', () => {
  it('spot patterns never match a derivative; a settle pattern does', () => {
    expect(matchesSymbol('BTC/*', 'BTC/USDT:USDT')).toBe(false);
    expect(matchesSymbol('*/*', 'BTC/USDT:USDT')).toBe(false);
    expect(matchesSymbol('BTC/USDT:*', 'BTC/USDT:USDT')).toBe(true);
    expect(matchesSymbol('BTC/USDT:USDT', 'BTC/USDT')).toBe(false);
    expect(matchesSymbol('BTC/*', 'BTC/USDT')).toBe(true);
  });
  it('derivatives are denied unless their market is listed', () => {
    const swap = spot({
      symbol: 'DOGE/USDT:USDT',
      market: 'swap',
      side: 'buy',
      type: 'limit',
      price: 0.1,
      size: 1,
      sizeInQuote: false,
      contracts: true,
    });
    expect(evaluate(policy(), trade([swap]), ctx())).toMatchObject({ allowed: false, rule: 'markets' });
    expect(evaluate(policy({ markets: ['spot', 'swap'] }), trade([swap]), ctx())).toMatchObject({
      allowed: true,
    });
  });
  it('margin and convert are their own actions, denied by a trade-only policy', () => {
    const o = spot({
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'limit',
      price: 60_000,
      size: 0.01,
      sizeInQuote: false,
      leverage: 5,
    });
    expect(evaluate(policy(), trade([o], 'margin'), ctx())).toMatchObject({
      allowed: false,
      rule: 'actions',
    });
    expect(evaluate(policy({ actions: ['margin'] }), trade([o], 'margin'), ctx())).toMatchObject({
      allowed: true,
    });
    expect(
      evaluate(policy({ actions: ['margin'], maxLeverage: 3 }), trade([o], 'margin'), ctx()),
    ).toMatchObject({
      allowed: false,
      rule: 'maxLeverage',
    });
    const convert = convertIntent('USDT', 'BTC', 100);
    expect(convert).toMatchObject({ symbol: 'BTC/USDT', side: 'buy', quoteQuantity: 100 });
    expect(evaluate(policy(), trade([convert], 'convert'), ctx())).toMatchObject({
      allowed: false,
      rule: 'actions',
    });
    expect(
      evaluate(
        policy({ actions: ['convert'], symbols: { allow: ['ETH/*'] } }),
        trade([convert], 'convert'),
        ctx(),
      ),
    ).toMatchObject({ allowed: false, rule: 'symbols.allow' });
  });
  it('every price field is banded, not only the limit price', () => {
    const o = spot({
      symbol: 'BTC/USDT',
      side: 'sell',
      type: 'limit',
      price: 60_000,
      size: 0.01,
      sizeInQuote: false,
      otherPrices: [['stopLimitPrice', 1]],
    });
    expect(evaluate(policy({ priceBandPercent: 5 }), trade([o]), ctx())).toMatchObject({
      allowed: false,
      rule: 'priceBand',
      message: expect.stringContaining('stopLimitPrice 1'),
    });
  });
  it('unevaluable prices are denied under a band or cap, allowed without either', () => {
    const o = spot({
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'limit',
      size: 0.01,
      sizeInQuote: false,
      unevaluable: 'relative price +5',
    });
    expect(evaluate(policy({ maxOrderNotional: 1000 }), trade([o]), ctx())).toMatchObject({
      allowed: false,
      rule: 'unpriced',
    });
    expect(evaluate(policy(), trade([o]), ctx())).toMatchObject({ allowed: true });
  });
  it('the data-free rules deny before any market data is named', () => {
    const offList = spot({
      symbol: 'SOL/USDT',
      side: 'buy',
      type: 'limit',
      price: 1,
      size: 1,
      sizeInQuote: false,
    });
    const p = policy({ symbols: { allow: ['BTC/USDT'] }, priceBandPercent: 5, maxOrderNotional: 10 });
    expect(precheck(p, trade([offList]), ctx())).toMatchObject({ rule: 'symbols.allow' });
    const onList = spot({
      symbol: 'BTC/USDT',
      side: 'sell',
      type: 'limit',
      price: 1,
      size: 1,
      sizeInQuote: false,
    });
    expect(precheck(p, trade([onList]), ctx())).toBeUndefined();
    expect(marketDataNeeds(p, trade([onList]))).toEqual({ prices: ['BTC/USDT'], specs: [] });
  });
});
