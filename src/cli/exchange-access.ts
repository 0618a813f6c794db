/**
 * Exchange access for one-shot CLI processes (`key verify`, `key rotate`, `lockdown
 * --cancel-orders`): the gateway's HTTP client over the configured base URLs, and the store's
 * per-key nonce sequences, the ones a running gateway draws from too.
 */
import type { KeywardenConfig } from '../config/index.js';
import { createUpstream } from '../gateway/index.js';
import { type ExchangeAccess, exchangeAccessFor } from '../keys/index.js';
import { type AnyStore, createNonceSequences, createPgNonceSequences } from '../store/index.js';

export function createExchangeAccess(config: KeywardenConfig, store: AnyStore): ExchangeAccess {
  const nonces =
    store.dialect === 'sqlite' ? createNonceSequences(store.sqlite) : createPgNonceSequences(store.db);
  return exchangeAccessFor(config, nonces, createUpstream);
}
