/**
 * One nonce sequence per exchange key, kept in the store, so the gateway and every one-shot CLI
 * process (`key verify`, `key rotate`, `lockdown --cancel-orders`) sign from the same strictly
 * increasing sequence: Kraken refuses any nonce not above the last one it saw for an API key.
 *
 * Each draw is one atomic upsert. SQLite lets one writer at a time into the database file (the
 * others wait up to busy_timeout, 5 s, see db.ts), so two connections or processes never draw
 * the same value, and a draw is never below the last one even when the clock goes backwards.
 * Values are microseconds since the epoch (as createNonceSource), ~1.8e15 today: they fit an
 * SQLite INTEGER (64-bit) with a wide margin and cross into JS only as bigint (`safeIntegers`),
 * so nothing rounds them, even past 2^53 (about year 2255) or on a finer scale.
 */
import type SQLite from 'better-sqlite3';
import type { NonceSource } from '../core/index.js';

const DRAW = `INSERT INTO nonce_sequences (key_id, last) VALUES (?, ?)
  ON CONFLICT (key_id) DO UPDATE SET last = max(last + 1, excluded.last)
  RETURNING last`;

/**
 * The store-backed sequences: `nonceFor(keyId).next()` returns the clock's value (ms × 1000)
 * if it is above the key's last nonce, else the last nonce + 1, and records it. Synchronous,
 * like the NonceSource it implements; a write per draw.
 */
export function createNonceSequences(
  sqlite: SQLite.Database,
  now: () => number = Date.now,
): (keyId: string) => NonceSource {
  const draw = sqlite.prepare<[string, bigint], bigint>(DRAW).pluck().safeIntegers();
  return (keyId) => ({
    next() {
      const last = draw.get(keyId, BigInt(Math.floor(now())) * 1000n);
      if (typeof last !== 'bigint') throw new Error('nonce_sequences: the upsert returned no row');
      return last.toString();
    },
  });
}
