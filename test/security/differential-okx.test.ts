/**
 * Differential policy test for OKX (issue 10): random OKX order requests in OKX's own wire
 * format — every order type, algo orders, amends, batches, decoy and duplicated fields, odd
 * number forms, attached TP/SL legs, spot, margin and perpetuals — under random policies,
 * through the real gateway to the sandbox. Whatever the sandbox executed satisfies the policy
 * (judged from its own orders), and whatever keywarden allowed is exactly what executed.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Credential, ExchangeRequest } from '../../src/exchanges/adapter.js';
import { okxSymbol } from '../../src/exchanges/okx/index.js';
import type { Policy } from '../../src/policy/policy-types.js';
import type { Order } from '../../src/sandbox/engine.js';
import { okxCall, okxPost } from '../e2e/okx-wire.js';
import { type Harness, startHarness } from '../gateway/harness.js';
import { differentialParams, markEngine, oddNumber, policyArb, violations } from './differential.js';

const SPOT = ['BTC-USDT', 'ETH-USDT', 'DOGE-USDT', 'SOL-USDT'];
const SWAPS = ['BTC-USDT-SWAP', 'ETH-USDT-SWAP', 'DOGE-USDT-SWAP'];
const CT_VAL: Record<string, number> = {
  'BTC-USDT-SWAP': 0.01,
  'ETH-USDT-SWAP': 0.1,
  'DOGE-USDT-SWAP': 1000,
};
const PRICE: Record<string, number> = { BTC: 60_000, ETH: 3_000, DOGE: 0.1, SOL: 150 };
const baseOf = (instId: string) => instId.split('-')[0] as string;
const priceOf = (instId: string) => PRICE[baseOf(instId)] as number;

/** What an item of the request asks for, to compare with what executed. */
interface Expect {
  symbol: string;
  side?: 'buy' | 'sell';
  /** Base units, when the order is sized in base units or contracts. */
  base?: number;
}

interface Case {
  request: ExchangeRequest;
  items: Expect[];
  /** A resting order the amend changes (placed on the sandbox before the request). */
  resting?: { instId: string; side: 'buy' | 'sell'; sz: number };
}

const side = fc.constantFrom('buy' as const, 'sell' as const);
/** Mostly what the exchange takes for this instrument, sometimes anything. */
const mostly = <T>(usual: T[], any: T[]) =>
  fc.oneof(
    { weight: 9, arbitrary: fc.constantFrom(...usual) },
    { weight: 1, arbitrary: fc.constantFrom(...any) },
  );
const PLACE_TYPES = ['limit', 'post_only', 'fok', 'ioc', 'market', 'optimal_limit_ioc'];
const instId = fc.constantFrom(...SPOT, ...SWAPS);
/** A decimal as OKX clients write it, or an odd form, or a JSON number. */
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
const priceArb = (id: string) => factor.chain((f) => numberLike(priceOf(id) * f));
const sizeArb = (id: string) =>
  id.endsWith('-SWAP')
    ? fc.integer({ min: 1, max: id.startsWith('DOGE') ? 8 : 60 }).chain((n) => numberLike(n))
    : fc.double({ min: 0.05, max: 3_000, noNaN: true }).chain((q) => numberLike(q / priceOf(id)));

const DECOYS: Array<[string, unknown]> = [
  ['request', [{ instId: 'ETH-USDT', side: 'buy', ordType: 'market', sz: '5' }]],
  ['pxUsd', '1'],
  ['tpTriggerPx', '1'],
  ['slOrdPx', '-1'],
  ['quickMgnType', 'manual'],
  ['instType', 'SWAP'],
  ['category', 'spot'],
  ['px', '1'],
  ['tgtCcy', 'quote_ccy'],
  ['posSide', 'long'],
  ['reduceOnly', true],
  ['ccy', 'USDT'],
  ['attachAlgoOrds', []],
  ['closeFraction', '1'],
];
const decoys = fc.oneof(
  { weight: 9, arbitrary: fc.constant([] as Array<[string, unknown]>) },
  { weight: 1, arbitrary: fc.subarray(DECOYS, { minLength: 1, maxLength: 2 }) },
);
const rarely = fc.oneof(
  { weight: 9, arbitrary: fc.constant(false) },
  { weight: 1, arbitrary: fc.constant(true) },
);

/** Attached or algo TP/SL legs: a take-profit, a stop-loss, or both, each trigger with its order price. */
const legArb = (id: string) =>
  fc
    .record({
      tp: fc.option(
        fc.record({ tpTriggerPx: priceArb(id), tpOrdPx: fc.oneof(fc.constant('-1'), priceArb(id)) }),
        { nil: undefined },
      ),
      sl: fc.option(
        fc.record({ slTriggerPx: priceArb(id), slOrdPx: fc.oneof(fc.constant('-1'), priceArb(id)) }),
        { nil: undefined },
      ),
    })
    .map(({ tp, sl }) => ({ ...tp, ...sl }) as Record<string, unknown>);

/** The fields every generated order has; tgtCcy only where OKX reads it (spot cash). */
function orderBase(r: {
  instId: string;
  tdMode: string;
  side: string;
  ordType: string;
  sz: unknown;
  tgtCcy?: string | undefined;
}): Record<string, unknown> {
  const o: Record<string, unknown> = {
    instId: r.instId,
    tdMode: r.tdMode,
    side: r.side,
    ordType: r.ordType,
    sz: r.sz,
  };
  if (r.tgtCcy && r.tdMode === 'cash') o.tgtCcy = r.tgtCcy;
  return o;
}

/** One place-order item: every ordType OKX has on /trade/order, with its size and price. */
const placeItem = instId.chain((id) =>
  fc
    .record({
      instId: fc.constant(id),
      tdMode: id.endsWith('-SWAP')
        ? mostly(['cross', 'isolated'], ['cash'])
        : mostly(['cash', 'cash', 'cross'], ['isolated']),
      side,
      ordType: id.endsWith('-SWAP')
        ? fc.constantFrom(...PLACE_TYPES)
        : mostly(PLACE_TYPES.slice(0, 5), PLACE_TYPES),
      sz: sizeArb(id),
      px: priceArb(id),
      tgtCcy: fc.option(mostly(['base_ccy'], ['quote_ccy']), { nil: undefined }),
      quoteMarket: fc.boolean(),
      legs: fc.option(legArb(id), { nil: undefined, freq: 4 }),
      decoys,
    })
    .map((r) => {
      const o = orderBase(r);
      if (!['market', 'optimal_limit_ioc'].includes(r.ordType)) o.px = r.px;
      if (r.quoteMarket && r.tdMode === 'cash' && r.ordType === 'market') {
        o.tgtCcy = 'quote_ccy';
        o.sz = String(Math.round((Number(r.sz) || 1) * priceOf(id)));
      }
      if (r.legs && Object.keys(r.legs).length > 0) o.attachAlgoOrds = [r.legs];
      for (const [k, v] of r.decoys) o[k] = v;
      return o;
    }),
);

/** One algo order: trigger, conditional, oco, trailing. */
const algoItem = instId.chain((id) =>
  fc
    .record({
      instId: fc.constant(id),
      tdMode: fc.constantFrom(...(id.endsWith('-SWAP') ? ['cross'] : ['cash', 'cross'])),
      side,
      ordType: fc.constantFrom('trigger', 'conditional', 'oco', 'move_order_stop'),
      sz: sizeArb(id),
      triggerPx: priceArb(id),
      orderPx: fc.oneof(fc.constant('-1'), priceArb(id)),
      legs: legArb(id),
      tgtCcy: fc.constantFrom('base_ccy', undefined),
      decoys,
    })
    .map((r) => {
      const o = orderBase(r);
      if (r.ordType === 'trigger') Object.assign(o, { triggerPx: r.triggerPx, orderPx: r.orderPx });
      else if (r.ordType === 'move_order_stop') o.callbackRatio = '0.01';
      else Object.assign(o, r.legs);
      for (const [k, v] of r.decoys) o[k] = v;
      return o;
    }),
);

/** The body text, sometimes with a key written twice (the second value differs). */
function bodyText(value: unknown, duplicate: boolean): string {
  const text = JSON.stringify(value);
  if (!duplicate || !text.endsWith('}')) return text;
  return `${text.slice(0, -1)},"sz":"999"}`;
}

function expectOf(o: Record<string, unknown>): Expect {
  const id = String(o.instId);
  const symbol = okxSymbol(id) ?? id;
  const sz = Number(o.sz);
  const ct = CT_VAL[id];
  const spotMarket =
    ct === undefined && o.tdMode === 'cash' && ['market', 'optimal_limit_ioc'].includes(String(o.ordType));
  const algoMarket =
    o.orderPx === '-1' ||
    o.ordType === 'move_order_stop' ||
    o.slOrdPx === '-1' ||
    (o.slTriggerPx === undefined && o.tpOrdPx === '-1');
  const inQuote =
    ct === undefined &&
    o.tdMode === 'cash' &&
    (spotMarket || (String(o.ordType) in ALGO && algoMarket)) &&
    (o.tgtCcy ?? (o.side === 'buy' ? 'quote_ccy' : 'base_ccy')) === 'quote_ccy';
  return {
    symbol,
    side: o.side as 'buy' | 'sell',
    ...(inQuote ? {} : { base: sz * (ct ?? 1) }),
  };
}
const ALGO = { trigger: 1, conditional: 1, oco: 1, move_order_stop: 1 };

const caseArb: fc.Arbitrary<Case> = fc.oneof(
  fc.record({ item: placeItem, dup: rarely }).map(({ item, dup }) => ({
    request: okxPost('/api/v5/trade/order', bodyText(item, dup)),
    items: [expectOf(item)],
  })),
  fc
    .record({
      items: fc.oneof(
        { weight: 9, arbitrary: fc.array(placeItem, { minLength: 1, maxLength: 3 }) },
        { weight: 1, arbitrary: fc.constant([] as Array<Record<string, unknown>>) },
      ),
      asSingle: rarely,
    })
    .map(({ items, asSingle }) => ({
      // A batch, or (a decoy form) the same array on the single-order endpoint.
      request: okxPost(
        asSingle ? '/api/v5/trade/order' : '/api/v5/trade/batch-orders',
        JSON.stringify(items),
      ),
      items: items.map(expectOf),
    })),
  fc.record({ item: algoItem, dup: rarely }).map(({ item, dup }) => ({
    request: okxPost('/api/v5/trade/order-algo', bodyText(item, dup)),
    items: [expectOf(item)],
  })),
  fc
    .record({
      instId,
      side,
      newSz: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
      newPx: fc.option(factor, { nil: undefined }),
      decoys,
      batch: fc.boolean(),
    })
    .map((r) => {
      const ct = CT_VAL[r.instId] ?? 1;
      const unit = ct === 1 ? Number((500 / priceOf(r.instId)).toPrecision(6)) : 1;
      const amend: Record<string, unknown> = { instId: r.instId, ordId: 'RESTING' };
      if (r.newSz !== undefined) amend.newSz = String(Number((r.newSz * unit).toPrecision(6)));
      if (r.newPx !== undefined) amend.newPx = String(Number((priceOf(r.instId) * r.newPx).toPrecision(6)));
      for (const [k, v] of r.decoys) amend[k] = v;
      return {
        request: okxPost(
          r.batch ? '/api/v5/trade/amend-batch-orders' : '/api/v5/trade/amend-order',
          JSON.stringify(r.batch ? [amend] : amend),
        ),
        items: [
          {
            symbol: okxSymbol(r.instId) ?? r.instId,
            side: r.side,
            base: (r.newSz === undefined ? unit : Number((r.newSz * unit).toPrecision(6))) * ct,
          },
        ],
        resting: { instId: r.instId, side: r.side, sz: unit },
      };
    }),
);

let h: Harness;
const INITIAL = new Map<string, number>();
beforeAll(async () => {
  h = await startHarness({ exchanges: ['okx'] });
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

/** A limit order resting 0.5 % away from the market, for an amend to change (placed on the sandbox directly). */
function placeResting(r: NonNullable<Case['resting']>): Order {
  const symbol = okxSymbol(r.instId) ?? r.instId;
  const price = priceOf(r.instId) * (r.side === 'buy' ? 0.995 : 1.005);
  const placed = h.sandbox.engine.placeOrder({
    account: 'main',
    symbol,
    side: r.side,
    type: 'limit',
    quantity: r.sz * (CT_VAL[r.instId] ?? 1),
    price: Number(price.toPrecision(6)),
  });
  if (!placed.ok) throw new Error(placed.error.message);
  return placed.value;
}

/**
 * Two small pools of clients, each given the case's policy before its request: issuing a client
 * per case would make the gateway reload ever more clients (20,000 cases in `npm run fuzz`).
 * Usage carries over within a client, so each remembers the notional it executed. The gateway
 * records notional only under a policy with a notional cap, so capped policies get clients that
 * only ever had capped policies (their recorded usage covers what they executed).
 */
const POOL = 32;
const pool = new Map<string, { name: string; credential: Credential; executed: number }>();
async function clientFor(run: number, policy: Policy) {
  const capped = policy.maxOrderNotional !== undefined || policy.maxDailyNotional !== undefined;
  const slot = `${capped ? 'capped' : 'uncapped'}-${run % POOL}`;
  let client = pool.get(slot);
  if (!client) {
    const name = `okx-diff-${slot}`;
    client = { name, credential: (await h.issue('okx', name, { policy })).credential, executed: 0 };
    pool.set(slot, client);
  } else await h.clients.setPolicy(client.name, policy);
  return client;
}

/** What orders spent or can spend, as the oracle counts it: fills at their prices plus any resting remainder. */
function notionalOf(orders: Order[]): number {
  let total = 0;
  for (const o of orders)
    total +=
      o.filled * (o.averagePrice ?? 0) + (o.status === 'open' ? (o.quantity - o.filled) * (o.price ?? 0) : 0);
  return total;
}

describe('okx differential: what executes satisfies the policy, what is allowed is what executes', () => {
  it(
    `holds for ${differentialParams().numRuns} random requests under random policies`,
    async () => {
      const started = Date.now();
      // The shared random policies, with trading (and swaps) more often allowed so allowed orders are common too.
      const policies = fc
        .tuple(
          policyArb(
            SPOT.map((s) => okxSymbol(s) as string),
            SWAPS.map((s) => okxSymbol(s) as string),
          ),
          fc.boolean(),
          fc.boolean(),
        )
        .map(
          ([p, trade, swap]): Policy => ({
            ...p,
            actions: trade ? [...new Set([...p.actions, 'trade' as const])] : p.actions,
            markets: swap ? ['spot', 'swap'] : p.markets,
          }),
        );
      let allowed = 0;
      let runs = 0;
      const outcomes = new Map<string, number>();
      await fc.assert(
        fc.asyncProperty(policies, caseArb, async (policy, c) => {
          resetAccount();
          let request = c.request;
          if (c.resting) {
            const resting = placeResting(c.resting);
            request = { ...request, body: request.body.replace('RESTING', resting.id) };
          }
          const client = await clientFor(runs++, policy);
          const since = markEngine(h.sandbox.engine);
          const answer = await okxCall(h.url, client.credential, request);
          const executed = since();
          // Earlier cases of this client count toward today's cap (the gateway's usage remembers them).
          const usedToday = { notional: executed.orders.length > 0 ? client.executed : 0, withdrawn: {} };
          client.executed += notionalOf(executed.orders);
          const market = (symbol: string) => h.sandbox.engine.market(symbol)?.price;
          expect(violations(policy, executed, market, usedToday), `${request.path} ${request.body}`).toEqual(
            [],
          );
          const why =
            answer.keywarden === 'policy_denied'
              ? /rule (\S+):/.exec(answer.json.msg)?.[1]
              : answer.keywarden;
          outcomes.set(
            why ?? `okx ${answer.json.code}`,
            (outcomes.get(why ?? `okx ${answer.json.code}`) ?? 0) + 1,
          );
          if (answer.keywarden !== undefined) {
            expect(executed.orders, answer.json.msg).toEqual([]);
            return;
          }
          allowed++;
          // Allowed: each accepted item is one executed order, the same symbol, side and size.
          const accepted = c.items.filter((_, i) => answer.json.data[i]?.sCode === '0');
          expect(executed.orders.length, JSON.stringify(answer.json)).toBe(accepted.length);
          // In the order they were placed (the engine lists open orders before closed ones).
          const placed = [...executed.orders].sort((a, b) => Number(a.id) - Number(b.id));
          accepted.forEach((want, i) => {
            const got = placed[i] as Order;
            expect(got.symbol).toBe(want.symbol);
            if (want.side) expect(got.side).toBe(want.side);
            if (want.base !== undefined) expect(got.quantity).toBeCloseTo(want.base, 6);
          });
        }),
        differentialParams(),
      );
      const ms = Date.now() - started;
      process.stdout.write(
        `okx differential: ${differentialParams().numRuns} runs, ${allowed} allowed, ${ms} ms; ${JSON.stringify(Object.fromEntries(outcomes))}\n`,
      );
    },
    Math.max(600_000, differentialParams().numRuns * 200),
  );
});
