import { describe, expect, it } from 'vitest';
import { createUsageTracker } from '../../src/policy/usage.js';

describe('usage tracker', () => {
  const day = Date.UTC(2026, 10, 23, 23, 59, 30);
  it('counts orders in a sliding 60 s window', () => {
    const u = createUsageTracker();
    u.recordOrders('c', day - 61_000, 2, 100);
    u.recordOrders('c', day - 30_000, 3, 100);
    expect(u.snapshot('c', day).ordersLastMinute).toBe(3);
  });
  it('resets daily notional and withdrawals at the UTC day boundary but keeps the minute window', () => {
    const u = createUsageTracker();
    u.recordOrders('c', day, 1, 500);
    u.recordWithdrawal('c', day, 'btc', 0.5);
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
    u.recordOrders('a', day, 1, 500);
    expect(u.snapshot('b', day).dailyNotional).toBe(0);
  });
});
