/**
 * The nonce sequences on PostgreSQL, shared by every gateway instance (and CLI process) on the
 * database: the same draw as on SQLite (src/store/nonce-sequence.ts), max(last + 1, clock µs),
 * one atomic upsert, the value read as text so it never rounds.
 *
 * Strictly increasing is not enough when several processes sign for one key: instance A draws
 * n, instance B draws n + 1, and B's request reaching Kraken first makes A's fail ("invalid
 * nonce"). So the gateway leases a draw (`lease()`): a transaction holds the key's advisory lock
 * from the draw until the request signed with it was answered, and the next draw for that key,
 * in any process, waits for it. One connection per key in flight per process (an in-process
 * queue in front), and Kraken's own limits make one request per key at a time the pace anyway.
 *
 * `next()` alone (the lifecycle's key checks) is synchronous, so it cannot reach the database:
 * the clock in µs, kept above this process's own draws. It is not ordered against other
 * processes' leases; only the gateway's signing path, which leases, is.
 */
import { type Kysely, sql } from 'kysely';
import type { LeasingNonceSource, NonceLease } from '../core/index.js';
import type { Database } from './schema.js';

/** Namespace of the per-key advisory locks ("kw" + "nk"); the key id is hashed into the second half. */
export const NONCE_LOCK_SPACE = 0x6b77_6e6b;

const draw = async (db: Kysely<Database>, keyId: string, now: number): Promise<string> => {
  const { rows } = await sql<{ last: string }>`
    INSERT INTO nonce_sequences (key_id, last) VALUES (${keyId}, ${BigInt(Math.floor(now)) * 1000n})
    ON CONFLICT (key_id) DO UPDATE SET last = GREATEST(nonce_sequences.last + 1, excluded.last)
    RETURNING last::text AS last`.execute(db);
  const last = rows[0]?.last;
  if (last === undefined) throw new Error('nonce_sequences: the upsert returned no row');
  return last;
};

export function createPgNonceSequences(
  db: Kysely<Database>,
  now: () => number = Date.now,
): (keyId: string) => LeasingNonceSource {
  /** Per key: the lease this process holds or waits for last (later ones chain behind it). */
  const tails = new Map<string, Promise<void>>();
  /** Per key, the last value this process saw: `next()` stays above it without a round trip. */
  const seen = new Map<string, bigint>();
  const remember = (keyId: string, v: string): void => {
    const b = BigInt(v);
    if ((seen.get(keyId) ?? 0n) < b) seen.set(keyId, b);
  };

  const lease = async (keyId: string): Promise<NonceLease> => {
    const before = tails.get(keyId) ?? Promise.resolve();
    let done!: () => void;
    const mine = new Promise<void>((resolve) => {
      done = resolve;
    });
    const tail = before.then(() => mine);
    tails.set(keyId, tail);
    await before;
    let released = false;
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const value = new Promise<string>((resolve, reject) => {
      db.transaction()
        .execute(async (trx) => {
          await sql`SELECT pg_advisory_xact_lock(${NONCE_LOCK_SPACE}, hashtext(${keyId}))`.execute(trx);
          resolve(await draw(trx, keyId, now()));
          // Held until the request signed with it was answered (or failed).
          await finished;
        })
        .catch(reject);
    });
    const releaseAll = () => {
      if (released) return;
      released = true;
      finish();
      // The next draw of this process waits only for our COMMIT to be sent, not for its answer:
      // any other process's draw waits for the lock, which the COMMIT frees.
      done();
      if (tails.get(keyId) === tail) tails.delete(keyId);
    };
    let nonce: string;
    try {
      nonce = await value;
    } catch (err) {
      releaseAll();
      throw err;
    }
    remember(keyId, nonce);
    let used = false;
    return {
      next() {
        if (used) throw new Error('a leased nonce signs one request');
        used = true;
        return nonce;
      },
      release: releaseAll,
    };
  };

  return (keyId) => ({
    next() {
      const clock = BigInt(Math.floor(now())) * 1000n;
      const last = seen.get(keyId) ?? 0n;
      const v = clock > last ? clock : last + 1n;
      seen.set(keyId, v);
      return v.toString();
    },
    lease: () => lease(keyId),
  });
}
