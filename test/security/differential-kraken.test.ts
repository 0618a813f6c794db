/**
 * Differential policy test for Kraken (issue 10): random AddOrder / AddOrderBatch requests in
 * Kraken's own wire format (form and JSON; every order type; decoy, unknown and duplicated
 * fields; relative and odd numbers; per-order pairs; conditional closes; leverage flags) under
 * random policies, through the real gateway to the sandbox. What the sandbox executed must
 * satisfy the policy, and what keywarden let through must be exactly what executed.
 */
import fc from 'fast-check';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderIntent } from '../../src/exchanges/adapter.js';
import { kraken } from '../../src/exchanges/kraken.js';
import type { Policy } from '../../src/policy/policy-types.js';
import { DEFAULT_BALANCES, type Order } from '../../src/sandbox/engine.js';
import { type Harness, startHarness } from '../gateway/harness.js';
import { differentialRuns, markEngine, oddNumber, policyArb, violations } from './differential.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ exchanges: ['kraken'] });
});
afterAll(() => h.close());

/** Kraken pair names (several spellings) with the sandbox price of their market. */
const PAIRS: Array<[string, number]> = [
  ['XBTUSD', 60000],
  ['XXBTZUSD', 60000],
  ['ETHUSD', 3000],
  ['SOLUSD', 150],
  ['XBTEUR', 55000],
  ['XBTUSDT', 60000],
  ['ETHXBT', 0.05],
  ['XDGUSDT', 0.1],
  ['ZZZUSD', 1],
];
const ORDER_TYPES = [
  'market',
  'limit',
  'stop-loss',
  'take-profit',
  'stop-loss-limit',
  'take-profit-limit',
  'trailing-stop',
  'trailing-stop-limit',
  'settle-position',
  'iceberg',
];
const DECOYS = [
  'foo',
  'asset_class',
  'Price',
  'request',
  'orders',
  'price2',
  'trigger',
  'displayvol',
  'pair',
];

const fmt = (n: number) => Number(n.toPrecision(6)).toString();

/** A number as a client might write it: plain, relative to the market, or odd. */
const priceText = (market: number) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.double({ min: 0.7, max: 1.3, noNaN: true }).map((f) => fmt(market * f)) },
    { weight: 1, arbitrary: fc.constantFrom('+5', '-5', '#5', '5%', '+1%') },
    { weight: 1, arbitrary: oddNumber },
  );
type Fields = Record<string, unknown>;

/** Fields each order type reads (the honest form of the order). */
const USED: Record<string, string[]> = {
  market: [],
  limit: ['price'],
  'stop-loss': ['price'],
  'take-profit': ['price'],
  'stop-loss-limit': ['price', 'price2'],
  'take-profit-limit': ['price', 'price2'],
  'trailing-stop': ['offset'],
  'trailing-stop-limit': ['offset', 'price2'],
  'settle-position': ['leverage'],
  iceberg: ['price'],
};

/** What an attacker or a sloppy client adds to an honest order. */
const MUTATIONS = [
  'decoy',
  'oddVolume',
  'oddPrice',
  'relativePrice',
  'viqc',
  'post',
  'leverage',
  'reduceOnly',
  'close',
  'badClose',
  'side',
  'flags',
] as const;
type Mutation = (typeof MUTATIONS)[number];

const orderArb = (market: number, withPair: boolean) =>
  fc
    .record({
      type: fc.constantFrom('buy', 'sell'),
      ordertype: fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom('market', 'limit') },
        { weight: 1, arbitrary: fc.constantFrom(...ORDER_TYPES) },
      ),
      volume: fc.constantFrom(5, 50, 400, 900, 3000, 30000).map((q) => fmt(q / market)),
      price: fc.double({ min: 0.7, max: 1.3, noNaN: true }).map((f) => fmt(market * f)),
      price2: fc.double({ min: 0.9, max: 1.1, noNaN: true }).map((f) => fmt(market * f)),
      closePrice: fc.double({ min: 0.8, max: 1.2, noNaN: true }).map((f) => fmt(market * f)),
      extras: fc.oneof(
        { weight: 3, arbitrary: fc.constant([] as Mutation[]) },
        { weight: 2, arbitrary: fc.array(fc.constantFrom(...MUTATIONS), { minLength: 1, maxLength: 2 }) },
      ),
      decoy: fc.tuple(fc.constantFrom(...DECOYS), fc.oneof(priceText(market), fc.constantFrom('SOLUSD'))),
      odd: oddNumber,
      relative: fc.constantFrom('+5', '-5', '#5', '5%', '+1%'),
      leverage: fc.constantFrom('2', '5', '2:1', 'none'),
      flags: fc.constantFrom('fciq', 'nompp', 'viqc,post', 'viqc,viqc', 'zzz', 'fcib,fciq'),
      closeType: fc.constantFrom('limit', 'limit', 'market', 'stop-loss'),
      pair: fc.constantFrom(...PAIRS.map(([p]) => p)),
    })
    .map((g) => {
      const o: Fields = { type: g.type, ordertype: g.ordertype, volume: g.volume };
      for (const f of USED[g.ordertype] ?? []) {
        if (f === 'price') o.price = g.price;
        if (f === 'price2') o.price2 = g.price2;
        if (f === 'offset') o.price = '+50';
        if (f === 'leverage') o.leverage = '2';
      }
      const set = new Set(g.extras);
      if (set.has('decoy')) o[g.decoy[0]] = g.decoy[1];
      if (set.has('oddVolume')) o.volume = g.odd;
      if (set.has('oddPrice')) o.price = g.odd;
      if (set.has('relativePrice')) o.price = g.relative;
      if (set.has('viqc')) o.oflags = 'viqc';
      if (set.has('post')) o.oflags = 'post';
      if (set.has('flags')) o.oflags = g.flags;
      if (set.has('leverage')) o.leverage = g.leverage;
      if (set.has('reduceOnly')) o.reduce_only = 'true';
      if (set.has('close')) o.close = { ordertype: 'limit', price: g.closePrice };
      if (set.has('badClose')) o.close = { ordertype: g.closeType, price: g.relative };
      if (set.has('side')) o.type = 'Buy';
      if (withPair) o.pair = g.pair;
      return o;
    });

interface Case {
  method: 'AddOrder' | 'AddOrderBatch';
  json: boolean;
  body: string;
  policy: Policy;
}

/** A form body with Kraken's `close[...]` names; `dup` repeats one field. */
function formBody(fields: Fields, dup: string | undefined): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(fields)) {
    if (k === 'close' && typeof v === 'object' && v !== null) {
      for (const [ck, cv] of Object.entries(v))
        parts.push(`close%5B${ck}%5D=${encodeURIComponent(String(cv))}`);
    } else parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  }
  if (dup !== undefined && Object.hasOwn(fields, dup)) parts.push(`${dup}=${encodeURIComponent('SOLUSD')}`);
  return parts.join('&');
}

/** The sandbox's spot markets. */
const SPOT = [
  'BTC/USDT',
  'ETH/USDT',
  'SOL/USDT',
  'DOGE/USDT',
  'ETH/BTC',
  'BTC/USD',
  'ETH/USD',
  'SOL/USD',
  'BTC/EUR',
];

const caseArb: fc.Arbitrary<Case> = fc
  .tuple(
    fc.constantFrom(...PAIRS),
    fc.nat(9).map((n) => n < 3),
    fc.boolean(),
    fc.oneof(
      { weight: 9, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.constantFrom('pair', 'volume', 'price') },
    ),
  )
  .chain(([[pair, market], batch, json, dup]) =>
    fc.record({
      pair: fc.constant(pair),
      batch: fc.constant(batch),
      json: fc.constant(batch ? true : json),
      dup: fc.constant(dup),
      single: orderArb(market, false),
      items: fc.oneof(
        { weight: 9, arbitrary: fc.array(orderArb(market, false), { minLength: 2, maxLength: 3 }) },
        // Per-order pairs (Kraken would trade them), an empty batch and a batch of one.
        { weight: 1, arbitrary: fc.array(orderArb(market, true), { minLength: 0, maxLength: 2 }) },
      ),
      // Most policies let spot trading through, so the requests reach the sandbox and the sizes and prices decide.
      policy: fc
        .tuple(policyArb(SPOT), fc.nat(9))
        .map(
          ([p, n]): Policy =>
            n < 7 ? { ...p, actions: [...new Set([...p.actions, 'trade' as const])], markets: ['spot'] } : p,
        ),
    }),
  )
  .map((c) => {
    if (c.batch)
      return {
        method: 'AddOrderBatch' as const,
        json: true,
        body: JSON.stringify({ pair: c.pair, orders: c.items }),
        policy: c.policy,
      };
    const fields = { pair: c.pair, ...c.single };
    return {
      method: 'AddOrder' as const,
      json: c.json,
      body: c.json ? JSON.stringify(fields) : formBody(fields, c.dup),
      policy: c.policy,
    };
  });

/** Cancel what rests and give the account its starting balances back, so every case trades from the same state. */
function resetAccount(): void {
  const engine = h.sandbox.engine;
  for (const o of engine.openOrders('main')) engine.cancelOrder('main', { id: o.id });
  const balances = engine.balances('main');
  for (const [asset, b] of balances) {
    b.free = DEFAULT_BALANCES[asset] ?? 0;
    b.locked = 0;
  }
}

/** The executed order matches an intent keywarden allowed: same symbol, side and size. */
function matches(o: Order, intent: OrderIntent, market: number): boolean {
  if (intent.symbol !== o.symbol || intent.side !== o.side) return false;
  if (intent.quoteQuantity !== undefined) return Math.abs(o.quantity * market - intent.quoteQuantity) < 1e-6;
  return intent.quantity !== undefined && Math.abs(o.quantity - intent.quantity) < 1e-12;
}

describe('kraken differential: what executed satisfies the policy, and is what keywarden allowed', () => {
  it(`holds for ${differentialRuns()} random requests`, async () => {
    let n = 0;
    const tally = { denied: 0, exchangeRefused: 0, executed: 0 };
    const started = performance.now();
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        resetAccount();
        const { token } = await h.issue('kraken', `kraken-diff-${++n}`, { policy: c.policy });
        const executed = markEngine(h.sandbox.engine);
        const contentType = c.json ? 'application/json' : 'application/x-www-form-urlencoded';
        const r = await request(`${h.url}/kraken/0/private/${c.method}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
          body: c.body,
        });
        const answer = JSON.parse(await r.body.text()) as { error: string[] };
        const done = executed();
        const price = (symbol: string) => h.sandbox.engine.market(symbol)?.price;
        expect(violations(c.policy, done, price)).toEqual([]);
        const keywardenDenied = answer.error.some((e) => e.includes('keywarden denied'));
        if (keywardenDenied || answer.error.length > 0) {
          expect(done.orders).toEqual([]);
          if (keywardenDenied) tally.denied++;
          else tally.exchangeRefused++;
          return;
        }
        const intents = kraken.classify({
          method: 'POST',
          path: `/0/private/${c.method}`,
          query: '',
          headers: { 'content-type': contentType },
          body: c.body,
        }).orders;
        for (const o of done.orders)
          expect(intents.some((i) => matches(o, i, price(o.symbol) ?? Number.NaN))).toBe(true);
        if (done.orders.length > 0) tally.executed++;
      }),
      { numRuns: differentialRuns() },
    );
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(
      `kraken differential: ${differentialRuns()} runs in ${seconds.toFixed(1)} s (denied ${tally.denied}, exchange refused ${tally.exchangeRefused}, executed ${tally.executed})\n`,
    );
    // The generator must reach the sandbox, not only keywarden's refusals.
    expect(tally.executed).toBeGreaterThan(0);
  }, 300_000);
});
