import type { MarketType } from '../core/index.js';
import type { ContractSpec, ExchangeAdapter } from '../exchanges/index.js';
import type { PolicyContext } from '../policy/index.js';
import type { Upstream } from './upstream.js';

/**
 * Public market data the price rules read: ticker prices and derivative contract specs,
 * fetched through the upstream, cached for `ttlMs` (specs for `specTtlMs`), concurrent misses
 * shared. A failed lookup is cached for `failureTtlMs` too, so a flood of orders for an
 * unpriceable symbol costs one upstream call per interval, not one per order.
 */
export interface MarketData {
  /** Fill `ctx.prices` and `ctx.specs` for the symbols named (missing entries stay undefined). */
  fill(needs: { prices: string[]; specs: string[] }, ctx: PolicyContext): Promise<void>;
}

export interface MarketDataOptions {
  ttlMs: number;
  failureTtlMs: number;
  specTtlMs: number;
  now: () => number;
}

interface Entry<T> {
  at: number;
  ttl: number;
  value: Promise<T | undefined>;
}

function cached<T>(
  options: MarketDataOptions,
  ttl: number,
  fetch: (symbol: string) => Promise<T | undefined>,
): (symbol: string) => Promise<T | undefined> {
  const cache = new Map<string, Entry<T>>();
  return (symbol) => {
    const t = options.now();
    const hit = cache.get(symbol);
    if (hit && t - hit.at < hit.ttl) return hit.value;
    const entry: Entry<T> = { at: t, ttl, value: fetch(symbol).catch(() => undefined) };
    entry.value.then((v) => {
      if (v === undefined) entry.ttl = options.failureTtlMs;
    });
    cache.set(symbol, entry);
    return entry.value;
  };
}

/** CCXT's symbol forms: `BTC/USDT:USDT` swap, `…:USDT-250627` future, `…:BTC-250627-60000-C` option. */
function marketOf(symbol: string): MarketType {
  const settle = symbol.split(':')[1];
  if (settle === undefined) return 'spot';
  const parts = settle.split('-').length;
  return parts >= 4 ? 'option' : parts === 2 ? 'future' : 'swap';
}

export function createMarketData(
  adapter: ExchangeAdapter,
  upstream: Upstream,
  options: MarketDataOptions,
): MarketData {
  const price = cached(options, options.ttlMs, async (symbol) =>
    adapter.parseTicker(await upstream.send(adapter.tickerRequest(symbol))),
  );
  const spec = cached<ContractSpec>(options, options.specTtlMs, async (symbol) => {
    const request = adapter.instrumentRequest?.(symbol, marketOf(symbol));
    if (!request || !adapter.parseInstrument) return undefined;
    return adapter.parseInstrument(await upstream.send(request));
  });
  return {
    async fill(needs, ctx) {
      const [prices, specs] = await Promise.all([
        Promise.all(needs.prices.map(price)),
        Promise.all(needs.specs.map(spec)),
      ]);
      const priceMap = ctx.prices;
      const specMap = ctx.specs ?? {};
      needs.prices.forEach((s, i) => {
        priceMap[s] = prices[i];
      });
      needs.specs.forEach((s, i) => {
        specMap[s] = specs[i];
      });
      ctx.specs = specMap;
    },
  };
}
