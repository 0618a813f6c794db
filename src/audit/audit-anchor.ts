/**
 * The external anchor: every signed checkpoint is also appended, as one JSON line, to a file
 * outside the database (`audit.anchorFile`). Someone who rewrites the database — records,
 * checkpoints and the pin in `audit_meta` together — cannot rewrite what the anchor already
 * holds, so `audit verify` compares the two. The file should live where the gateway host
 * cannot rewrite it: another directory at least, an append-only file (`chattr +a`), a mount
 * shipped off the host.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { fail, KeywardenError, ok, type Result } from '../core/index.js';

export const CHECKPOINT_TYPE = 'keywarden-audit-checkpoint/v1';

/** One signed checkpoint, as the anchor file holds it (the signature covers all but itself). */
export interface CheckpointEntry {
  type: typeof CHECKPOINT_TYPE;
  seq: number;
  hash: string;
  at: number;
  fingerprint: string;
  /** Base64 Ed25519 signature over `checkpointMessage(seq, hash, at, fingerprint)`. */
  signature: string;
}

/** Where checkpoints are copied after they are committed. */
export interface CheckpointAnchor {
  append(entry: CheckpointEntry): void;
}

/**
 * An append-only JSONL anchor file (created 0600). It must not sit inside the data directory:
 * whoever can rewrite the database could rewrite a file beside it too.
 */
export function createFileAnchor(path: string, dataDir?: string): CheckpointAnchor {
  const file = resolve(path);
  if (dataDir !== undefined) {
    const dir = resolve(dataDir);
    if (file === dir || file.startsWith(`${dir}${sep}`))
      throw new KeywardenError(
        'invalid_config',
        'audit.anchorFile must be outside the data directory (an anchor beside the database anchors nothing)',
      );
  }
  return {
    append(entry) {
      appendFileSync(file, `${JSON.stringify(entry)}\n`, { mode: 0o600, flag: 'a' });
    },
  };
}

/** The anchor file's entries, or the one-line reason it cannot be used. Missing file: `undefined`. */
export function readAnchorFile(path: string): Result<CheckpointEntry[] | undefined, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return ok(undefined);
    return fail(`anchor file ${path} cannot be read`);
  }
  const entries: CheckpointEntry[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line === '') continue;
    const entry = parseEntry(line);
    if (!entry) return fail(`anchor file ${path} line ${i + 1} is not a checkpoint`);
    entries.push(entry);
  }
  return ok(entries);
}

function parseEntry(line: string): CheckpointEntry | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const e = v as Record<string, unknown>;
  if (
    e.type !== CHECKPOINT_TYPE ||
    !Number.isSafeInteger(e.seq) ||
    typeof e.hash !== 'string' ||
    !Number.isSafeInteger(e.at) ||
    typeof e.fingerprint !== 'string' ||
    typeof e.signature !== 'string'
  )
    return undefined;
  return e as unknown as CheckpointEntry;
}
