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
import { kraken } from '../../src/exchanges/kraken/index.js';
import type { Policy } from '../../src/policy/policy-types.js';
import { DEFAULT_BALANCES, type Order } from '../../src/sandbox/engine.js';
import { type Harness, startHarness } from '../gateway/harness.js';
import { differentialParams, markEngine, oddNumber, policyArb, violations } from './differential.js';

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
  method: 'AddOrder' | 'AddOrderBatch' | 'AmendOrder' | 'EditOrder';
  json: boolean;
  /** `{TXID}` stands for the resting order's txid. */
  body: string;
  policy: Policy;
  /** The order an amend changes, placed on the sandbox before the request. */
  resting?: { symbol: string; side: 'buy' | 'sell'; quantity: number; price: number };
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

/** Most policies let spot trading through, so the requests reach the sandbox and the sizes and prices decide. */
const tradingPolicy = fc
  .tuple(policyArb(SPOT), fc.nat(9))
  .map(
    ([p, n]): Policy =>
      n < 7 ? { ...p, actions: [...new Set([...p.actions, 'trade' as const])], markets: ['spot'] } : p,
  );

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
      policy: tradingPolicy,
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

/** Present in about one case of four. */
const rarely = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });

/** Amends of a resting order: new size and prices, plain, relative or odd, with decoys. */
const RESTING: Array<[symbol: string, pair: string, market: number, quoteBudget: number]> = [
  ['BTC/USD', 'XBTUSD', 60000, 400],
  ['SOL/USD', 'SOLUSD', 150, 400],
  ['ETH/BTC', 'ETHXBT', 0.05, 0.01],
];
const amendArb: fc.Arbitrary<Case> = fc
  .tuple(fc.constantFrom(...RESTING), fc.constantFrom('buy' as const, 'sell' as const))
  .chain(([[symbol, pair, market, budget], side]) =>
    fc
      .record({
        edit: fc.nat(4).map((k) => k === 0),
        price: fc.oneof(
          {
            weight: 6,
            arbitrary: fc.double({ min: 0.7, max: 1.3, noNaN: true }).map((f) => fmt(market * f)),
          },
          { weight: 1, arbitrary: fc.constantFrom('+5', '-5%', '#1') },
          { weight: 1, arbitrary: oddNumber },
        ),
        qty: fc.option(fc.constantFrom(0.01, 1, 2.25, 7.5, 75).map((k) => fmt((k * budget) / market))),
        trigger: rarely(fc.double({ min: 0.8, max: 1.2, noNaN: true }).map((f) => fmt(market * f))),
        decoy: rarely(fc.constantFrom('pair=SOLUSD', 'price=1', 'volume=5', 'foo=1', 'type=sell')),
        policy: tradingPolicy,
      })
      .map((g): Case => {
        const parts = ['txid={TXID}'];
        if (g.edit) {
          parts.push(`pair=${pair}`, `price=${encodeURIComponent(g.price)}`);
          if (g.qty) parts.push(`volume=${g.qty}`);
        } else {
          parts.push(`limit_price=${encodeURIComponent(g.price)}`);
          if (g.qty) parts.push(`order_qty=${g.qty}`);
          if (g.trigger) parts.push(`trigger_price=${g.trigger}`);
        }
        if (g.decoy) parts.push(g.decoy);
        return {
          method: g.edit ? 'EditOrder' : 'AmendOrder',
          json: false,
          body: parts.join('&'),
          policy: g.policy,
          resting: {
            symbol,
            side,
            quantity: Number(fmt(budget / market)),
            price: Number(fmt(market * (side === 'buy' ? 0.9 : 1.1))),
          },
        };
      }),
  );

const anyCase = fc.oneof({ weight: 4, arbitrary: caseArb }, { weight: 1, arbitrary: amendArb });

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
  it(
    `holds for ${differentialParams().numRuns} random requests`,
    async () => {
      let n = 0;
      const tally = { denied: 0, exchangeRefused: 0, executed: 0, amendsExecuted: 0 };
      const started = performance.now();
      await fc.assert(
        fc.asyncProperty(anyCase, async (c) => {
          resetAccount();
          let body = c.body;
          let amended: OrderIntent | undefined;
          if (c.resting) {
            const r = h.sandbox.engine.placeOrder({ account: 'main', type: 'limit', ...c.resting });
            if (!r.ok) throw new Error(r.error.message);
            body = body.replace('{TXID}', `OSBX${r.value.id.padStart(3, '0')}-KRKEN-SANDBX`);
            const q = /(?:order_qty|volume)=([\d.]+)/.exec(body)?.[1];
            amended = {
              symbol: c.resting.symbol,
              side: c.resting.side,
              quantity: q === undefined ? c.resting.quantity : Number(q),
            };
          }
          const { token } = await h.issue('kraken', `kraken-diff-${++n}`, { policy: c.policy });
          const executed = markEngine(h.sandbox.engine);
          const contentType = c.json ? 'application/json' : 'application/x-www-form-urlencoded';
          const r = await request(`${h.url}/kraken/0/private/${c.method}`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
            body,
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
          const intents = amended
            ? [amended]
            : kraken.classify({
                method: 'POST',
                path: `/0/private/${c.method}`,
                query: '',
                headers: { 'content-type': contentType },
                body,
              }).orders;
          for (const o of done.orders)
            expect(intents.some((i) => matches(o, i, price(o.symbol) ?? Number.NaN))).toBe(true);
          if (done.orders.length > 0) tally.executed++;
          if (done.orders.length > 0 && amended) tally.amendsExecuted++;
        }),
        differentialParams(),
      );
      const seconds = (performance.now() - started) / 1000;
      process.stdout.write(
        `kraken differential: ${differentialParams().numRuns} runs in ${seconds.toFixed(1)} s (denied ${tally.denied}, exchange refused ${tally.exchangeRefused}, executed ${tally.executed}, of them amends ${tally.amendsExecuted})\n`,
      );
      // The generator must reach the sandbox, not only keywarden's refusals.
      expect(tally.executed).toBeGreaterThan(0);
    },
    Math.max(300_000, differentialParams().numRuns * 250),
  );
});
