/** Token bucket per key: `perSecond` refill, `burst` capacity; perSecond 0 means unlimited. */
export interface RateLimiter {
  /** Take `cost` tokens (default 1); false, taking nothing, when the bucket holds fewer. */
  take(key: string, perSecond: number, burst: number, cost?: number): boolean;
}

/** Buckets kept before full ones are dropped (a full bucket is the same as no bucket). */
const MAX_BUCKETS = 100_000;

export function createRateLimiter(now: () => number): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number; perSecond: number; burst: number }>();
  const sweep = (t: number) => {
    for (const [k, b] of buckets)
      if (Math.min(b.burst, b.tokens + ((t - b.at) / 1000) * b.perSecond) >= b.burst) buckets.delete(k);
  };
  return {
    take(key, perSecond, burst, cost = 1) {
      if (perSecond <= 0) return true;
      const t = now();
      const b = buckets.get(key);
      if (!b) {
        if (cost > burst) return false;
        if (buckets.size >= MAX_BUCKETS) sweep(t);
        buckets.set(key, { tokens: burst - cost, at: t, perSecond, burst });
        return true;
      }
      b.tokens = Math.min(burst, b.tokens + ((t - b.at) / 1000) * perSecond);
      b.at = t;
      b.perSecond = perSecond;
      b.burst = burst;
      if (b.tokens < cost) return false;
      b.tokens -= cost;
      return true;
    },
  };
}
