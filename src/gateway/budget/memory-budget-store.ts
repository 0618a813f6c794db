/** The budget state of one process, in memory: fixed-window counts and draining counters, plus stops. */
import {
  type BudgetStore,
  type Charge,
  type CounterSpec,
  type TakeResult,
  windowStart,
} from './budget-store.js';

interface Count {
  /** `window`: the window's start; `decay`: when `used` was last brought up to date. */
  at: number;
  used: number;
}

/** Counters kept before stale ones are swept (a stale counter is the same as none). */
const MAX_COUNTERS = 100_000;

export function createMemoryBudgetStore(): BudgetStore {
  const counts = new Map<string, Count>();
  const stops = new Map<string, number>();

  function current(spec: CounterSpec, now: number): Count {
    const c = counts.get(spec.key);
    if (spec.kind === 'window') {
      const start = windowStart(now, spec.windowMs);
      return c && c.at === start ? c : { at: start, used: 0 };
    }
    if (!c) return { at: now, used: 0 };
    const drained = ((now - c.at) / 1000) * (spec.decayPerSecond ?? 0);
    return { at: now, used: Math.max(0, c.used - Math.max(0, drained)) };
  }

  function waitMs(spec: CounterSpec, c: Count, units: number, now: number): number {
    if (spec.kind === 'window') return Math.max(1, c.at + spec.windowMs - now);
    const rate = spec.decayPerSecond ?? 0;
    if (rate <= 0 || units > spec.cap) return spec.windowMs;
    return Math.max(1, Math.ceil(((c.used + units - spec.cap) / rate) * 1000));
  }

  function sweep(now: number): void {
    for (const [k, until] of stops) if (until <= now) stops.delete(k);
    if (counts.size < MAX_COUNTERS) return;
    for (const [k, c] of counts) if (c.used <= 0 || now - c.at > 86_400_000) counts.delete(k);
  }

  return {
    async take(charges, stopKeys, now) {
      for (const key of stopKeys) {
        const until = stops.get(key);
        if (until !== undefined && until > now)
          return { ok: false, retryAfterMs: until - now, stopped: true, key } satisfies TakeResult;
      }
      const next: Count[] = [];
      for (const { counter, units } of charges) {
        const c = current(counter, now);
        if (c.used + units > counter.cap)
          return {
            ok: false,
            retryAfterMs: waitMs(counter, c, units, now),
            stopped: false,
            key: counter.key,
          };
        next.push(c);
      }
      if (counts.size >= MAX_COUNTERS) sweep(now);
      const used: number[] = [];
      charges.forEach(({ counter, units }, i) => {
        const c = next[i] as Count;
        c.used += units;
        counts.set(counter.key, c);
        used.push(c.used);
      });
      return { ok: true, used };
    },
    async giveBack(charges: readonly Charge[], now: number) {
      for (const { counter, units } of charges) {
        const c = counts.get(counter.key);
        if (!c) continue;
        const cur = current(counter, now);
        // A window that has rolled over since the take owes nothing back.
        if (cur === c || counter.kind === 'decay') {
          cur.used = Math.max(0, cur.used - units);
          counts.set(counter.key, cur);
        }
      }
    },
    async observe(counter, used, now) {
      const c = current(counter, now);
      if (used > c.used) {
        c.used = used;
        counts.set(counter.key, c);
      }
    },
    async stop(key, until, now) {
      sweep(now);
      const prev = stops.get(key) ?? 0;
      const next = Math.max(prev, until);
      stops.set(key, next);
      return next;
    },
    async close() {
      counts.clear();
      stops.clear();
    },
  };
}
