import type SQLite from 'better-sqlite3';
import { createUsageTracker } from '../policy/index.js';
import { createClientNonceLedger, createNonceSequences, createUsageStore } from '../store/index.js';
import type { StackOptions } from './compose.js';

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
