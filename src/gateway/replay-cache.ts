/**
 * Signed requests already used, per client, for as long as the exchange's freshness window
 * would accept them again. keywarden re-signs every forwarded request with a fresh timestamp,
 * so without this an intercepted client request could be replayed inside its window and the
 * exchange would execute it twice.
 */
export interface ReplayCache {
  /** False when `key` was already seen for `clientId` within its window; records it otherwise. */
  accept(clientId: string, key: string, windowMs: number): boolean;
}

export function createReplayCache(now: () => number, maxEntries = 1_000_000): ReplayCache {
  // Insertion order is time order, so expired entries are swept from the front.
  const seen = new Map<string, number>();
  const sweep = (t: number) => {
    for (const [k, expires] of seen) {
      if (expires > t && seen.size <= maxEntries) break;
      seen.delete(k);
    }
  };
  return {
    accept(clientId, key, windowMs) {
      const t = now();
      sweep(t);
      const id = `${clientId}\u0000${key}`;
      const expires = seen.get(id);
      if (expires !== undefined && expires > t) return false;
      seen.delete(id);
      seen.set(id, t + windowMs);
      return true;
    },
  };
}
