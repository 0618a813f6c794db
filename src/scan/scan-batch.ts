import { type FileEntry, readTextFile, type TextFile } from './files.js';
import { scanText } from './scan-text.js';
import type { Finding } from './scan-types.js';

export interface BatchResult {
  findings: Finding[];
  /** Files skipped as binary. */
  binaries: number;
}

/** Reads and scans a batch of files; an unreadable file counts as skipped, like a binary. */
export function scanBatch(batch: readonly FileEntry[], fingerprintKey: string | undefined): BatchResult {
  const findings: Finding[] = [];
  let binaries = 0;
  const ctx = fingerprintKey ? { fingerprintKey } : {};
  for (const f of batch) {
    let file: TextFile | undefined;
    try {
      file = readTextFile(f.path, f.size);
    } catch {
      file = undefined;
    }
    if (file === undefined) binaries++;
    else findings.push(...scanText(file.text, { file: f.rel, ...ctx }, undefined, file.utf8));
  }
  return { findings, binaries };
}
