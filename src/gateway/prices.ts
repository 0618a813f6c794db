import type { ExchangeAdapter } from '../exchanges/adapter.js';
import type { Upstream } from './upstream.js';

/** Public ticker prices fetched through the upstream, cached for `ttlMs`, concurrent misses shared. */
export interface PriceSource {
  price(symbol: string): Promise<number | undefined>;
}

export function createPriceSource(
  adapter: ExchangeAdapter,
  upstream: Upstream,
  ttlMs: number,
  now: () => number,
): PriceSource {
  const cache = new Map<string, { at: number; value: Promise<number | undefined> }>();
  return {
    price(symbol) {
      const t = now();
      const hit = cache.get(symbol);
      if (hit && t - hit.at < ttlMs) return hit.value;
      const value = upstream
        .send(adapter.tickerRequest(symbol))
        .then((r) => adapter.parseTicker(r))
        .catch(() => undefined);
      // A failed lookup is not cached, so the next order retries instead of staying unpriced.
      value.then((v) => {
        if (v === undefined) cache.delete(symbol);
      });
      cache.set(symbol, { at: t, value });
      return value;
    },
  };
}
