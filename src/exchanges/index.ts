import type { ExchangeId } from '../core/index.js';
import type { ExchangeAdapter } from './adapter.js';
import { binance } from './binance/index.js';
import { bitget } from './bitget/index.js';
import { bybit } from './bybit/index.js';
import { coinbase } from './coinbase/index.js';
import { kraken } from './kraken/index.js';
import { kucoin } from './kucoin/index.js';
import { okx } from './okx/index.js';

/**
 * Every exchange adapter by id: the compiler refuses a missing or an extra exchange (the id
 * list is src/core/exchange-ids.ts). Adding an exchange: CONTRIBUTING.md has the recipe.
 */
export const ADAPTERS = {
  binance,
  coinbase,
  kraken,
  okx,
  bybit,
  bitget,
  kucoin,
} as const satisfies Record<ExchangeId, ExchangeAdapter>;

export function adapterFor(id: ExchangeId): ExchangeAdapter {
  return ADAPTERS[id];
}

export * from './adapter.js';
export * from './http-text.js';
export * from './memory-nonce-ledger.js';
export * from './params.js';
export * from './rate-rules.js';
export * from './rate-rules-registry.js';
export * from './strict-json.js';
export * from './ws-adapter.js';
