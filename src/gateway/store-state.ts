import type SQLite from 'better-sqlite3';
import { createSharedUsageTracker, createUsageTracker } from '../policy/index.js';
import {
  type AnyStore,
  createClientNonceLedger,
  createNonceSequences,
  createPgClientNonceLedger,
  createPgNonceSequences,
  createPgReplayCache,
  createPgUsageStore,
  createUsageStore,
} from '../store/index.js';
import type { StackOptions } from './compose.js';
import { createReplayCache, sharedReplayCache } from './replay-cache.js';

/**
 * The gateway state that must outlive a process, kept in the store: the exchange keys' nonce
 * sequences (shared with CLI processes), policy usage (so a restart does not reset a daily
 * cap) and the client nonce ledger (so a captured Kraken request cannot be replayed after a
 * restart). Every composition root that serves the gateway spreads this into its stack.
 */
export function storeBackedState(
  sqlite: SQLite.Database,
  now: () => number = Date.now,
): Required<Pick<StackOptions, 'nonces' | 'usage' | 'clientNonces'>> {
  return {
    nonces: createNonceSequences(sqlite, now),
    usage: createUsageTracker(createUsageStore(sqlite)),
    clientNonces: createClientNonceLedger(sqlite),
  };
}

/**
 * The same state for either engine. On PostgreSQL every gateway instance on the database shares
 * it: nonce draws leased per key until answered (src/store/pg-nonce-sequence.ts), and usage read
 * and reserved under a per-client lock every instance takes (src/policy/shared-usage.ts), so a
 * cap holds across instances, and the replay cache (src/store/pg-replay-cache.ts), so a signed
 * request is accepted once whichever instance it reaches, and the client nonce ledger
 * (src/store/pg-client-nonces.ts), so a drop-in Kraken client's nonce must be above every nonce
 * it used at any instance.
 */
export function gatewayState(
  store: AnyStore,
  options: { now?: () => number; onError?: (err: unknown) => void } = {},
): Required<Pick<StackOptions, 'nonces' | 'usage'>> &
  Pick<StackOptions, 'clientNonces' | 'replays' | 'sharedClientNonces'> {
  const now = options.now ?? Date.now;
  if (store.dialect === 'sqlite') return storeBackedState(store.sqlite, now);
  return {
    nonces: createPgNonceSequences(store.db, now),
    usage: createSharedUsageTracker(createPgUsageStore(store.db), options.onError),
    replays: sharedReplayCache(createReplayCache(now), createPgReplayCache(store.db, now)),
    sharedClientNonces: createPgClientNonceLedger(store.db),
  };
}
