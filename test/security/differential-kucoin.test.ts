/**
 * Differential policy test for KuCoin: random spot order requests in KuCoin's own wire format —
 * limit and market orders (by size and by funds), decoy, margin and stop fields, duplicated keys,
 * odd number forms, off-list symbols — under random policies, through the real gateway to the
 * sandbox. Whatever the sandbox executed satisfies the policy (judged from its own orders), and
 * whatever keywarden let through is exactly what executed.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Credential, ExchangeRequest } from '../../src/exchanges/adapter.js';
import { kucoin, kucoinSymbol } from '../../src/exchanges/kucoin/index.js';
import type { Policy } from '../../src/policy/policy-types.js';
import type { Order } from '../../src/sandbox/engine.js';
import { type Harness, startHarness } from '../gateway/harness.js';
import { differentialParams, markEngine, oddNumber, policyArb, violations } from './differential.js';

const SPOT = ['BTC-USDT', 'ETH-USDT', 'DOGE-USDT', 'SOL-USDT'];
const PRICE: Record<string, number> = { BTC: 60_000, ETH: 3_000, DOGE: 0.1, SOL: 150 };
const priceOf = (symbol: string) => PRICE[symbol.split('-')[0] as string] as number;

const numberLike = (n: number) =>
  fc.oneof(
    { weight: 40, arbitrary: fc.constant(String(Number(n.toPrecision(6)))) },
    { weight: 1, arbitrary: oddNumber },
    { weight: 2, arbitrary: fc.constant(Number(n.toPrecision(6))) },
  );
const factor = fc.oneof(
  { weight: 3, arbitrary: fc.double({ min: 0.97, max: 1.03, noNaN: true }) },
  { weight: 1, arbitrary: fc.double({ min: 0.6, max: 1.45, noNaN: true }) },
);
const DECOYS: Array<[string, unknown]> = [
  ['request', [{ symbol: 'ETH-USDT', side: 'buy', type: 'market', size: '5' }]],
  ['stopPrice', '1'],
  ['stop', 'loss'],
  ['tradeType', 'MARGIN_TRADE'],
  ['marginModel', 'isolated'],
  ['leverage', '10'],
  ['price', '1'],
  ['funds', '1'],
  ['autoBorrow', true],
  ['Size', '100'],
];
const decoys = fc.oneof(
  { weight: 9, arbitrary: fc.constant([] as Array<[string, unknown]>) },
  { weight: 1, arbitrary: fc.subarray(DECOYS, { minLength: 1, maxLength: 2 }) },
);

let seq = 0;
const item = fc.constantFrom(...SPOT).chain((symbol) =>
  fc
    .record({
      side: fc.constantFrom('buy', 'sell'),
      type: fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom('limit', 'market') },
        { weight: 1, arbitrary: fc.constant('stop') },
      ),
      byFunds: fc.boolean(),
      size: fc.double({ min: 0.05, max: 3_000, noNaN: true }).chain((q) => numberLike(q / priceOf(symbol))),
      funds: fc.double({ min: 0.5, max: 3_000, noNaN: true }).chain((q) => numberLike(q)),
      price: factor.chain((f) => numberLike(priceOf(symbol) * f)),
      tif: fc.constantFrom(undefined, 'GTC', 'IOC'),
      decoys,
      duplicate: fc.oneof(
        { weight: 19, arbitrary: fc.constant(false) },
        { weight: 1, arbitrary: fc.constant(true) },
      ),
    })
    .map((r) => {
      const o: Record<string, unknown> = { clientOid: `d${++seq}`, side: r.side, symbol, type: r.type };
      if (r.type === 'market' && r.byFunds) o.funds = r.funds;
      else o.size = r.size;
      if (r.type !== 'market') o.price = r.price;
      if (r.tif && r.type === 'limit') o.timeInForce = r.tif;
      for (const [k, v] of r.decoys) o[k] = v;
      const text = JSON.stringify(o);
      return { o, body: r.duplicate ? text.replace(/}$/, ',"size":"999"}') : text };
    }),
);

let h: Harness;
const INITIAL = new Map<string, number>();
beforeAll(async () => {
  h = await startHarness({ exchanges: ['kucoin'] });
  for (const [asset, b] of h.sandbox.engine.balances('main')) INITIAL.set(asset, b.free);
});
afterAll(() => h.close());

/** Cancel what rests and refill balances: every case starts from the same account. */
function resetAccount(): void {
  const engine = h.sandbox.engine;
  for (const o of engine.openOrders('main')) engine.cancelOrder('main', { id: o.id });
  for (const [asset, b] of engine.balances('main')) {
    b.free = INITIAL.get(asset) ?? 0;
    b.locked = 0;
  }
}

/** Client pools as in the OKX test: capped policies get clients that only ever had capped policies. */
const POOL = 16;
const pool = new Map<string, { name: string; credential: Credential; executed: number }>();
async function clientFor(run: number, policy: Policy) {
  const capped = policy.maxOrderNotional !== undefined || policy.maxDailyNotional !== undefined;
  const slot = `${capped ? 'capped' : 'uncapped'}-${run % POOL}`;
  let client = pool.get(slot);
  if (!client) {
    const name = `kucoin-diff-${slot}`;
    client = { name, credential: (await h.issue('kucoin', name, { policy })).credential, executed: 0 };
    pool.set(slot, client);
  } else await h.clients.setPolicy(client.name, policy);
  return client;
}

const notionalOf = (orders: Order[]) =>
  orders.reduce(
    (t, o) =>
      t +
      o.filled * (o.averagePrice ?? 0) +
      (o.status === 'open' ? (o.quantity - o.filled) * (o.price ?? 0) : 0),
    0,
  );

async function call(credential: Credential, body: string) {
  const request: ExchangeRequest = { method: 'POST', path: '/api/v1/orders', query: '', headers: {}, body };
  const signed = kucoin.sign(request, credential, {
    clock: { now: Date.now },
    nonce: { next: () => '0' },
    baseUrl: '',
  });
  const res = await fetch(`${h.url}/kucoin${signed.path}`, {
    method: 'POST',
    headers: signed.headers,
    body: signed.body,
  });
  return {
    keywarden: res.headers.get('x-keywarden-code') ?? undefined,
    json: JSON.parse(await res.text()) as { code: string; msg?: string },
  };
}

describe('kucoin differential: what executes satisfies the policy, what is allowed is what executes', () => {
  it(
    `holds for ${differentialParams().numRuns} random requests under random policies`,
    async () => {
      const policies = fc.tuple(policyArb(SPOT.map((s) => kucoinSymbol(s) as string)), fc.boolean()).map(
        ([p, trade]): Policy => ({
          ...p,
          actions: trade ? [...new Set([...p.actions, 'trade' as const])] : p.actions,
        }),
      );
      let allowed = 0;
      let runs = 0;
      const outcomes = new Map<string, number>();
      await fc.assert(
        fc.asyncProperty(policies, item, async (policy, c) => {
          resetAccount();
          const client = await clientFor(runs++, policy);
          const since = markEngine(h.sandbox.engine);
          const answer = await call(client.credential, c.body);
          const executed = since();
          const usedToday = { notional: executed.orders.length > 0 ? client.executed : 0, withdrawn: {} };
          client.executed += notionalOf(executed.orders);
          const market = (symbol: string) => h.sandbox.engine.market(symbol)?.price;
          expect(violations(policy, executed, market, usedToday), c.body).toEqual([]);
          const why =
            answer.keywarden === 'policy_denied'
              ? /rule (\S+):/.exec(answer.json.msg ?? '')?.[1]
              : answer.keywarden;
          const key = why ?? `kucoin ${answer.json.code}`;
          outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
          if (answer.keywarden !== undefined) {
            expect(executed.orders, answer.json.msg).toEqual([]);
            return;
          }
          if (answer.json.code !== '200000') {
            expect(executed.orders, JSON.stringify(answer.json)).toEqual([]);
            return;
          }
          allowed++;
          // Allowed and accepted: exactly the order asked for, the same symbol, side and size.
          expect(executed.orders).toHaveLength(1);
          const [got] = executed.orders;
          expect(got?.symbol).toBe(kucoinSymbol(String(c.o.symbol)));
          expect(got?.side).toBe(c.o.side);
          if (c.o.size !== undefined) expect(got?.quantity).toBeCloseTo(Number(c.o.size), 6);
          else expect((got?.quantity ?? 0) * (got?.averagePrice ?? 0)).toBeCloseTo(Number(c.o.funds), 6);
        }),
        differentialParams(),
      );
      process.stdout.write(
        `kucoin differential: ${differentialParams().numRuns} runs, ${allowed} allowed; ${JSON.stringify(Object.fromEntries(outcomes))}\n`,
      );
      expect(allowed).toBeGreaterThan(0);
    },
    Math.max(600_000, differentialParams().numRuns * 200),
  );
});
