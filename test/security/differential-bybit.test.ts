/**
 * Differential policy test for Bybit (issue 10): random order requests in Bybit's own wire
 * format — every order type and category, TP/SL and trigger legs, batches, decoy, unknown,
 * case-variant and duplicated fields, odd number forms — under random policies, through the
 * real gateway to the sandbox. Whatever the sandbox executed satisfies the policy (judged from
 * the engine's own orders and fills), and whatever keywarden let through is exactly what executed.
 */
import fc from 'fast-check';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Policy } from '../../src/policy/policy-types.js';
import { DEFAULT_BALANCES, type Order } from '../../src/sandbox/engine.js';
import { type Harness, startHarness } from '../gateway/harness.js';
import { differentialParams, markEngine, oddNumber, policyArb, violations } from './differential.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ exchanges: ['bybit'] });
});
afterAll(() => h.close());

const SPOT = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT', 'DOGE/USDT'];
const SWAPS = ['BTC/USDT:USDT', 'ETH/USDT:USDT'];
const RAW = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'DOGEUSDT', 'XRPUSDT'];

type Fields = Record<string, unknown>;

const price = (raw: string) => h.sandbox.engine.market(`${raw.replace('USDT', '')}/USDT`)?.price ?? 1;
/** A price near or far from the market, as Bybit's clients write it (string, sometimes a JSON number). */
const priceNear = (raw: string) =>
  fc
    .tuple(fc.constantFrom(0.5, 0.9, 0.97, 0.99, 1, 1.01, 1.04, 1.08, 1.2, 3), fc.boolean())
    .map(([f, asNumber]) => {
      const p = Number((price(raw) * f).toPrecision(6));
      return asNumber ? p : String(p);
    });
const qty = fc.constantFrom('0.001', '0.01', '0.05', '0.3', '1', '20', '150', '2000', '15000');
/** Sizes aimed at a notional around the policies' caps (quote units, or base units at the market). */
const target = fc.constantFrom(20, 40, 300, 800, 4_000, 30_000);
const sized = (notional: number, inQuote: boolean, raw: string) =>
  inQuote ? String(notional) : String(Number((notional / price(raw)).toPrecision(3)));

/** One order as Bybit reads it, plus decoys. `item` leaves out the category (batch items). */
const orderArb = (item: boolean, category: fc.Arbitrary<string>, symbol: fc.Arbitrary<string>) =>
  fc
    .record({
      category,
      symbol,
      side: fc.constantFrom('Buy', 'Sell'),
      orderType: fc.constantFrom('Limit', 'Market'),
      qty,
      marketUnit: fc.option(fc.constantFrom('baseCoin', 'quoteCoin'), { nil: undefined }),
      timeInForce: fc.option(fc.constantFrom('GTC', 'IOC', 'PostOnly'), { nil: undefined }),
      isLeverage: fc.option(fc.constantFrom(0, 1, '1'), { nil: undefined }),
      legs: fc.oneof(
        { weight: 3, arbitrary: fc.constant([] as string[]) },
        fc.subarray(['takeProfit', 'stopLoss', 'tpLimit', 'slLimit', 'trigger']),
      ),
      // About one order in four carries a decoy, unknown or misplaced field, or an odd number.
      decoy: fc.oneof(
        { weight: 3, arbitrary: fc.constant(undefined) },
        fc.constantFrom(
          'request',
          'Symbol',
          'itemCategory',
          'marketPrice',
          'unknown',
          'odd',
          'oddPrice',
          'positionIdx',
          'looseLeg',
        ),
      ),
      odd: oddNumber,
    })
    .chain((o) =>
      fc.record({
        o: fc.constant(o),
        p: priceNear(o.symbol),
        leg: priceNear(o.symbol),
        trig: priceNear(o.symbol),
        aim: fc.option(target, { freq: 4, nil: undefined }),
      }),
    )
    .map(({ o, p, leg, trig, aim }) => {
      const unit = o.marketUnit ?? (o.side === 'Buy' ? 'quoteCoin' : 'baseCoin');
      const inQuote = o.category === 'spot' && o.orderType === 'Market' && unit === 'quoteCoin';
      const size = aim === undefined ? o.qty : sized(aim, inQuote, o.symbol);
      const f: Fields = { symbol: o.symbol, side: o.side, orderType: o.orderType, qty: size };
      if (!item) f.category = o.category;
      if (o.orderType === 'Limit') f.price = p;
      if (o.orderType === 'Market' && o.marketUnit && o.category === 'spot') f.marketUnit = o.marketUnit;
      if (o.timeInForce) f.timeInForce = o.timeInForce;
      if (o.isLeverage !== undefined && o.category === 'spot') f.isLeverage = o.isLeverage;
      const partial = o.category === 'linear';
      // Spot market orders carry no TP/SL; a limit leg comes with its trigger (the decoy `looseLeg` breaks that).
      const legs = o.category === 'spot' && o.orderType === 'Market' ? [] : o.legs;
      if (legs.includes('takeProfit') || legs.includes('tpLimit')) f.takeProfit = leg;
      if (legs.includes('stopLoss') || legs.includes('slLimit')) f.stopLoss = leg;
      if (legs.includes('tpLimit')) Object.assign(f, { tpOrderType: 'Limit', tpLimitPrice: leg });
      if (legs.includes('slLimit')) Object.assign(f, { slOrderType: 'Limit', slLimitPrice: leg });
      if (partial && (f.tpLimitPrice ?? f.slLimitPrice) !== undefined) f.tpslMode = 'Partial';
      if (legs.includes('trigger')) {
        f.triggerPrice = trig;
        if (o.category === 'spot') f.orderFilter = 'StopOrder';
        else f.triggerDirection = 1;
      }
      switch (o.decoy) {
        case 'request':
          f.request = [
            {
              symbol: 'BTCUSDT',
              side: 'Buy',
              orderType: 'Limit',
              qty: '0.001',
              price: String(price('BTCUSDT')),
            },
          ];
          break;
        case 'Symbol':
          f.Symbol = 'ETHUSDT';
          break;
        case 'itemCategory':
          // In a batch item this is a decoy; in a single order it is the category the order executes in.
          f.category = 'linear';
          break;
        case 'marketPrice':
          f.price = '1';
          break;
        case 'unknown':
          f.bboSideType = 'Queue';
          break;
        case 'odd':
          f.qty = o.odd;
          break;
        case 'oddPrice':
          f.price = o.odd;
          break;
        case 'positionIdx':
          f.positionIdx = 1;
          break;
        case 'looseLeg':
          f.tpLimitPrice = '1';
          break;
      }
      return { fields: f, category: item ? o.category : String(f.category) };
    });

/** policyArb, with trading (and sometimes margin) allowed in most cases, so orders get through to be compared. */
const tradingPolicy = fc
  .tuple(policyArb(SPOT, SWAPS), fc.constantFrom('as-is', 'trade', 'trade', 'trade+margin'))
  .map(([p, add]): Policy => {
    if (add === 'as-is') return p;
    const extra = add === 'trade' ? (['trade'] as const) : (['trade', 'margin'] as const);
    return { ...p, actions: [...new Set([...p.actions, ...extra])] };
  });

interface Case {
  path: string;
  body: string;
  /** The orders the body asks for, with the category each executes in (the top-level one in a batch). */
  orders: Array<{ fields: Fields; category: string }>;
}

/** A JSON body with one key repeated at the end (`{"qty":"1","qty":"100"}`): refused before anything. */
const duplicated = (body: string) => `${body.slice(0, -1)},"qty":"100"}`;

/**
 * Requests for `policy`: mostly in the markets and symbols it allows (so orders get through and
 * are compared with what executed), sometimes outside them.
 */
function caseFor(policy: Policy): fc.Arbitrary<Case> {
  const markets = policy.markets ?? ['spot'];
  const inMarkets = [
    ...(markets.includes('spot') ? ['spot'] : []),
    ...(markets.includes('swap') ? ['linear'] : []),
  ];
  const category = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...inMarkets) },
    fc.constantFrom('spot', 'linear'),
  );
  const allowed = (policy.symbols?.allow ?? []).flatMap((p) =>
    /^[A-Z]+\/USDT(:USDT)?$/.test(p) ? [p.replace(/\/USDT(:USDT)?$/, 'USDT')] : [],
  );
  const symbol =
    allowed.length > 0
      ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...allowed) }, fc.constantFrom(...RAW))
      : fc.constantFrom(...RAW);
  const single = fc
    .record({ o: orderArb(false, category, symbol), dup: fc.integer({ min: 0, max: 9 }).map((n) => n === 0) })
    .map(({ o, dup }) => {
      const body = JSON.stringify(o.fields);
      return {
        path: '/v5/order/create',
        body: dup ? duplicated(body) : body,
        orders: [{ fields: o.fields, category: o.category }],
      };
    });
  const batch = category
    .chain((c) =>
      fc.record({
        category: fc.constant(c),
        items: fc.oneof(
          {
            weight: 9,
            arbitrary: fc.array(orderArb(true, fc.constant(c), symbol), { minLength: 1, maxLength: 3 }),
          },
          fc.constant([] as Array<{ fields: Fields; category: string }>),
        ),
      }),
    )
    .map(({ category: c, items }) => ({
      path: '/v5/order/create-batch',
      body: JSON.stringify({ category: c, request: items.map((i) => i.fields) }),
      orders: items.map((i) => ({ fields: i.fields, category: c })),
    }));
  return fc.oneof({ weight: 2, arbitrary: single }, batch);
}

const symbolOf = (raw: string, category: string) => {
  const base = raw.replace(/USDT$/, '');
  return category === 'linear' ? `${base}/USDT:USDT` : `${base}/USDT`;
};

/** Put the sandbox account back as it started: no open orders, default balances. */
function resetAccount(): void {
  const { engine } = h.sandbox;
  for (const o of engine.openOrders('main')) engine.cancelOrder('main', { id: o.id });
  const balances = engine.balances('main');
  for (const [coin, free] of Object.entries(DEFAULT_BALANCES)) balances.set(coin, { free, locked: 0 });
}

/** The executed engine order matches what the request asked for: symbol, side and size. */
function sameOrder(o: Order, asked: { fields: Fields; category: string }): boolean {
  const f = asked.fields;
  if (o.symbol !== symbolOf(String(f.symbol), asked.category)) return false;
  if (o.side !== String(f.side).toLowerCase()) return false;
  const size = Number(f.qty);
  const market = f.orderType === 'Market';
  const unit = f.marketUnit ?? (f.side === 'Buy' ? 'quoteCoin' : 'baseCoin');
  if (asked.category === 'spot' && market && unit === 'quoteCoin') {
    const spent = o.filled * (o.averagePrice ?? 0);
    return Math.abs(spent - size) <= 1e-6 * size;
  }
  return Math.abs(o.quantity - size) <= 1e-12;
}

describe('bybit differential: what executes satisfies the policy; what is let through executes exactly', () => {
  it('holds for random requests under random policies', async () => {
    const runs = differentialParams().numRuns;
    const started = performance.now();
    let allowed = 0;
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        tradingPolicy.chain((p) => fc.tuple(fc.constant(p), caseFor(p))),
        async ([policy, c]: [Policy, Case]) => {
          resetAccount();
          const { token } = await h.issue('bybit', `diff-${n++}`, { policy });
          const executed = markEngine(h.sandbox.engine);
          const r = await request(`${h.url}/bybit${c.path}`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: c.body,
          });
          const text = await r.body.text();
          const denied = r.headers['x-keywarden-code'] !== undefined;
          const done = executed();
          process.stdout.write(`${r.headers['x-keywarden-code']} ${text.slice(0, 200)}\n`);
          const why = `${c.path} ${c.body} → ${text}`;
          expect(
            violations(policy, done, (s) => h.sandbox.engine.market(s)?.price),
            why,
          ).toEqual([]);
          if (denied) {
            expect(done.orders, why).toEqual([]);
            return;
          }
          allowed++;
          const answer = JSON.parse(text) as {
            retCode: number;
            retExtInfo?: { list?: Array<{ code: number }> };
          };
          const codes =
            c.path === '/v5/order/create-batch'
              ? (answer.retExtInfo?.list ?? []).map((x) => x.code)
              : [answer.retCode];
          if (answer.retCode !== 0) {
            expect(done.orders, why).toEqual([]);
            return;
          }
          // Accepted, non-conditional orders are in the engine, one for one, as asked.
          const expected = c.orders.filter((o, i) => codes[i] === 0 && o.fields.triggerPrice === undefined);
          expect(done.orders.length, why).toBe(expected.length);
          // The engine lists open orders before filled ones: put them back in placement order.
          const placed = [...done.orders].sort((a, b) => Number(a.id) - Number(b.id));
          for (const [i, o] of placed.entries()) {
            const asked = expected[i];
            expect(asked && sameOrder(o, asked), `${why}\nexecuted ${JSON.stringify(o)}`).toBe(true);
          }
        },
      ),
      differentialParams(),
    );
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(
      `bybit differential: ${runs} runs (${allowed} let through) in ${seconds.toFixed(1)} s\n`,
    );
    expect(allowed).toBeGreaterThan(0);
  }, 600_000);
});
