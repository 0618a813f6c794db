/**
 * The client nonce ledger (Kraken drop-in clients) in the store: a nonce is accepted only when
 * it is above every nonce the same client key used before, across restarts. One atomic
 * conditional upsert per request; values cross into JS as bigint only.
 */
import type SQLite from 'better-sqlite3';
import type { NonceLedger } from '../core/index.js';

const ACCEPT = `INSERT INTO client_nonces (api_key, last) VALUES (?, ?)
  ON CONFLICT (api_key) DO UPDATE SET last = excluded.last WHERE excluded.last > client_nonces.last
  RETURNING last`;

export function createClientNonceLedger(sqlite: SQLite.Database): NonceLedger {
  const accept = sqlite.prepare<[string, bigint], bigint>(ACCEPT).pluck().safeIntegers();
  return {
    accept(apiKey, nonce) {
      return accept.get(apiKey, nonce) !== undefined;
    },
  };
}
