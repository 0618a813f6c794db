import { describe, expect, it } from 'vitest';
import { createUsageTracker, type UsagePersistence } from '../../src/policy/usage.js';

function memoryPersistence(): UsagePersistence & { rows: Map<string, number> } {
  const rows = new Map<string, number>();
  return {
    rows,
    load: (day) =>
      [...rows].flatMap(([k, amount]) => {
        const [clientId = '', d, item = ''] = k.split('|');
        return Number(d) === day ? [{ clientId, item, amount }] : [];
      }),
    add: (clientId, day, item, delta) => {
      const k = `${clientId}|${day}|${item}`;
      rows.set(k, (rows.get(k) ?? 0) + delta);
    },
  };
}

describe('usage tracker', () => {
  const day = Date.UTC(2026, 10, 23, 23, 59, 30);
  it('counts orders in a sliding 60 s window', () => {
    const u = createUsageTracker();
    u.reserve('c', day - 61_000, { orders: 2, notional: 100 });
    u.reserve('c', day - 30_000, { orders: 3, notional: 100 });
    expect(u.snapshot('c', day).ordersLastMinute).toBe(3);
  });
  it('resets daily notional and withdrawals at the UTC day boundary but keeps the minute window', () => {
    const u = createUsageTracker();
    u.reserve('c', day, { orders: 1, notional: 500 });
    u.reserve('c', day, { orders: 0, notional: 0, withdrawal: { coin: 'btc', amount: 0.5 } });
    expect(u.snapshot('c', day)).toEqual({
      dailyNotional: 500,
      ordersLastMinute: 1,
      withdrawnToday: { BTC: 0.5 },
    });
    const next = day + 40_000;
    expect(u.snapshot('c', next)).toEqual({ dailyNotional: 0, ordersLastMinute: 1, withdrawnToday: {} });
  });
  it('keeps clients apart', () => {
    const u = createUsageTracker();
    u.reserve('a', day, { orders: 1, notional: 500 });
    expect(u.snapshot('b', day).dailyNotional).toBe(0);
  });
  it('a reservation is visible at once and a release gives it back exactly once', () => {
    const u = createUsageTracker();
    const r = u.reserve('c', day, { orders: 2, notional: 300, withdrawal: { coin: 'ETH', amount: 1 } });
    expect(u.snapshot('c', day)).toEqual({
      dailyNotional: 300,
      ordersLastMinute: 2,
      withdrawnToday: { ETH: 1 },
    });
    r.release();
    r.release();
    expect(u.snapshot('c', day)).toEqual({
      dailyNotional: 0,
      ordersLastMinute: 0,
      withdrawnToday: { ETH: 0 },
    });
  });
  it('daily amounts survive a restart through the persistence, the minute window does not', () => {
    const store = memoryPersistence();
    const first = createUsageTracker(store);
    first.reserve('c', day, { orders: 3, notional: 700, withdrawal: { coin: 'BTC', amount: 0.01 } });
    const second = createUsageTracker(store);
    expect(second.snapshot('c', day)).toEqual({
      dailyNotional: 700,
      ordersLastMinute: 0,
      withdrawnToday: { BTC: 0.01 },
    });
    // The next UTC day starts from zero.
    expect(second.snapshot('c', day + 60_000).dailyNotional).toBe(0);
  });
});
