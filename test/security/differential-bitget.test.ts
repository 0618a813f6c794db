/**
 * Differential policy test for Bitget: random v2 spot requests in Bitget's own wire format —
 * limit and market orders (market buys sized in USDT), batches, decoy and duplicated fields,
 * odd number forms, withdrawals and transfers — under random policies, through the real gateway
 * to the sandbox. Whatever the sandbox executed satisfies the policy (judged from its own
 * orders and withdrawals), and whatever keywarden allowed is exactly what executed.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Credential, ExchangeRequest } from '../../src/exchanges/adapter.js';
import { bitget, bitgetSymbol } from '../../src/exchanges/bitget/index.js';
import type { Policy } from '../../src/policy/policy-types.js';
import type { Order } from '../../src/sandbox/engine.js';
import { type Harness, startHarness } from '../gateway/harness.js';
import { differentialParams, markEngine, oddNumber, policyArb, violations } from './differential.js';

/** A short run in `npm test` (the recipe's proof); `npm run fuzz` raises it through KW_FUZZ_RUNS. */
const RUNS = (() => {
  const n = Number(process.env.KW_FUZZ_RUNS);
  return Number.isInteger(n) && n > 0 ? n : 200;
})();

const SPOT = ['BTCUSDT', 'ETHUSDT', 'DOGEUSDT', 'SOLUSDT'];
const PRICE: Record<string, number> = { BTCUSDT: 60_000, ETHUSDT: 3_000, DOGEUSDT: 0.1, SOLUSDT: 150 };
const priceOf = (s: string) => PRICE[s] as number;

interface Expect {
  symbol: string;
  side: 'buy' | 'sell';
  /** Base units when sized in base; undefined for a market buy (sized in quote). */
  base?: number;
}
interface Case {
  request: ExchangeRequest;
  items: Expect[];
}

const post = (path: string, body: string): ExchangeRequest => ({
  method: 'POST',
  path,
  query: '',
  headers: {},
  body,
});
const side = fc.constantFrom('buy' as const, 'sell' as const);
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
  ['orderList', [{ symbol: 'SOLUSDT', side: 'buy', orderType: 'market', size: '5000' }]],
  ['triggerPrice', '1'],
  ['tpslType', 'tpsl'],
  ['presetTakeProfitPrice', '1'],
  ['executeStopLossPrice', '1'],
  ['price', '1'],
  ['quoteSize', '100'],
  ['baseSize', '100'],
  ['loanType', 'normal'],
  ['receiveWindow', '5000'],
];
const decoys = fc.oneof(
  { weight: 9, arbitrary: fc.constant([] as Array<[string, unknown]>) },
  { weight: 1, arbitrary: fc.subarray(DECOYS, { minLength: 1, maxLength: 2 }) },
);
const rarely = fc.oneof(
  { weight: 9, arbitrary: fc.constant(false) },
  { weight: 1, arbitrary: fc.constant(true) },
);

/** One order: a limit (base size at a price), a market sell (base) or a market buy (quote). */
const orderItem = fc.constantFrom(...SPOT).chain((symbol) =>
  fc
    .record({
      symbol: fc.constant(symbol),
      side,
      orderType: fc.constantFrom('limit', 'limit', 'market'),
      force: fc.constantFrom('gtc', 'GTC', 'ioc', 'post_only'),
      price: factor.chain((f) => numberLike(priceOf(symbol) * f)),
      quote: fc.double({ min: 1, max: 3_000, noNaN: true }),
      decoys,
    })
    .chain((r) => {
      const sizeInQuote = r.orderType === 'market' && r.side === 'buy';
      const size = sizeInQuote ? numberLike(r.quote) : numberLike(r.quote / priceOf(symbol));
      return size.map((s) => {
        const o: Record<string, unknown> = {
          symbol,
          side: r.side,
          orderType: r.orderType,
          force: r.force,
          size: s,
        };
        if (r.orderType === 'limit') o.price = r.price;
        for (const [k, v] of r.decoys) o[k] = v;
        return o;
      });
    }),
);

function expectOf(o: Record<string, unknown>): Expect {
  const symbol = bitgetSymbol(String(o.symbol)) ?? String(o.symbol);
  const s = o.side as 'buy' | 'sell';
  if (o.orderType === 'market' && s === 'buy') return { symbol, side: s };
  return { symbol, side: s, base: Number(o.size) };
}

function bodyText(value: unknown, duplicate: boolean): string {
  const text = JSON.stringify(value);
  return duplicate ? `${text.slice(0, -1)},"size":"999"}` : text;
}

const caseArb: fc.Arbitrary<Case> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({ item: orderItem, dup: rarely }).map(({ item, dup }) => ({
      request: post('/api/v2/spot/trade/place-order', bodyText(item, dup)),
      items: [expectOf(item)],
    })),
  },
  {
    weight: 2,
    arbitrary: fc.array(orderItem, { minLength: 1, maxLength: 3 }).map((items) => {
      const symbol = String(items[0]?.symbol);
      // A batch is of one symbol: the items keep theirs, so a differing one is a decoy.
      const orderList = items.map(({ symbol: own, ...rest }) =>
        own === symbol ? rest : { symbol: own, ...rest },
      );
      return {
        request: post('/api/v2/spot/trade/batch-orders', JSON.stringify({ symbol, orderList })),
        items: items.map((o) => expectOf({ ...o, symbol })),
      };
    }),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({ size: numberLike(50), address: fc.constantFrom('TXallowed', 'TXother'), decoys })
      .map(({ size, address, decoys: d }) => {
        const w: Record<string, unknown> = {
          coin: 'USDT',
          transferType: 'on_chain',
          address,
          chain: 'TRC20',
          size,
        };
        for (const [k, v] of d) w[k] = v;
        return { request: post('/api/v2/spot/wallet/withdrawal', JSON.stringify(w)), items: [] };
      }),
  },
);

let h: Harness;
const INITIAL = new Map<string, number>();
beforeAll(async () => {
  h = await startHarness({ exchanges: ['bitget'] });
  for (const [asset, b] of h.sandbox.engine.balances('main')) INITIAL.set(asset, b.free);
});
afterAll(() => h.close());

function resetAccount(): void {
  const engine = h.sandbox.engine;
  for (const o of engine.openOrders('main')) engine.cancelOrder('main', { id: o.id });
  for (const [asset, b] of engine.balances('main')) {
    b.free = INITIAL.get(asset) ?? 0;
    b.locked = 0;
  }
}

/** Pools of clients given each case's policy (see differential-okx: capped policies get their own clients). */
const POOL = 16;
const pool = new Map<string, { name: string; credential: Credential; executed: number }>();
async function clientFor(run: number, policy: Policy) {
  const capped = policy.maxOrderNotional !== undefined || policy.maxDailyNotional !== undefined;
  const slot = `${capped ? 'capped' : 'uncapped'}-${run % POOL}`;
  let client = pool.get(slot);
  if (!client) {
    const name = `bitget-diff-${slot}`;
    client = { name, credential: (await h.issue('bitget', name, { policy })).credential, executed: 0 };
    pool.set(slot, client);
  } else await h.clients.setPolicy(client.name, policy);
  return client;
}

function notionalOf(orders: Order[]): number {
  let total = 0;
  for (const o of orders)
    total +=
      o.filled * (o.averagePrice ?? 0) + (o.status === 'open' ? (o.quantity - o.filled) * (o.price ?? 0) : 0);
  return total;
}

interface Answer {
  code: string;
  msg: string;
  data: { successList?: Array<{ orderId: string }>; orderId?: string } | null;
}

async function call(cred: Credential, request: ExchangeRequest): Promise<Answer> {
  const signed = bitget.sign(request, cred, {
    clock: { now: Date.now },
    nonce: { next: () => '0' },
    baseUrl: '',
  });
  const res = await fetch(`${h.url}/bitget${signed.path}`, {
    method: signed.method,
    headers: signed.headers,
    body: signed.body,
  });
  return JSON.parse(await res.text()) as Answer;
}

describe('bitget differential: what executes satisfies the policy, what is allowed is what executes', () => {
  it(`holds for ${RUNS} random requests under random policies`, async () => {
    const policies = fc
      .tuple(
        policyArb(SPOT.map((s) => bitgetSymbol(s) as string)),
        fc.boolean(),
        fc.option(fc.constant<string[]>(['TXallowed']), { nil: undefined }),
      )
      .map(
        ([p, trade, addresses]): Policy => ({
          ...p,
          actions: trade ? [...new Set([...p.actions, 'trade' as const])] : p.actions,
          markets: ['spot'],
          ...(addresses ? { actions: [...p.actions, 'withdraw' as const], withdrawals: { addresses } } : {}),
        }),
      );
    let allowed = 0;
    let runs = 0;
    const outcomes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(policies, caseArb, async (policy, c) => {
        resetAccount();
        const client = await clientFor(runs++, policy);
        const since = markEngine(h.sandbox.engine);
        const answer = await call(client.credential, c.request);
        const executed = since();
        const usedToday = { notional: executed.orders.length > 0 ? client.executed : 0, withdrawn: {} };
        client.executed += notionalOf(executed.orders);
        const market = (symbol: string) => h.sandbox.engine.market(symbol)?.price;
        expect(
          violations(policy, executed, market, usedToday),
          `${c.request.path} ${c.request.body}`,
        ).toEqual([]);
        const denial = /keywarden denied \[([a-z_]+)\]/.exec(answer.msg)?.[1];
        const why = denial === 'policy_denied' ? /rule (\S+):/.exec(answer.msg)?.[1] : denial;
        const key = why ?? `bitget ${answer.code}`;
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
        if (denial !== undefined) {
          expect(executed, answer.msg).toEqual({ orders: [], withdrawals: [] });
          return;
        }
        allowed++;
        if (c.request.path.endsWith('/withdrawal')) {
          expect(executed.withdrawals.length).toBe(answer.code === '00000' ? 1 : 0);
          for (const w of executed.withdrawals) expect(policy.withdrawals?.addresses).toContain(w.address);
          return;
        }
        // Allowed: each accepted item is one executed order with the symbol, side and base size asked.
        const ids = c.request.path.endsWith('/batch-orders')
          ? (answer.data?.successList ?? []).map((s) => s.orderId)
          : answer.code === '00000' && answer.data?.orderId
            ? [answer.data.orderId]
            : [];
        expect(executed.orders.map((o) => o.id).sort()).toEqual([...ids].sort());
        const placed = [...executed.orders].sort((a, b) => Number(a.id) - Number(b.id));
        const accepted = c.items.length === 1 ? c.items.slice(0, placed.length) : undefined;
        for (const [i, got] of placed.entries()) {
          const want = accepted?.[i];
          if (!want) continue;
          expect(got.symbol).toBe(want.symbol);
          expect(got.side).toBe(want.side);
          if (want.base !== undefined) expect(got.quantity).toBeCloseTo(want.base, 6);
        }
      }),
      { ...differentialParams(), numRuns: RUNS },
    );
    process.stdout.write(
      `bitget differential: ${RUNS} runs, ${allowed} allowed; ${JSON.stringify(Object.fromEntries(outcomes))}\n`,
    );
    expect(allowed).toBeGreaterThan(0);
  }, 600_000);
});
