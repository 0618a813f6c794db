import { describe, expect, it } from 'vitest';
import { type RateBudgetsConfig, rateBudgetsConfigSchema } from '../../../src/config/index.js';
import { RATE_RULES } from '../../../src/exchanges/index.js';
import {
  type BudgetStop,
  type BudgetStore,
  createMemoryBudgetStore,
  createRateBudgets,
} from '../../../src/gateway/budget/index.js';

const ACCOUNT = { method: 'GET', path: '/api/v3/account', query: 'timestamp=1', body: '' }; // weight 20
const ORDER = { method: 'POST', path: '/api/v3/order', query: '', body: 'symbol=BTCUSDT' }; // weight 1, 1 order
const keyA = { exchange: 'binance' as const, key: { id: 'kw_a', label: 'desk-a' } };
const keyB = { exchange: 'binance' as const, key: { id: 'kw_b', label: 'desk-b' } };

function world(
  overrides: Partial<Record<string, unknown>> = {},
  store: BudgetStore = createMemoryBudgetStore(),
) {
  let t = 120_000; // the start of a minute
  const stops: BudgetStop[] = [];
  const shed: string[] = [];
  const config: RateBudgetsConfig = rateBudgetsConfigSchema.parse({
    headroomPercent: 0,
    maxQueueMs: 0,
    limits: { binance: { 'ip-weight-1m': 100, 'key-orders-10s': 3 } },
    ...overrides,
  });
  const budgets = createRateBudgets({
    config,
    rules: RATE_RULES,
    store,
    clock: { now: () => t },
    sleep: async (ms) => {
      t += ms;
    },
    hooks: { onStop: (s) => stops.push(s), onShed: (_e, reason) => shed.push(reason) },
  });
  return {
    budgets,
    stops,
    shed,
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

describe('rate budgets: the model', () => {
  it('spends the egress IP weight by documented endpoint weight, shared by every key, then sheds with the wait to the window end', async () => {
    const w = world();
    for (let i = 0; i < 5; i++) expect((await w.budgets.acquire(i % 2 ? keyA : keyB, ACCOUNT)).ok).toBe(true);
    w.advance(15_000);
    const refused = await w.budgets.acquire(keyB, ACCOUNT);
    expect(refused).toMatchObject({ ok: false, reason: 'budget', retryAfterSeconds: 45 });
    expect(w.shed).toEqual(['budget']);
    // 100 of 100 spent: not even a weight-1 ping fits.
    expect((await w.budgets.acquire(keyA, { ...ACCOUNT, path: '/api/v3/ping' })).ok).toBe(false);
    w.advance(45_000);
    expect((await w.budgets.acquire(keyB, ACCOUNT)).ok).toBe(true);
  });

  it('queues a request for at most maxQueueMs when room comes back within it', async () => {
    const w = world({ maxQueueMs: 1_000 });
    for (let i = 0; i < 5; i++) await w.budgets.acquire(keyA, ACCOUNT);
    w.advance(59_500);
    const waited = await w.budgets.acquire(keyA, ACCOUNT);
    expect(waited).toMatchObject({ ok: true, waitedMs: 500 });
    // Room further away than maxQueueMs: answered at once, nothing waited.
    for (let i = 0; i < 4; i++) await w.budgets.acquire(keyA, ACCOUNT);
    const before = w.now();
    expect(await w.budgets.acquire(keyA, ACCOUNT)).toMatchObject({ ok: false, reason: 'budget' });
    expect(w.now()).toBe(before);
  });

  it('sheds at once when the wait queue is full', async () => {
    const w = world({ maxQueueMs: 1_000, maxQueued: 0 });
    for (let i = 0; i < 5; i++) await w.budgets.acquire(keyA, ACCOUNT);
    w.advance(59_500);
    expect(await w.budgets.acquire(keyA, ACCOUNT)).toMatchObject({ ok: false, reason: 'queue_full' });
  });

  it("believes the exchange's X-MBX-USED-WEIGHT-1M when it counts more than the model (traffic keywarden did not see)", async () => {
    const w = world();
    const a = await w.budgets.acquire(keyA, ACCOUNT);
    if (!a.ok) throw new Error('expected room');
    await w.budgets.settle(a.ticket, 200, { 'x-mbx-used-weight-1m': '95' });
    expect(await w.budgets.acquire(keyB, ACCOUNT)).toMatchObject({ ok: false, reason: 'budget' });
    expect((await w.budgets.acquire(keyB, { ...ACCOUNT, path: '/api/v3/ping' })).ok).toBe(true);
  });

  it('counts orders per key (X-MBX-ORDER-COUNT-10S), so one key spending its orders leaves another key untouched', async () => {
    const w = world();
    for (let i = 0; i < 3; i++) expect((await w.budgets.acquire(keyA, ORDER)).ok).toBe(true);
    expect(await w.budgets.acquire(keyA, ORDER)).toMatchObject({ ok: false, reason: 'budget' });
    expect((await w.budgets.acquire(keyB, ORDER)).ok).toBe(true);
    expect((await w.budgets.acquire(keyA, ACCOUNT)).ok).toBe(true);
  });

  it('an exchange 429 with Retry-After stops every key behind the IP until it lifts, and tells onStop once per answer', async () => {
    const w = world();
    const a = await w.budgets.acquire(keyA, ACCOUNT);
    if (!a.ok) throw new Error('expected room');
    await w.budgets.settle(a.ticket, 429, { 'retry-after': '3', 'x-mbx-used-weight-1m': '10' });
    expect(w.stops).toMatchObject([{ exchange: 'binance', scope: 'ip', status: 429, retryAfterSeconds: 3 }]);
    expect(await w.budgets.acquire(keyB, { ...ACCOUNT, path: '/api/v3/ping' })).toMatchObject({
      ok: false,
      reason: 'stopped',
      retryAfterSeconds: 3,
    });
    w.advance(2_999);
    expect((await w.budgets.acquire(keyA, ORDER)).ok).toBe(false);
    w.advance(1);
    expect((await w.budgets.acquire(keyA, ORDER)).ok).toBe(true);
  });

  it('a 418 (IP ban) stops the IP for its Retry-After; one without Retry-After for defaultRetryAfterSeconds', async () => {
    const w = world({ defaultRetryAfterSeconds: 30 });
    const a = await w.budgets.acquire(keyA, ORDER);
    if (!a.ok) throw new Error('expected room');
    await w.budgets.settle(a.ticket, 418, {});
    expect(w.stops).toMatchObject([{ status: 418, scope: 'ip', retryAfterSeconds: 30 }]);
    w.advance(29_000);
    expect(await w.budgets.acquire(keyB, ORDER)).toMatchObject({ ok: false, reason: 'stopped' });
  });

  it("Kraken's call counter drains at 0.33/s: 15 calls, then the next waits about 3 s", async () => {
    const w = world({ limits: {} });
    const kraken = { exchange: 'kraken' as const, key: { id: 'kw_k', label: 'k' } };
    const balance = { method: 'POST', path: '/0/private/Balance', query: '', body: 'nonce=1' };
    for (let i = 0; i < 15; i++) expect((await w.budgets.acquire(kraken, balance)).ok).toBe(true);
    expect(await w.budgets.acquire(kraken, balance)).toMatchObject({ ok: false, retryAfterSeconds: 4 });
    // Orders go to the matching engine's own limiter, not this counter.
    expect((await w.budgets.acquire(kraken, { ...balance, path: '/0/private/AddOrder' })).ok).toBe(true);
    w.advance(3_100);
    expect((await w.budgets.acquire(kraken, balance)).ok).toBe(true);
  });

  it('gives a request that was never sent its units back', async () => {
    const w = world();
    const taken = [];
    for (let i = 0; i < 5; i++) taken.push(await w.budgets.acquire(keyA, ACCOUNT));
    const last = taken[4];
    if (!last?.ok) throw new Error('expected room');
    await w.budgets.release(last.ticket);
    expect((await w.budgets.acquire(keyB, ACCOUNT)).ok).toBe(true);
  });

  it('keeps headroom: 10% of a 100 limit is never spent', async () => {
    const w = world({ headroomPercent: 10 });
    let passed = 0;
    for (let i = 0; i < 120; i++)
      if ((await w.budgets.acquire(keyA, { ...ACCOUNT, path: '/api/v3/ping' })).ok) passed++;
    expect(passed).toBe(90);
  });

  it('fails closed when the store does not answer (open when configured)', async () => {
    const broken: BudgetStore = {
      ...createMemoryBudgetStore(),
      take: () => Promise.reject(new Error('ECONNREFUSED')),
    };
    expect(await world({}, broken).budgets.acquire(keyA, ORDER)).toMatchObject({
      ok: false,
      reason: 'store_error',
    });
    expect((await world({ store: { onError: 'open' } }, broken).budgets.acquire(keyA, ORDER)).ok).toBe(true);
  });

  it('spends nothing when disabled', async () => {
    const w = world({ enabled: false });
    for (let i = 0; i < 20; i++) expect((await w.budgets.acquire(keyA, ACCOUNT)).ok).toBe(true);
  });

  it('refuses an unknown limit id in the config', () => {
    expect(() => rateBudgetsConfigSchema.parse({ limits: { binance: { 'ip-weight-1h': 5 } } })).toThrow(
      /unknown limit/,
    );
  });
});

describe('rate budgets over WebSocket', () => {
  const ws = (connection: string, opens = false) => ({ connection, opens });

  it('a WebSocket order spends the same IP weight and key order counts as REST (one counter)', async () => {
    const w = world({ limits: { binance: { 'ip-weight-1m': 100, 'key-orders-10s': 3 } } });
    expect((await w.budgets.acquire(keyA, ORDER)).ok).toBe(true);
    expect((await w.budgets.acquire({ ...keyA, ws: ws('c1') }, ORDER)).ok).toBe(true);
    expect((await w.budgets.acquire({ ...keyA, ws: ws('c2') }, ORDER)).ok).toBe(true);
    // Three orders of the key's 10-second count spent, two of them over WebSocket: a REST one is refused too.
    expect(await w.budgets.acquire(keyA, ORDER)).toMatchObject({ ok: false, reason: 'budget' });
    expect(await w.budgets.acquire({ ...keyA, ws: ws('c1') }, ORDER)).toMatchObject({ ok: false });
    // The other key's count is its own.
    expect((await w.budgets.acquire({ ...keyB, ws: ws('c3') }, ORDER)).ok).toBe(true);
  });

  it("opening a Binance connection costs 2 weight on the IP's minute", async () => {
    const w = world({ limits: { binance: { 'ip-weight-1m': 43 } } });
    expect((await w.budgets.acquire({ ...keyA, ws: ws('c1', true) }, ACCOUNT)).ok).toBe(true); // 22
    expect((await w.budgets.acquire({ ...keyA, ws: ws('c1') }, ACCOUNT)).ok).toBe(true); // 42
    expect((await w.budgets.acquire(keyA, { ...ACCOUNT, path: '/api/v3/ping' })).ok).toBe(true); // 43
    expect((await w.budgets.acquire(keyA, { ...ACCOUNT, path: '/api/v3/ping' })).ok).toBe(false);
  });

  it("OKX's 480 logins and subscriptions per hour count per connection, never over REST", async () => {
    const w = world({ limits: { okx: { 'conn-ws-requests-1h': 2 } } });
    const okxKey = { exchange: 'okx' as const, key: { id: 'kw_o', label: 'okx' } };
    const sub = { method: 'POST', path: '/ws/v5/subscribe', query: '', body: '[]' };
    expect((await w.budgets.acquire({ ...okxKey, ws: ws('c1') }, sub)).ok).toBe(true);
    expect((await w.budgets.acquire({ ...okxKey, ws: ws('c1') }, sub)).ok).toBe(true);
    expect(await w.budgets.acquire({ ...okxKey, ws: ws('c1') }, sub)).toMatchObject({
      ok: false,
      message: expect.stringContaining('conn-ws-requests-1h'),
    });
    // Another connection of the same key has its own count.
    expect((await w.budgets.acquire({ ...okxKey, ws: ws('c2') }, sub)).ok).toBe(true);
  });

  it('an exchange without WebSocket costs (Kraken) is not budgeted there, but REST is', async () => {
    const w = world({ limits: { kraken: { 'key-counter': 1 } } });
    const krakenKey = { exchange: 'kraken' as const, key: { id: 'kw_k', label: 'kraken' } };
    const add = { method: 'POST', path: '/0/private/Balance', query: '', body: 'nonce=1' };
    for (let i = 0; i < 5; i++)
      expect((await w.budgets.acquire({ ...krakenKey, ws: ws('c1') }, add)).ok).toBe(true);
    expect((await w.budgets.acquire(krakenKey, add)).ok).toBe(true);
    expect((await w.budgets.acquire(krakenKey, add)).ok).toBe(false);
  });

  it('a 429 frame read through the WebSocket usage headers stops the IP for REST too', async () => {
    const w = world();
    const admitted = await w.budgets.acquire({ ...keyA, ws: ws('c1') }, ORDER);
    if (!admitted.ok) throw new Error('not admitted');
    await w.budgets.settle(admitted.ticket, 429, { 'retry-after': '30' });
    expect(w.stops).toMatchObject([{ exchange: 'binance', scope: 'ip', status: 429 }]);
    expect(await w.budgets.acquire(keyB, ACCOUNT)).toMatchObject({ ok: false, reason: 'stopped' });
  });
});
