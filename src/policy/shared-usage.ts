/**
 * The usage tracker for several gateway processes (PostgreSQL): the same contract as
 * createUsageTracker (src/policy/usage.ts), with the usage itself in the shared store.
 *
 * The policy stage calls `lock(clientId, now)` right before its final read: the lease holds the
 * client's usage lock in every process (src/store/pg-usage.ts) and has just read the client's
 * usage from the store, so `snapshot` → evaluate → `reserve` run on what every instance
 * reserved, and `lease.commit()` writes the reservation before the lock is let go. Requests of
 * one client in this process queue here first, so they wait without holding a connection.
 * `snapshot` outside a lease (the data-free precheck) answers from the last read: a precheck
 * only denies early, the locked read decides.
 *
 * A reservation given back (audit failure, exchange refusal) is one atomic decrement.
 */
import type { SharedUsage, UsageHold } from '../core/index.js';
import type { Reservation, UsageLease, UsageRequest, UsageTracker } from './usage.js';

const DAY_MS = 86_400_000;
const WINDOW_MS = 60_000;
const NOTIONAL = 'notional';
const withdrawItem = (coin: string) => `withdraw:${coin.toUpperCase()}`;

export interface SharedUsageTracker extends UsageTracker {
  lock(clientId: string, now: number): Promise<UsageLease>;
}

interface Seen {
  day: number;
  dailyNotional: number;
  orderTimes: number[];
  withdrawn: Record<string, number>;
}

export function createSharedUsageTracker(
  shared: SharedUsage,
  onError: (err: unknown) => void = () => undefined,
): SharedUsageTracker {
  const seen = new Map<string, Seen>();
  const holds = new Map<string, UsageHold>();
  const queues = new Map<string, Promise<void>>();

  const view = (clientId: string, now: number): Seen => {
    const day = Math.floor(now / DAY_MS);
    const s = seen.get(clientId);
    if (!s || s.day !== day) return { day, dailyNotional: 0, orderTimes: [], withdrawn: {} };
    return s;
  };
  const giveBack = (p: Promise<void>) => p.catch(onError);

  return {
    async lock(clientId, now) {
      const before = queues.get(clientId) ?? Promise.resolve();
      let unlock!: () => void;
      const mine = new Promise<void>((resolve) => {
        unlock = resolve;
      });
      const tail = before.then(() => mine);
      queues.set(clientId, tail);
      const free = () => {
        unlock();
        if (queues.get(clientId) === tail) queues.delete(clientId);
      };
      await before;
      const day = Math.floor(now / DAY_MS);
      let hold: UsageHold;
      try {
        hold = await shared.hold(clientId, day, now - WINDOW_MS);
      } catch (err) {
        free();
        throw err;
      }
      const s: Seen = { day, dailyNotional: 0, orderTimes: hold.orderTimes, withdrawn: {} };
      for (const { item, amount } of hold.amounts) {
        if (item === NOTIONAL) s.dailyNotional = amount;
        else if (item.startsWith('withdraw:')) s.withdrawn[item.slice(9)] = amount;
      }
      seen.set(clientId, s);
      holds.set(clientId, hold);
      const end = async (write: boolean) => {
        if (holds.get(clientId) === hold) holds.delete(clientId);
        try {
          await (write ? hold.commit() : hold.abort());
        } finally {
          free();
        }
      };
      return { commit: () => end(true), abort: () => end(false) };
    },
    snapshot(clientId, now) {
      const s = view(clientId, now);
      const cutoff = now - WINDOW_MS;
      return {
        dailyNotional: s.dailyNotional,
        ordersLastMinute: s.orderTimes.filter((t) => t > cutoff).length,
        withdrawnToday: { ...s.withdrawn },
      };
    },
    reserve(clientId, now, use: UsageRequest): Reservation {
      const s = view(clientId, now);
      const { day } = s;
      const hold = holds.get(clientId);
      const w = use.withdrawal;
      const notional = Number.isFinite(use.notional) ? use.notional : 0;
      const amount = w && Number.isFinite(w.amount) ? w.amount : 0;
      s.dailyNotional += notional;
      for (let i = 0; i < use.orders; i++) s.orderTimes.push(now);
      if (w) s.withdrawn[w.coin.toUpperCase()] = (s.withdrawn[w.coin.toUpperCase()] ?? 0) + amount;
      const write = (sign: 1 | -1, into?: UsageHold) => {
        const jobs: Array<Promise<void>> = [];
        if (notional !== 0) {
          if (into) into.add(day, NOTIONAL, sign * notional);
          else jobs.push(shared.add(clientId, day, NOTIONAL, sign * notional));
        }
        if (use.orders > 0) {
          if (into) into.addOrders(now, sign * use.orders);
          else jobs.push(shared.addOrders(clientId, now, sign * use.orders));
        }
        if (w && amount !== 0) {
          if (into) into.add(day, withdrawItem(w.coin), sign * amount);
          else jobs.push(shared.add(clientId, day, withdrawItem(w.coin), sign * amount));
        }
        for (const j of jobs) void giveBack(j);
      };
      write(1, hold);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          s.dailyNotional -= notional;
          for (let i = 0; i < use.orders; i++) {
            const at = s.orderTimes.lastIndexOf(now);
            if (at !== -1) s.orderTimes.splice(at, 1);
          }
          if (w) s.withdrawn[w.coin.toUpperCase()] = (s.withdrawn[w.coin.toUpperCase()] ?? 0) - amount;
          write(-1);
        },
      };
    },
  };
}
