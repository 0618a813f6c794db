import type { UsagePersistence } from '../core/index.js';
import type { PolicyContext } from './policy-types.js';

/**
 * Per-client usage the policy reads through PolicyContext.usage: notional traded this UTC
 * day, orders in a sliding 60 s window, amount withdrawn this UTC day per coin.
 *
 * Usage is reserved, not recorded afterwards: the gateway evaluates and reserves in one
 * synchronous step (no await between them), so concurrent requests of one client each see
 * the others' reservations and a cap cannot be raced. A reservation is released when the
 * request was never forwarded (audit failure) or the exchange refused it.
 *
 * Daily amounts are written through to `persistence` (the store), so a restart does not reset
 * a daily cap; the 60 s order window lives in memory only.
 */
export interface UsageTracker {
  snapshot(clientId: string, now: number): PolicyContext['usage'];
  reserve(clientId: string, now: number, use: UsageRequest): Reservation;
  /**
   * Present when usage is shared by several processes (src/policy/shared-usage.ts): hold the
   * client's usage lock across them and read it fresh; the policy stage's last snapshot,
   * evaluation and reserve run under it. Absent here: one process, no await in between suffices.
   */
  lock?(clientId: string, now: number): Promise<UsageLease>;
}

export interface UsageLease {
  /** Write the reservations made under this lease, then release the lock; rejects if they were not written. */
  commit(): Promise<void>;
  /** Release the lock and write nothing (a denial). */
  abort(): Promise<void>;
}

export interface UsageRequest {
  orders: number;
  notional: number;
  withdrawal?: { coin: string; amount: number };
}

export interface Reservation {
  /** Give the reservation back (idempotent). */
  release(): void;
}

const DAY_MS = 86_400_000;
const WINDOW_MS = 60_000;
const NOTIONAL = 'notional';
const withdrawItem = (coin: string) => `withdraw:${coin.toUpperCase()}`;

interface ClientUsage {
  day: number;
  dailyNotional: number;
  orderTimes: number[];
  withdrawn: Record<string, number>;
}

export function createUsageTracker(persistence?: UsagePersistence): UsageTracker {
  const byClient = new Map<string, ClientUsage>();
  let loadedDay: number | undefined;

  const loadDay = (day: number) => {
    if (loadedDay === day || !persistence) return;
    loadedDay = day;
    for (const row of persistence.load(day)) {
      const u = fresh(row.clientId, day);
      if (row.item === NOTIONAL) u.dailyNotional = row.amount;
      else if (row.item.startsWith('withdraw:')) u.withdrawn[row.item.slice(9)] = row.amount;
    }
  };
  const fresh = (clientId: string, day: number): ClientUsage => {
    let u = byClient.get(clientId);
    if (!u) {
      u = { day, dailyNotional: 0, orderTimes: [], withdrawn: {} };
      byClient.set(clientId, u);
    }
    return u;
  };
  const current = (clientId: string, now: number): ClientUsage => {
    const day = Math.floor(now / DAY_MS);
    loadDay(day);
    const u = fresh(clientId, day);
    if (u.day !== day) {
      u.day = day;
      u.dailyNotional = 0;
      u.withdrawn = {};
    }
    const cutoff = now - WINDOW_MS;
    if (u.orderTimes.length > 0 && (u.orderTimes[0] ?? 0) <= cutoff)
      u.orderTimes = u.orderTimes.filter((t) => t > cutoff);
    return u;
  };
  const addNotional = (clientId: string, u: ClientUsage, day: number, delta: number) => {
    if (delta === 0 || !Number.isFinite(delta)) return;
    if (u.day === day) u.dailyNotional += delta;
    persistence?.add(clientId, day, NOTIONAL, delta);
  };
  const addWithdrawal = (clientId: string, u: ClientUsage, day: number, coin: string, delta: number) => {
    if (!Number.isFinite(delta)) return;
    const key = coin.toUpperCase();
    if (u.day === day) u.withdrawn[key] = (u.withdrawn[key] ?? 0) + delta;
    persistence?.add(clientId, day, withdrawItem(key), delta);
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
    reserve(clientId, now, use) {
      const u = current(clientId, now);
      const day = u.day;
      addNotional(clientId, u, day, use.notional);
      for (let i = 0; i < use.orders; i++) u.orderTimes.push(now);
      const w = use.withdrawal;
      if (w) addWithdrawal(clientId, u, day, w.coin, w.amount);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          addNotional(clientId, u, day, -use.notional);
          for (let i = 0; i < use.orders; i++) {
            const at = u.orderTimes.lastIndexOf(now);
            if (at !== -1) u.orderTimes.splice(at, 1);
          }
          if (w) addWithdrawal(clientId, u, day, w.coin, -w.amount);
        },
      };
    },
  };
}
export type { UsagePersistence } from '../core/index.js';
