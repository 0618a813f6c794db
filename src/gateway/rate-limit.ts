/** Token bucket per client: `perSecond` refill, `burst` capacity; perSecond 0 means unlimited. */
export interface RateLimiter {
  take(clientId: string, perSecond: number, burst: number): boolean;
}

export function createRateLimiter(now: () => number): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(clientId, perSecond, burst) {
      if (perSecond <= 0) return true;
      const t = now();
      const b = buckets.get(clientId);
      if (!b) {
        buckets.set(clientId, { tokens: burst - 1, at: t });
        return true;
      }
      b.tokens = Math.min(burst, b.tokens + ((t - b.at) / 1000) * perSecond);
      b.at = t;
      if (b.tokens < 1) return false;
      b.tokens -= 1;
      return true;
    },
  };
}
