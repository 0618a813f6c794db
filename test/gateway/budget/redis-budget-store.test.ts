/**
 * The Redis budget store (several gateways sharing one budget): the same contract as the
 * in-memory one, across two store instances. Skipped when no Redis listens on 127.0.0.1:6379.
 */
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { rateBudgetsConfigSchema } from '../../../src/config/index.js';
import { RATE_RULES } from '../../../src/exchanges/index.js';
import {
  type CounterSpec,
  createRateBudgets,
  createRedisBudgetStore,
  type RedisBudgetStore,
} from '../../../src/gateway/budget/index.js';

const REDIS = 'redis://127.0.0.1:6379';
const up = await new Promise<boolean>((resolve) => {
  const s = connect(6379, '127.0.0.1');
  s.once('connect', () => {
    s.destroy();
    resolve(true);
  });
  s.once('error', () => resolve(false));
});

const stores: RedisBudgetStore[] = [];
function store(prefix: string, url = REDIS): RedisBudgetStore {
  const s = createRedisBudgetStore({ url, timeoutMs: 250, prefix });
  stores.push(s);
  return s;
}
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
});

const window = (key: string, cap: number, windowMs = 60_000): CounterSpec => ({
  key,
  kind: 'window',
  windowMs,
  cap,
});

describe.skipIf(!up)('Redis budget store (two gateway instances, one budget)', () => {
  it('takes all or nothing, shared by both instances, and the window rolls over', async () => {
    const prefix = `kw:test:${randomUUID()}:`;
    const [a, b] = [store(prefix), store(prefix)];
    await Promise.all([a.ready(), b.ready()]);
    const ip = window('binance:ip:default:ip-weight-1m', 100);
    const orders = window('binance:key:kw_a:key-orders-10s', 2, 10_000);
    const now = 1_800_000_000_000 - (1_800_000_000_000 % 60_000);
    expect(await a.take([{ counter: ip, units: 60 }], [], now)).toEqual({ ok: true, used: [60] });
    // The other instance sees the same count: 60 + 60 > 100.
    expect(await b.take([{ counter: ip, units: 60 }], [], now + 15_000)).toEqual({
      ok: false,
      retryAfterMs: 45_000,
      stopped: false,
      key: ip.key,
    });
    // All or nothing: the order counter has room, the IP weight has not, so neither is taken.
    const both = [
      { counter: orders, units: 1 },
      { counter: ip, units: 41 },
    ];
    expect((await b.take(both, [], now + 1)).ok).toBe(false);
    expect(await b.take([{ counter: ip, units: 40 }], [], now + 2)).toEqual({ ok: true, used: [100] });
    expect((await a.take([{ counter: ip, units: 1 }], [], now + 60_000)).ok).toBe(true);
  });

  it('a stop set through one instance holds back the other until it lifts; the later stop stands', async () => {
    const prefix = `kw:test:${randomUUID()}:`;
    const [a, b] = [store(prefix), store(prefix)];
    await Promise.all([a.ready(), b.ready()]);
    const now = 1_800_000_000_000;
    expect(await a.stop('binance:ip:default', now + 3_000, now)).toBe(now + 3_000);
    expect(await a.stop('binance:ip:default', now + 1_000, now)).toBe(now + 3_000);
    const c = window('binance:ip:default:ip-weight-1m', 100);
    expect(await b.take([{ counter: c, units: 1 }], ['binance:ip:default'], now + 1_000)).toMatchObject({
      ok: false,
      stopped: true,
      retryAfterMs: 2_000,
      key: 'binance:ip:default',
    });
    expect((await b.take([{ counter: c, units: 1 }], ['binance:ip:default'], now + 3_000)).ok).toBe(true);
  });

  it('observes what the exchange counted, gives back, and drains a decay counter', async () => {
    const prefix = `kw:test:${randomUUID()}:`;
    const s = store(prefix);
    await s.ready();
    const now = 1_800_000_000_000 - (1_800_000_000_000 % 60_000);
    const c = window('binance:ip:default:ip-weight-1m', 100);
    await s.observe(c, 95, now);
    expect((await s.take([{ counter: c, units: 10 }], [], now)).ok).toBe(false);
    await s.giveBack([{ counter: c, units: 20 }], now);
    expect(await s.take([{ counter: c, units: 10 }], [], now)).toEqual({ ok: true, used: [85] });
    const k: CounterSpec = {
      key: 'kraken:key:kw_k:key-counter',
      kind: 'decay',
      windowMs: 45_455,
      cap: 15,
      decayPerSecond: 0.33,
    };
    expect(await s.take([{ counter: k, units: 15 }], [], now)).toEqual({ ok: true, used: [15] });
    const refused = await s.take([{ counter: k, units: 1 }], [], now);
    expect(refused).toMatchObject({ ok: false, stopped: false });
    if (!refused.ok) expect(refused.retryAfterMs).toBe(Math.ceil((1 / 0.33) * 1000));
    expect((await s.take([{ counter: k, units: 1 }], [], now + 3_100)).ok).toBe(true);
  });

  it('the budgets fail closed when Redis does not answer', async () => {
    const s = store(`kw:test:${randomUUID()}:`, 'redis://127.0.0.1:1');
    const budgets = createRateBudgets({
      config: rateBudgetsConfigSchema.parse({}),
      rules: RATE_RULES,
      store: s,
      clock: { now: Date.now },
    });
    const r = await budgets.acquire(
      { exchange: 'binance', key: { id: 'kw_a', label: 'a' } },
      { method: 'POST', path: '/api/v3/order', query: '', body: '' },
    );
    expect(r).toMatchObject({ ok: false, reason: 'store_error' });
  });
});
