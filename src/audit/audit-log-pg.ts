/**
 * The audit log on PostgreSQL, for several gateway instances writing one store.
 *
 * Several writers, one chain: every instance appends to the same `audit_log` sequence. Each
 * group-commit batch is one transaction that first takes the audit advisory lock
 * (`AUDIT_WRITE_LOCK`, transaction-scoped), then reads the head, chains its records onto it,
 * signs the checkpoints due and commits. The lock makes writers take turns at the head, so the
 * chain stays one unbroken sequence with no fork, and `audit verify` walks it exactly as on
 * SQLite; the checkpoint interval is counted on the shared chain, whoever wrote the records.
 *
 * Durability: `append()` resolves only after COMMIT returned. PostgreSQL (synchronous_commit on,
 * its default) answers COMMIT after the WAL reached disk, so an acknowledged record survives
 * the gateway being killed and the database server crashing. The gateway forwards nothing
 * before its decision record resolved, so a request that was sent always has its record.
 *
 * Group commit: appends arriving while a batch is in flight queue and go together in the next
 * transaction (one round trip per batch, not per record).
 */
import { type Kysely, sql } from 'kysely';
import { KeywardenError } from '../core/index.js';
import type { Database } from '../store/index.js';
import { CHECKPOINT_TYPE, type CheckpointEntry } from './audit-anchor.js';
import { DEFAULT_CHECKPOINT_EVERY } from './audit-config.js';
import {
  type AuditLogHandle,
  type AuditLogOptions,
  CHECKPOINT_EVERY_KEY,
  chainRecord,
  checkpointMessage,
  GENESIS_HASH,
  memoHmac,
  type Pending,
  PINNED_FINGERPRINT_KEY,
  prepareAppend,
} from './audit-log.js';
import type { AuditRecord } from './audit-types.js';
import { publicKeyFingerprint } from './checkpoint-signer.js';

/** The advisory lock id of audit appends ("kw" + "au"); not the store's write lock, so domain writes never wait for it. */
export const AUDIT_WRITE_LOCK = 0x6b77_6175;
/** At most this many records per transaction: a long queue is split, each part committed in turn. */
const MAX_BATCH = 1_000;
const INSERT_CHUNK = 200;

type Trx = Kysely<Database>;

export async function createPgAuditLog(
  db: Kysely<Database>,
  options: AuditLogOptions,
): Promise<AuditLogHandle> {
  const clock = options.clock ?? Date.now;
  const fingerprint = publicKeyFingerprint(options.signer.publicKeyPem);
  if (options.pinnedFingerprint !== undefined && options.pinnedFingerprint !== fingerprint)
    throw new KeywardenError(
      'invalid_config',
      'audit checkpoint key does not match audit.checkpointKeyFingerprint in keywarden.yaml',
    );
  await pinFingerprint(db, fingerprint);
  const every = await checkpointInterval(db, options.checkpointEvery);
  const hmac = memoHmac(options.hmac);

  let queue: Pending[] = [];
  let running: Promise<void> | undefined;
  let closed = false;

  const head = async (trx: Trx): Promise<{ seq: number; hash: string }> =>
    (await trx
      .selectFrom('audit_log')
      .select(['seq', 'hash'])
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst()) ?? {
      seq: 0,
      hash: GENESIS_HASH,
    };
  const lastCheckpointSeq = async (trx: Trx): Promise<number> =>
    (
      await trx
        .selectFrom('audit_checkpoints')
        .select('seq')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst()
    )?.seq ?? 0;
  const checkpointRow = (seq: number, hash: string): CheckpointEntry => {
    const at = clock();
    const signature = options.signer.sign(checkpointMessage(seq, hash, at, fingerprint));
    return { type: CHECKPOINT_TYPE, seq, hash, at, fingerprint, signature };
  };
  const insertCheckpoints = async (trx: Trx, entries: CheckpointEntry[]): Promise<void> => {
    if (entries.length === 0) return;
    await trx
      .insertInto('audit_checkpoints')
      .values(
        entries.map((e) => ({
          seq: e.seq,
          hash: e.hash,
          at: e.at,
          public_key: options.signer.publicKeyPem,
          signature: e.signature,
        })),
      )
      .execute();
  };
  const locked = <T>(fn: (trx: Trx) => Promise<T>): Promise<T> =>
    db.transaction().execute(async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(${AUDIT_WRITE_LOCK})`.execute(trx);
      return fn(trx);
    });
  const anchor = (entries: CheckpointEntry[]): void => {
    if (!options.anchor) return;
    for (const e of entries) {
      try {
        options.anchor.append(e);
      } catch (err) {
        options.onAnchorError?.(err);
      }
    }
  };

  const writeBatch = (batch: Pending[]) =>
    locked(async (trx): Promise<[AuditRecord[], CheckpointEntry[]]> => {
      let { seq, hash: prevHash } = await head(trx);
      let signedUpTo = await lastCheckpointSeq(trx);
      const records: AuditRecord[] = [];
      const rows: Array<{ seq: number; at: number; data: string; hash: string }> = [];
      const checkpoints: CheckpointEntry[] = [];
      for (const p of batch) {
        seq += 1;
        const { record, data } = chainRecord(p, seq, clock(), prevHash);
        rows.push({ seq, at: record.at, data, hash: record.hash });
        records.push(record);
        prevHash = record.hash;
        if (seq - signedUpTo >= every) {
          checkpoints.push(checkpointRow(seq, record.hash));
          signedUpTo = seq;
        }
      }
      for (let i = 0; i < rows.length; i += INSERT_CHUNK)
        await trx
          .insertInto('audit_log')
          .values(rows.slice(i, i + INSERT_CHUNK))
          .execute();
      await insertCheckpoints(trx, checkpoints);
      return [records, checkpoints];
    });

  const signHead = async (): Promise<void> => {
    const entries = await locked(async (trx) => {
      const { seq, hash } = await head(trx);
      if (seq === 0 || seq === (await lastCheckpointSeq(trx))) return [];
      const entry = checkpointRow(seq, hash);
      await insertCheckpoints(trx, [entry]);
      return [entry];
    });
    anchor(entries);
  };

  /** Write queued appends, batch after batch, until the queue is empty. */
  const pump = async (): Promise<void> => {
    while (queue.length > 0) {
      const batch = queue.slice(0, MAX_BATCH);
      queue = queue.slice(batch.length);
      try {
        const [records, checkpoints] = await writeBatch(batch);
        anchor(checkpoints);
        batch.forEach((p, i) => {
          const r = records[i];
          if (r) p.resolve(r);
          else p.reject(new KeywardenError('audit_unavailable'));
        });
      } catch {
        // Rolled back (the server is away, the connection dropped): none of these was written.
        for (const p of batch) p.reject(new KeywardenError('audit_unavailable'));
      }
    }
  };
  const schedule = (): void => {
    if (running) return;
    // One event-loop turn first, so appends of the same turn share the first transaction.
    running = new Promise<void>((resolve) => setImmediate(resolve)).then(pump).finally(() => {
      running = undefined;
      if (queue.length > 0) schedule();
    });
  };

  const timer = setInterval(() => {
    signHead().catch(() => {
      // The next append surfaces a broken store to its caller; the timer has no one to tell.
    });
  }, options.checkpointIntervalMs ?? 10_000);
  timer.unref();

  return {
    append(event) {
      if (closed) return Promise.reject(new KeywardenError('audit_unavailable'));
      const prepared = prepareAppend(event, hmac);
      if (prepared instanceof KeywardenError) return Promise.reject(prepared);
      return new Promise<AuditRecord>((resolve, reject) => {
        queue.push({ ...prepared, resolve, reject });
        schedule();
      });
    },
    async checkpoint() {
      while (running) await running;
      await signHead();
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      while (running) await running;
      await pump();
      await signHead().catch(() => undefined);
    },
  };
}

async function readMeta(db: Kysely<Database>, key: string): Promise<string | undefined> {
  return (await db.selectFrom('audit_meta').select('value').where('key', '=', key).executeTakeFirst())?.value;
}

/** Pin the checkpoint key on first use (the first instance wins); a different key later is refused. */
async function pinFingerprint(db: Kysely<Database>, fingerprint: string): Promise<void> {
  await db
    .insertInto('audit_meta')
    .values({ key: PINNED_FINGERPRINT_KEY, value: fingerprint })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  if ((await readMeta(db, PINNED_FINGERPRINT_KEY)) !== fingerprint)
    throw new KeywardenError('invalid_config', 'audit checkpoint key does not match the pinned fingerprint');
}

/** As on SQLite: given (and then stored), else the stored one, else the default. */
async function checkpointInterval(db: Kysely<Database>, given: number | undefined): Promise<number> {
  const stored = await readMeta(db, CHECKPOINT_EVERY_KEY);
  if (given === undefined) {
    const n = Number(stored);
    return stored !== undefined && Number.isSafeInteger(n) && n > 0 ? n : DEFAULT_CHECKPOINT_EVERY;
  }
  if (stored !== String(given))
    await db
      .insertInto('audit_meta')
      .values({ key: CHECKPOINT_EVERY_KEY, value: String(given) })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: String(given) }))
      .execute();
  return given;
}
