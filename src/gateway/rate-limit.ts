/**
 * Per-client and per-IP rate limits: a token bucket per key (`perSecond` refill, `burst`
 * capacity; perSecond 0 means unlimited). The buckets live in a `RateLimitStore`: this process's
 * memory by default (one gateway), or Redis (./redis-rate-limit.ts), shared by every gateway
 * instance naming the same Redis, so a client alternating between instances gets its limit once,
 * not once per instance.
 */

/** Where the buckets live. `take` is atomic per key (all or nothing) and rejects when the store does not answer. */
export interface RateLimitStore {
  /** Take `cost` tokens from `key`'s bucket at time `now` (ms); false, taking nothing, when it holds fewer. */
  take(key: string, perSecond: number, burst: number, cost: number, now: number): Promise<boolean>;
  /** Does the store answer (readiness)? Absent: always (memory). */
  ping?(): Promise<boolean>;
  close?(): Promise<void>;
}

/** How one take ended: `unavailable` when the store did not answer and the limits fail closed. */
export type RateTake = 'admitted' | 'limited' | 'unavailable';

export interface RateLimiter {
  /** Take `cost` tokens (default 1) from `key`'s bucket. */
  take(key: string, perSecond: number, burst: number, cost?: number): Promise<RateTake>;
}

export interface RateLimiterOptions {
  /** Default: this process's memory. */
  store?: RateLimitStore;
  /** When the store does not answer: refuse (`closed`, the default) or admit unlimited (`open`). */
  onError?: 'closed' | 'open';
  /** Told about every store failure (alert and log); never given a secret. */
  onStoreError?: (err: unknown) => void;
}

/** Buckets kept before full ones are dropped (a full bucket is the same as no bucket). */
const MAX_BUCKETS = 100_000;

/** The buckets in this process's memory: synchronous underneath, never fails. */
export function createMemoryRateLimitStore(): RateLimitStore {
  const buckets = new Map<string, { tokens: number; at: number; perSecond: number; burst: number }>();
  const sweep = (t: number) => {
    for (const [k, b] of buckets)
      if (Math.min(b.burst, b.tokens + ((t - b.at) / 1000) * b.perSecond) >= b.burst) buckets.delete(k);
  };
  const take = (key: string, perSecond: number, burst: number, cost: number, t: number): boolean => {
    const b = buckets.get(key);
    if (!b) {
      if (cost > burst) return false;
      if (buckets.size >= MAX_BUCKETS) sweep(t);
      buckets.set(key, { tokens: burst - cost, at: t, perSecond, burst });
      return true;
    }
    b.tokens = Math.min(burst, b.tokens + (Math.max(0, t - b.at) / 1000) * perSecond);
    b.at = Math.max(b.at, t);
    b.perSecond = perSecond;
    b.burst = burst;
    if (b.tokens < cost) return false;
    b.tokens -= cost;
    return true;
  };
  return {
    take: (key, perSecond, burst, cost, now) => Promise.resolve(take(key, perSecond, burst, cost, now)),
  };
}

export function createRateLimiter(now: () => number, options: RateLimiterOptions = {}): RateLimiter {
  const store = options.store ?? createMemoryRateLimitStore();
  const failOpen = options.onError === 'open';
  return {
    async take(key, perSecond, burst, cost = 1) {
      if (perSecond <= 0) return 'admitted';
      try {
        return (await store.take(key, perSecond, burst, cost, now())) ? 'admitted' : 'limited';
      } catch (err) {
        options.onStoreError?.(err);
        return failOpen ? 'admitted' : 'unavailable';
      }
    },
  };
}
