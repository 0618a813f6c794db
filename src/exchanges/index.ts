import type { ExchangeAdapter, ExchangeId } from './adapter.js';
import { binance } from './binance.js';
import { bybit } from './bybit.js';
import { coinbase } from './coinbase.js';
import { kraken } from './kraken.js';
import { okx } from './okx.js';

/**
 * Every exchange adapter by id. Adding an exchange: its src/exchanges/<name>.ts, its
 * src/sandbox/<name>.ts, their tests, and one line here and in src/sandbox/emulators.ts.
 */
export const ADAPTERS: Partial<Record<ExchangeId, ExchangeAdapter>> = {
  // binance, coinbase, kraken, okx, bybit register here
  binance,
  coinbase,
  kraken,
  okx,
  bybit,
};

export function adapterFor(id: ExchangeId): ExchangeAdapter {
  const adapter = ADAPTERS[id];
  if (!adapter) throw new Error(`no adapter for ${id}`);
  return adapter;
}

export * from './adapter.js';
