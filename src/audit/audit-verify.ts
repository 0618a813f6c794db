import type SQLite from 'better-sqlite3';
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
}

interface Row {
  seq: number;
  data: string;
  hash: string;
}

interface CheckpointRow {
  id: number;
  seq: number;
  hash: string;
  at: number;
  public_key: string;
  signature: string;
}

/**
 * Walk the chain and the checkpoints. Each record must carry seq = previous + 1 and
 * prevHash = previous hash, and its hash must be SHA-256 over its stored bytes; each
 * checkpoint must be signed by a key whose fingerprint equals the pinned one (the
 * `pinnedFingerprint` argument, else the one kept in audit_meta) and must name a record
 * that exists with that hash. Deleting records after the last checkpoint cannot be seen
 * from inside the database: anchor checkpoints externally (`audit export`) to catch that.
 */
export function verifyAuditLog(sqlite: SQLite.Database, pinnedFingerprint?: string): VerifyResult {
  const checkpoints = sqlite.prepare('SELECT * FROM audit_checkpoints ORDER BY id').all() as CheckpointRow[];
  // Only the hashes checkpoints refer to are kept, so a long log verifies in bounded memory.
  const wanted = new Set(checkpoints.map((c) => c.seq));
  const rows = sqlite
    .prepare('SELECT seq, data, hash FROM audit_log ORDER BY seq')
    .iterate() as IterableIterator<Row>;
  const hashes = new Map<number, string>();
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let records = 0;
  let bad: { seq: number; problem: string } | undefined;
  for (const row of rows) {
    records += 1;
    if (bad) continue;
    const problem = checkRow(row, expectedSeq, prevHash);
    if (problem) {
      bad = { seq: Math.min(expectedSeq, row.seq), problem };
      continue;
    }
    if (wanted.has(row.seq)) hashes.set(row.seq, row.hash);
    prevHash = row.hash;
    expectedSeq += 1;
  }
  const lastSeq = expectedSeq - 1;

  const pinned =
    pinnedFingerprint ??
    (
      sqlite.prepare('SELECT value FROM audit_meta WHERE key = ?').get(PINNED_FINGERPRINT_KEY) as
        | { value: string }
        | undefined
    )?.value;
  let maxCheckpointSeq = 0;
  for (const cp of checkpoints) {
    const problem = checkCheckpoint(cp, pinned, hashes, bad ? bad.seq : Number.POSITIVE_INFINITY, lastSeq);
    if (problem && (!bad || problem.seq < bad.seq)) bad = problem;
    maxCheckpointSeq = Math.max(maxCheckpointSeq, cp.seq);
  }
  const result: VerifyResult = {
    ok: bad === undefined,
    records,
    checkpoints: checkpoints.length,
    lastSeq,
    unanchoredTail: Math.max(0, lastSeq - maxCheckpointSeq),
  };
  if (bad) {
    result.firstBadSeq = bad.seq;
    result.problem = bad.problem;
  }
  return result;
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
): { seq: number; problem: string } | undefined {
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
