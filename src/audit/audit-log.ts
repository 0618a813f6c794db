import { hash as oneShotHash } from 'node:crypto';
import type SQLite from 'better-sqlite3';
import { KeywardenError } from '../core/index.js';
import { CHECKPOINT_TYPE, type CheckpointAnchor, type CheckpointEntry } from './audit-anchor.js';
import { DEFAULT_CHECKPOINT_EVERY } from './audit-config.js';
import type { AuditEvent, AuditLog, AuditRecord } from './audit-types.js';
import { canonicalJson, canonicalTemplate } from './canonical.js';
import { type CheckpointSigner, publicKeyFingerprint } from './checkpoint-signer.js';

/** prevHash of the first record. */
export const GENESIS_HASH = '0'.repeat(64);
export const PINNED_FINGERPRINT_KEY = 'checkpoint_key_fingerprint';
/** The interval the last writer configured, for writers started without one (admin CLI commands). */
export const CHECKPOINT_EVERY_KEY = 'checkpoint_every';

export interface AuditLogOptions {
  /** Keyed HMAC for sensitive values (the vault's `auditHmac`). */
  hmac: (value: string) => string;
  signer: CheckpointSigner;
  clock?: () => number;
  /**
   * Write a signed checkpoint at least every this many records (no run of more records goes
   * unsigned, whatever the batch size). Default: the interval stored by the last writer that was
   * given one (`audit_meta`), else 100. Given, it is stored for the writers that are not.
   */
  checkpointEvery?: number;
  /** …or after this many ms with unsigned records (default 10 s). */
  checkpointIntervalMs?: number;
  /** The fingerprint pinned outside the database (keywarden.yaml): another signer is refused. */
  pinnedFingerprint?: string;
  /** Where each checkpoint is also copied, after its transaction committed (`audit.anchorFile`). */
  anchor?: CheckpointAnchor;
  /** A checkpoint that could not be copied to the anchor (the records themselves are committed). */
  onAnchorError?: (err: unknown) => void;
}

export interface AuditLogHandle extends AuditLog {
  /** Sign a checkpoint now if records were appended since the last one. */
  checkpoint(): Promise<void>;
}

export interface Pending {
  /** The event without `sensitive`, plus `hmacs`: what the record holds besides seq, at, prevHash. */
  fields: Omit<AuditRecord, 'seq' | 'at' | 'prevHash' | 'hash'>;
  /**
   * `fields` serialised once, at append time (which is also where an unserialisable event is
   * refused), around the slots the commit fills: see `CHAIN_SLOTS`.
   */
  template: string[];
  resolve: (r: AuditRecord) => void;
  reject: (e: unknown) => void;
}

export function sha256Hex(text: string): string {
  return oneShotHash('sha256', text, 'hex');
}

/** Fields the log sets itself; an event cannot supply them. */
const RESERVED = new Set(['seq', 'at', 'prevHash', 'hash', 'hmacs', 'sensitive']);

/** The bytes a checkpoint signature covers. */
export function checkpointMessage(seq: number, hash: string, at: number, fingerprint: string): Buffer {
  return Buffer.from(canonicalJson({ type: CHECKPOINT_TYPE, seq, hash, at, fingerprint }), 'utf8');
}

/**
 * The append-only, hash-chained audit log over the store's SQLite handle.
 *
 * Group commit: appends arriving in the same event-loop turn are written in one
 * `BEGIN IMMEDIATE` transaction; each promise resolves only after COMMIT returned and
 * rejects if the transaction failed (the gateway then refuses the request — fail closed).
 * The store runs WAL with synchronous=NORMAL: a committed transaction is in the WAL file
 * before COMMIT returns, so it survives the process being killed (kill -9); only an OS
 * crash or power loss before the next WAL sync can lose the most recent commits.
 * The chain head is read inside each transaction, so several processes may append safely.
 */
export function createAuditLog(sqlite: SQLite.Database, options: AuditLogOptions): AuditLogHandle {
  const clock = options.clock ?? Date.now;
  const fingerprint = publicKeyFingerprint(options.signer.publicKeyPem);
  if (options.pinnedFingerprint !== undefined && options.pinnedFingerprint !== fingerprint)
    throw new KeywardenError(
      'invalid_config',
      'audit checkpoint key does not match audit.checkpointKeyFingerprint in keywarden.yaml',
    );
  pinFingerprint(sqlite, fingerprint);
  const every = checkpointInterval(sqlite, options.checkpointEvery);

  // Every request of a client carries the same key id: remember its HMAC (bounded; the HMAC
  // key never changes for a log's lifetime, and the clear values are ones the caller holds anyway).
  const hmac = memoHmac(options.hmac);

  let queue: Pending[] = [];
  let scheduled = false;
  let closed = false;
  let inflight: Promise<void> = Promise.resolve();

  const head = sqlite.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
  const insert = sqlite.prepare('INSERT INTO audit_log (seq, at, data, hash) VALUES (?, ?, ?, ?)');
  const lastCheckpoint = sqlite.prepare('SELECT seq FROM audit_checkpoints ORDER BY id DESC LIMIT 1');
  const insertCheckpoint = sqlite.prepare(
    'INSERT INTO audit_checkpoints (seq, hash, at, public_key, signature) VALUES (?, ?, ?, ?, ?)',
  );

  const readHead = (): { seq: number; hash: string } =>
    (head.get() as { seq: number; hash: string } | undefined) ?? { seq: 0, hash: GENESIS_HASH };
  const lastCheckpointSeq = (): number => (lastCheckpoint.get() as { seq: number } | undefined)?.seq ?? 0;

  /** Sign and insert a checkpoint for (seq, hash); the caller holds the transaction. */
  const writeCheckpoint = (seq: number, hash: string): CheckpointEntry => {
    const at = clock();
    const signature = options.signer.sign(checkpointMessage(seq, hash, at, fingerprint));
    insertCheckpoint.run(seq, hash, at, options.signer.publicKeyPem, signature);
    return { type: CHECKPOINT_TYPE, seq, hash, at, fingerprint, signature };
  };
  /** A checkpoint of the head, if records were appended since the last one. */
  const checkpointHead = (): CheckpointEntry[] => {
    const { seq, hash } = readHead();
    return seq === 0 || seq === lastCheckpointSeq() ? [] : [writeCheckpoint(seq, hash)];
  };
  /** Copy committed checkpoints to the anchor; a failure there does not undo the commit. */
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
  const signHead = (): void => anchor(sqlite.transaction(checkpointHead).immediate());

  const batchTxn = sqlite.transaction((batch: Pending[]): [AuditRecord[], CheckpointEntry[]] => {
    let { seq, hash: prevHash } = readHead();
    let signedUpTo = lastCheckpointSeq();
    const records: AuditRecord[] = [];
    const checkpoints: CheckpointEntry[] = [];
    for (const p of batch) {
      seq += 1;
      const { record, data } = chainRecord(p, seq, clock(), prevHash);
      insert.run(seq, record.at, data, record.hash);
      records.push(record);
      prevHash = record.hash;
      // Inside the batch, so no run of more than `every` records is ever unsigned (verify relies on it).
      if (seq - signedUpTo >= every) {
        checkpoints.push(writeCheckpoint(seq, record.hash));
        signedUpTo = seq;
      }
    }
    return [records, checkpoints];
  });
  const writeBatch = (batch: Pending[]) => batchTxn.immediate(batch);

  const flush = (): void => {
    scheduled = false;
    const batch = queue;
    queue = [];
    if (batch.length === 0) return;
    try {
      const [records, checkpoints] = writeBatch(batch);
      anchor(checkpoints);
      batch.forEach((p, i) => {
        const r = records[i];
        if (r) p.resolve(r);
        else p.reject(new KeywardenError('audit_unavailable'));
      });
    } catch {
      for (const p of batch) p.reject(new KeywardenError('audit_unavailable'));
    }
  };

  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    inflight = new Promise((resolve) =>
      setImmediate(() => {
        flush();
        resolve();
      }),
    );
  };

  const timer = setInterval(() => {
    try {
      signHead();
    } catch {
      // The next append surfaces a broken store to its caller; the timer has no one to tell.
    }
  }, options.checkpointIntervalMs ?? 10_000);
  timer.unref();

  return {
    append(event) {
      if (closed) return Promise.reject(new KeywardenError('audit_unavailable'));
      const prepared = prepareAppend(event, hmac);
      if (prepared instanceof KeywardenError) return Promise.reject(prepared);
      const { fields, template } = prepared;
      return new Promise<AuditRecord>((resolve, reject) => {
        queue.push({ fields, template, resolve, reject });
        schedule();
      });
    },
    async checkpoint() {
      await inflight;
      signHead();
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      await inflight;
      flush();
      if (sqlite.open && !sqlite.readonly) signHead();
    },
  };
}

/**
 * Fill the chain slots of a queued append: the stored bytes (`data`) and the record. `fields` is
 * this append's own copy: completing it in place is much cheaper than a spread.
 */
export function chainRecord(
  p: Pick<Pending, 'fields' | 'template'>,
  seq: number,
  at: number,
  prevHash: string,
): { record: AuditRecord; data: string } {
  const t = p.template;
  const data = `${t[0]}${canonicalJson(at)}${t[1]}${JSON.stringify(prevHash)}${t[2]}${seq}${t[3]}`;
  const record = p.fields as AuditRecord;
  record.seq = seq;
  record.at = at;
  record.prevHash = prevHash;
  record.hash = sha256Hex(data);
  return { record, data };
}

/** Memoise the HMAC of recent values (bounded): every request of a client carries the same key id. */
export function memoHmac(hmac: (value: string) => string): (value: string) => string {
  const hmacs = new Map<string, string>();
  return (value) => {
    let h = hmacs.get(value);
    if (h === undefined) {
      h = hmac(value);
      if (hmacs.size >= 1024) hmacs.clear();
      hmacs.set(value, h);
    }
    return h;
  };
}

/** An event as a queued append (fields and template), or the error its append rejects with. */
export function prepareAppend(
  event: AuditEvent,
  hmac: (value: string) => string,
): Pick<Pending, 'fields' | 'template'> | KeywardenError {
  let fields: Pending['fields'];
  try {
    fields = recordFields(event, hmac);
  } catch {
    // No HMAC key (sealed vault): the record cannot be written.
    return new KeywardenError('audit_unavailable');
  }
  try {
    return { fields, template: canonicalTemplate(fields as Record<string, unknown>, CHAIN_SLOTS) };
  } catch {
    // One unserialisable event (NaN notional) must not fail the batch it would share.
    return new KeywardenError('invalid_input', 'audit event is not serialisable');
  }
}

/** The writer's checkpoint interval: given (and then stored), else the stored one, else the default. */
function checkpointInterval(sqlite: SQLite.Database, given: number | undefined): number {
  const stored = sqlite
    .prepare('SELECT value FROM audit_meta WHERE key = ?')
    .pluck()
    .get(CHECKPOINT_EVERY_KEY);
  if (given === undefined) {
    const n = Number(stored);
    return typeof stored === 'string' && Number.isSafeInteger(n) && n > 0 ? n : DEFAULT_CHECKPOINT_EVERY;
  }
  if (stored !== String(given) && !sqlite.readonly)
    sqlite
      .prepare(
        'INSERT INTO audit_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      )
      .run(CHECKPOINT_EVERY_KEY, String(given));
  return given;
}

/** Pin the checkpoint key on first use; a different key later is refused rather than silently re-pinned. */
function pinFingerprint(sqlite: SQLite.Database, fingerprint: string): void {
  const row = sqlite.prepare('SELECT value FROM audit_meta WHERE key = ?').get(PINNED_FINGERPRINT_KEY) as
    | { value: string }
    | undefined;
  if (!row) {
    sqlite
      .prepare('INSERT INTO audit_meta (key, value) VALUES (?, ?)')
      .run(PINNED_FINGERPRINT_KEY, fingerprint);
    return;
  }
  if (row.value !== fingerprint) {
    throw new KeywardenError('invalid_config', 'audit checkpoint key does not match the pinned fingerprint');
  }
}

/** The fields each record gets at commit, sorted by key: `at`, `prevHash`, `seq` (in that order in the template). */
export const CHAIN_SLOTS = ['at', 'prevHash', 'seq'] as const;

/**
 * The record's own fields: the event without `sensitive`, whose values become keyed HMACs in
 * `hmacs` (computed here, before the record queues, so a sealed vault fails only this append).
 */
export function recordFields(event: AuditEvent, hmac: (value: string) => string): Pending['fields'] {
  const fields: Record<string, unknown> = {};
  for (const k of Object.keys(event)) if (!RESERVED.has(k)) fields[k] = event[k as keyof AuditEvent];
  const sensitive = event.sensitive;
  if (sensitive) {
    const keys = Object.keys(sensitive);
    if (keys.length > 0) {
      const hmacs: Record<string, string> = {};
      for (const k of keys) hmacs[k] = hmac(sensitive[k] as string);
      fields.hmacs = hmacs;
    }
  }
  return fields as Pending['fields'];
}
