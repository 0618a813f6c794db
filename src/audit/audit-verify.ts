import type SQLite from 'better-sqlite3';
import type { Kysely, Selectable } from 'kysely';
import type { AnyStore, Database } from '../store/index.js';
import { type CheckpointEntry, readAnchorFile } from './audit-anchor.js';
import { DEFAULT_CHECKPOINT_EVERY } from './audit-config.js';
import { checkpointMessage, GENESIS_HASH, PINNED_FINGERPRINT_KEY, sha256Hex } from './audit-log.js';
import { publicKeyFingerprint, verifySignature } from './checkpoint-signer.js';

export interface VerifyResult {
  ok: boolean;
  records: number;
  checkpoints: number;
  lastSeq: number;
  /** Sequence number of the first record found missing, altered or out of place. */
  firstBadSeq?: number;
  /** One line saying what is wrong. */
  problem?: string;
  /** Records after the last checkpoint: a truncation of these is only visible to an external anchor. */
  unanchoredTail: number;
  /** The checkpoint-key fingerprint checked against. */
  fingerprint?: string;
  /**
   * Whether that fingerprint came from outside the database. When false it is the store's own
   * pin, which whoever rewrites the store can replace along with every checkpoint.
   */
  pinnedOutside: boolean;
  /** Anchor-file entries found in the store unchanged (when an anchor file was given). */
  anchored?: number;
}

export interface VerifyOptions {
  /** The fingerprint pinned outside the database (`audit.checkpointKeyFingerprint`, `--fingerprint`). */
  pinnedFingerprint?: string;
  /** The writer signs at least every this many records (`audit.checkpointEvery`, default 100). */
  checkpointEvery?: number;
  /** The JSONL anchor file (`audit.anchorFile`): each checkpoint in it must be in the store, unchanged. */
  anchorFile?: string;
}

interface Problem {
  /** Absent for a problem with no record to name (an unreadable anchor file). */
  seq?: number;
  problem: string;
}

interface Row {
  seq: number;
  data: string;
  hash: string;
}

type CheckpointRow = Selectable<Database['audit_checkpoints']>;

/**
 * Walk the chain and the checkpoints. Each record must carry seq = previous + 1 and
 * prevHash = previous hash, and its hash must be SHA-256 over its stored bytes; each
 * checkpoint must be signed by a key whose fingerprint equals the pinned one (the
 * `pinnedFingerprint` option, else the one kept in audit_meta) and must name a record
 * that exists with that hash. No run of more than `checkpointEvery` records may go without a
 * checkpoint (the writer never leaves one), so deleting checkpoints shows; and every checkpoint
 * in the anchor file must still be in the store. What none of this sees: the newest, at most
 * `checkpointEvery`, records after the last checkpoint being dropped.
 */
export function verifyAuditLog(sqlite: SQLite.Database, options: VerifyOptions = {}): VerifyResult {
  const checkpoints = sqlite.prepare('SELECT * FROM audit_checkpoints ORDER BY id').all() as CheckpointRow[];
  const walk = chainWalker(checkpoints);
  for (const row of sqlite
    .prepare('SELECT seq, data, hash FROM audit_log ORDER BY seq')
    .iterate() as IterableIterator<Row>)
    walk.push(row);
  return walk.result(storedPin(sqlite), options);
}

/** Rows per read when walking a PostgreSQL log (bounded memory, one query per page). */
const PAGE = 2_000;

/**
 * `verifyAuditLog` over either engine: the same walk and checks; on PostgreSQL the chain (one
 * sequence however many instances wrote it, src/audit/audit-log-pg.ts) is read page by page.
 */
export async function verifyAuditStore(store: AnyStore, options: VerifyOptions = {}): Promise<VerifyResult> {
  if (store.dialect === 'sqlite') return verifyAuditLog(store.sqlite, options);
  const db: Kysely<Database> = store.db;
  const checkpoints = await db.selectFrom('audit_checkpoints').selectAll().orderBy('id').execute();
  const walk = chainWalker(checkpoints);
  let after = 0;
  for (;;) {
    const page = await db
      .selectFrom('audit_log')
      .select(['seq', 'data', 'hash'])
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(PAGE)
      .execute();
    for (const row of page) walk.push(row);
    const last = page.at(-1);
    if (last === undefined || page.length < PAGE) break;
    after = last.seq;
  }
  const pin = await db
    .selectFrom('audit_meta')
    .select('value')
    .where('key', '=', PINNED_FINGERPRINT_KEY)
    .executeTakeFirst();
  return walk.result(pin?.value, options);
}

/** The walk over the records, in seq order, and the checks that follow it. */
function chainWalker(checkpoints: CheckpointRow[]) {
  // Only the hashes checkpoints refer to are kept, so a long log verifies in bounded memory.
  const wanted = new Set(checkpoints.map((c) => c.seq));
  const hashes = new Map<number, string>();
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let records = 0;
  let bad: Problem | undefined;
  const note = (p: Problem | undefined): void => {
    if (p && (!bad || (p.seq !== undefined && (bad.seq === undefined || p.seq < bad.seq)))) bad = p;
  };
  return {
    push(row: Row): void {
      records += 1;
      if (bad) return;
      const problem = checkRow(row, expectedSeq, prevHash);
      if (problem) {
        note({ seq: Math.min(expectedSeq, row.seq), problem });
        return;
      }
      if (wanted.has(row.seq)) hashes.set(row.seq, row.hash);
      prevHash = row.hash;
      expectedSeq += 1;
    },
    result(stored: string | undefined, options: VerifyOptions): VerifyResult {
      const every = options.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY;
      const lastSeq = expectedSeq - 1;
      const pinned = options.pinnedFingerprint ?? stored;
      if (
        options.pinnedFingerprint !== undefined &&
        stored !== undefined &&
        stored !== options.pinnedFingerprint
      )
        note({
          problem: `the store pins checkpoint key ${stored}, not the pinned ${options.pinnedFingerprint}`,
        });
      let maxCheckpointSeq = 0;
      const firstBad = (bad as Problem | undefined)?.seq ?? Number.POSITIVE_INFINITY;
      for (const cp of checkpoints) {
        note(checkCheckpoint(cp, pinned, hashes, firstBad, lastSeq));
        maxCheckpointSeq = Math.max(maxCheckpointSeq, cp.seq);
      }
      note(checkCoverage(checkpoints, lastSeq, every));
      let anchored: number | undefined;
      if (options.anchorFile !== undefined) {
        const anchor = checkAnchor(options.anchorFile, checkpoints);
        note(anchor.problem);
        anchored = anchor.matched;
      }
      const found = bad as Problem | undefined;
      const result: VerifyResult = {
        ok: found === undefined,
        records,
        checkpoints: checkpoints.length,
        lastSeq,
        unanchoredTail: Math.max(0, lastSeq - maxCheckpointSeq),
        pinnedOutside: options.pinnedFingerprint !== undefined,
      };
      if (pinned !== undefined) result.fingerprint = pinned;
      if (anchored !== undefined) result.anchored = anchored;
      if (found) {
        if (found.seq !== undefined) result.firstBadSeq = found.seq;
        result.problem = found.problem;
      }
      return result;
    },
  };
}

function storedPin(sqlite: SQLite.Database): string | undefined {
  const v = sqlite.prepare('SELECT value FROM audit_meta WHERE key = ?').pluck().get(PINNED_FINGERPRINT_KEY);
  return typeof v === 'string' ? v : undefined;
}

/**
 * The writer signs a checkpoint at least every `every` records, so a longer run without one
 * (between checkpoints, or after the last) means checkpoints were deleted. The tail may hold up
 * to `every` records: the interval in progress.
 */
function checkCoverage(checkpoints: CheckpointRow[], lastSeq: number, every: number): Problem | undefined {
  const seqs = [...new Set(checkpoints.map((c) => c.seq).filter((s) => s <= lastSeq))].sort((a, b) => a - b);
  let prev = 0;
  for (const seq of seqs) {
    if (seq - prev > every)
      return {
        seq: prev + 1,
        problem: `records ${prev + 1} to ${seq} have no checkpoint (one is signed every ${every} records): checkpoints were deleted`,
      };
    prev = seq;
  }
  const tail = lastSeq - prev;
  if (tail <= every) return undefined;
  return {
    seq: prev + 1,
    problem:
      prev === 0
        ? `no checkpoint covers any of the ${lastSeq} records (one is signed every ${every} records): checkpoints were deleted`
        : `${tail} records after the last checkpoint (seq ${prev}), more than checkpointEvery ${every}: checkpoints were deleted`,
  };
}

/** Every checkpoint the anchor file holds must be in the store, field for field. */
function checkAnchor(path: string, checkpoints: CheckpointRow[]): { problem?: Problem; matched?: number } {
  const file = readAnchorFile(path);
  if (!file.ok) return { problem: { problem: file.error } };
  const entries = file.value;
  if (entries === undefined)
    return checkpoints.length === 0
      ? { matched: 0 }
      : {
          problem: {
            problem: `anchor file ${path} is missing, but the store has ${checkpoints.length} checkpoints`,
          },
        };
  const bySeq = new Map<number, CheckpointRow[]>();
  for (const cp of checkpoints) bySeq.set(cp.seq, [...(bySeq.get(cp.seq) ?? []), cp]);
  let matched = 0;
  for (const e of entries) {
    const rows = bySeq.get(e.seq);
    if (!rows)
      return {
        problem: {
          seq: e.seq,
          problem: `checkpoint at seq ${e.seq} in the anchor file is missing from the store`,
        },
      };
    if (!rows.some((r) => sameCheckpoint(r, e)))
      return {
        problem: {
          seq: e.seq,
          problem: `checkpoint at seq ${e.seq} differs from the one in the anchor file`,
        },
      };
    matched += 1;
  }
  return { matched };
}

function sameCheckpoint(row: CheckpointRow, e: CheckpointEntry): boolean {
  if (row.hash !== e.hash || row.at !== e.at || row.signature !== e.signature) return false;
  try {
    return publicKeyFingerprint(row.public_key) === e.fingerprint;
  } catch {
    return false;
  }
}

function checkRow(row: Row, expectedSeq: number, prevHash: string): string | undefined {
  if (row.seq !== expectedSeq) return `record ${expectedSeq} is missing (found ${row.seq})`;
  if (sha256Hex(row.data) !== row.hash) return `record ${row.seq} does not match its hash`;
  let body: unknown;
  try {
    body = JSON.parse(row.data);
  } catch {
    return `record ${row.seq} is not valid JSON`;
  }
  if (typeof body !== 'object' || body === null) return `record ${row.seq} is not an object`;
  const { seq, prevHash: claimedPrev } = body as { seq?: unknown; prevHash?: unknown };
  if (seq !== expectedSeq) return `record at position ${expectedSeq} claims seq ${String(seq)}`;
  if (claimedPrev !== prevHash) return `record ${row.seq} does not chain to record ${expectedSeq - 1}`;
  return undefined;
}

function checkCheckpoint(
  cp: CheckpointRow,
  pinned: string | undefined,
  hashes: Map<number, string>,
  firstBad: number,
  lastKept: number,
): Problem | undefined {
  let fingerprint: string;
  try {
    fingerprint = publicKeyFingerprint(cp.public_key);
  } catch {
    return { seq: cp.seq, problem: `checkpoint at seq ${cp.seq} has an unreadable public key` };
  }
  if (pinned === undefined || fingerprint !== pinned) {
    return { seq: cp.seq, problem: `checkpoint at seq ${cp.seq} is signed by a key that is not pinned` };
  }
  if (!verifySignature(cp.public_key, checkpointMessage(cp.seq, cp.hash, cp.at, fingerprint), cp.signature)) {
    return { seq: cp.seq, problem: `checkpoint at seq ${cp.seq} has an invalid signature` };
  }
  if (cp.seq >= firstBad) return undefined;
  const hash = hashes.get(cp.seq);
  if (hash === undefined) {
    // Records up to a signed checkpoint were removed: the first one missing is the first bad seq.
    return {
      seq: lastKept + 1,
      problem: `records after ${lastKept} were removed (checkpoint covers ${cp.seq})`,
    };
  }
  if (hash !== cp.hash)
    return { seq: cp.seq, problem: `record ${cp.seq} differs from its signed checkpoint` };
  return undefined;
}
