import type { PolicyContext } from './policy-types.js';

/**
 * In-memory per-client usage the policy reads through PolicyContext.usage: notional traded
 * this UTC day, orders in a sliding 60 s window, amount withdrawn this UTC day per coin.
 * A restart resets it; that can only let a daily cap start over, never let one order exceed
 * maxOrderNotional.
 */
export interface UsageTracker {
  snapshot(clientId: string, now: number): PolicyContext['usage'];
  /** Call after an allowed trade request: `count` orders worth `notional` quote in total. */
  recordOrders(clientId: string, now: number, count: number, notional: number): void;
  recordWithdrawal(clientId: string, now: number, coin: string, amount: number): void;
}

const DAY_MS = 86_400_000;
const WINDOW_MS = 60_000;

interface ClientUsage {
  day: number;
  dailyNotional: number;
  orderTimes: number[];
  withdrawn: Record<string, number>;
}

export function createUsageTracker(): UsageTracker {
  const byClient = new Map<string, ClientUsage>();
  const current = (clientId: string, now: number): ClientUsage => {
    const day = Math.floor(now / DAY_MS);
    let u = byClient.get(clientId);
    if (!u) {
      u = { day, dailyNotional: 0, orderTimes: [], withdrawn: {} };
      byClient.set(clientId, u);
    } else if (u.day !== day) {
      u.day = day;
      u.dailyNotional = 0;
      u.withdrawn = {};
    }
    const cutoff = now - WINDOW_MS;
    u.orderTimes = u.orderTimes.filter((t) => t > cutoff);
    return u;
  };
  return {
    snapshot(clientId, now) {
      const u = current(clientId, now);
      return {
        dailyNotional: u.dailyNotional,
        ordersLastMinute: u.orderTimes.length,
        withdrawnToday: { ...u.withdrawn },
      };
    },
    recordOrders(clientId, now, count, notional) {
      const u = current(clientId, now);
      u.dailyNotional += Number.isFinite(notional) ? notional : 0;
      for (let i = 0; i < count; i++) u.orderTimes.push(now);
    },
    recordWithdrawal(clientId, now, coin, amount) {
      const u = current(clientId, now);
      const key = coin.toUpperCase();
      u.withdrawn[key] = (u.withdrawn[key] ?? 0) + amount;
    },
  };
}
