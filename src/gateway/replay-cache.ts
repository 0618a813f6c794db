/**
 * Signed requests already used, per client, for as long as the exchange's freshness window
 * would accept them again. keywarden re-signs every forwarded request with a fresh timestamp,
 * so without this an intercepted client request could be replayed inside its window and the
 * exchange would execute it twice.
 */
export interface ReplayCache {
  /**
   * False when `key` was already seen for `clientId` within its window; records it otherwise.
   * Synchronous in one process; a promise when the cache is shared by several (PostgreSQL).
   */
  accept(clientId: string, key: string, windowMs: number): boolean | Promise<boolean>;
}

/**
 * This process's cache in front of one several gateways share: a replay to this instance is
 * refused at once, one to another instance by the shared cache's single conditional write.
 */
export function sharedReplayCache(
  local: ReplayCache,
  shared: { accept(clientId: string, key: string, windowMs: number): Promise<boolean> },
): ReplayCache {
  return {
    accept(clientId, key, windowMs) {
      const here = local.accept(clientId, key, windowMs);
      if (here === false) return false;
      return shared.accept(clientId, key, windowMs);
    },
  };
}

export function createReplayCache(
  now: () => number,
  maxEntries = 1_000_000,
): { accept(clientId: string, key: string, windowMs: number): boolean } {
  const seen = new Map<string, number>();
  // Expiry order is kept in a queue beside the map: sweeping by iterating the map from its
  // front walks every deleted slot before the next live one (V8 keeps them until it rehashes),
  // which cost ~20 µs per request at a few thousand requests per second.
  let ids: string[] = [];
  let expiries: number[] = [];
  let head = 0;
  const sweep = (t: number) => {
    while (head < ids.length && ((expiries[head] ?? 0) <= t || ids.length - head > maxEntries)) {
      const id = ids[head] as string;
      if (seen.get(id) === expiries[head]) seen.delete(id);
      head++;
    }
    if (head > 4096 && head * 2 > ids.length) {
      ids = ids.slice(head);
      expiries = expiries.slice(head);
      head = 0;
    }
  };
  return {
    accept(clientId, key, windowMs) {
      const t = now();
      sweep(t);
      const id = `${clientId}\u0000${key}`;
      const expires = seen.get(id);
      if (expires !== undefined && expires > t) return false;
      const until = t + windowMs;
      seen.set(id, until);
      ids.push(id);
      expiries.push(until);
      return true;
    },
  };
}
