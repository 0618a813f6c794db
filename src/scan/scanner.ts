import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type FileEntry, walkFiles } from './files.js';
import { addedChunks, historyArgs, stagedArgs } from './git.js';
import { type BatchResult, scanBatch } from './scan-batch.js';
import { scanText } from './scan-text.js';
import type { Finding } from './scan-types.js';
import type { WorkerData, WorkerReply } from './scan-worker.js';

export type Progress = (done: number, total: number, bytes: number) => void;

export interface TreeScanOptions {
  maxFileBytes: number;
  gitignore: boolean;
  /**
   * Scanning threads, this one included: 0 or 1 = this thread alone; N > 1 = this thread plus
   * N - 1 helper threads; undefined = automatic (`defaultThreads()` for trees of at least
   * AUTO_SHARED_BYTES, where a helper's start-up is paid back).
   */
  workers?: number;
  fingerprintKey?: string;
  onProgress?: Progress;
  /** The helper thread's module (default: the compiled scan-worker.js next to this file). */
  helperUrl?: URL;
}

export interface ScanStats {
  files: number;
  bytes: number;
  skippedLarge: number;
  skippedBinary: number;
  /** Files scanned by helper threads rather than this one. */
  helperFiles: number;
}

const WORKER_URL = new URL('./scan-worker.js', import.meta.url);
/**
 * A helper thread starts, loads the engine and compiles its hot loops again (~0.15 s of CPU).
 * Measured on the 2-core bench machine: 27 MB, same wall time with or without a helper (more
 * CPU); 63 MB, 0.75 -> 0.65 s. Automatic helpers start between the two.
 */
const AUTO_SHARED_BYTES = 32 * 1024 * 1024;
const BATCH_FILES = 32;
const BATCH_BYTES = 256 * 1024;

/** Scanning threads for large trees: one per core, at most 8. */
export function defaultThreads(): number {
  return Math.max(1, Math.min(availableParallelism(), 8));
}

export async function scanTree(
  root: string,
  options: TreeScanOptions,
): Promise<{ findings: Finding[]; stats: ScanStats }> {
  const single = statSync(root).isFile();
  const walked = single
    ? { files: [{ path: root, rel: basename(root), size: statSync(root).size }], skipped: 0 }
    : walkFiles(root, options);
  const files = walked.files.filter((f) => f.size <= options.maxFileBytes);
  const stats: ScanStats = {
    files: files.length,
    bytes: files.reduce((n, f) => n + f.size, 0),
    skippedLarge: walked.skipped + (walked.files.length - files.length),
    skippedBinary: 0,
    helperFiles: 0,
  };
  const threads = options.workers ?? (stats.bytes >= AUTO_SHARED_BYTES ? defaultThreads() : 1);
  // Helpers run the compiled worker (dist/); from sources (vitest) the scan stays in this thread.
  const helperUrl = options.helperUrl ?? WORKER_URL;
  const helpers = files.length > 1 && existsSync(fileURLToPath(helperUrl)) ? Math.max(0, threads - 1) : 0;
  const findings = await scanShared(files, options, stats, helpers, helperUrl);
  findings.sort((a, b) =>
    a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column,
  );
  return { findings, stats };
}

/** Largest files first (so the last batches are small and the threads finish together), then chunked. */
function makeBatches(files: FileEntry[]): FileEntry[][] {
  const batches: FileEntry[][] = [];
  let batch: FileEntry[] = [];
  let bytes = 0;
  for (const f of [...files].sort((a, b) => b.size - a.size)) {
    if (batch.length > 0 && (batch.length >= BATCH_FILES || bytes + f.size > BATCH_BYTES)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(f);
    bytes += f.size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/**
 * This thread and `helpers` worker threads take batches from one shared counter (an Atomics
 * increment, so no thread waits for another to hand out work). This thread starts at once; a
 * helper joins when it has loaded, so a helper that is slow to start costs nothing but its core.
 * A batch whose helper died before answering is scanned here at the end: nothing is skipped.
 */
async function scanShared(
  files: FileEntry[],
  options: TreeScanOptions,
  stats: ScanStats,
  helpers: number,
  helperUrl: URL,
): Promise<Finding[]> {
  const batches = makeBatches(files);
  const results: Array<BatchResult | undefined> = new Array(batches.length);
  const counter = new Int32Array(new SharedArrayBuffer(4));
  let doneFiles = 0;
  let doneBytes = 0;
  const record = (id: number, result: BatchResult, byHelper: boolean) => {
    const batch = batches[id] ?? [];
    results[id] = result;
    stats.skippedBinary += result.binaries;
    if (byHelper) stats.helperFiles += batch.length;
    doneFiles += batch.length;
    doneBytes += batch.reduce((n, f) => n + f.size, 0);
    options.onProgress?.(doneFiles, files.length, doneBytes);
  };
  const running = Array.from({ length: helpers }, () =>
    runHelper(helperUrl, batches, counter, options.fingerprintKey, (id, result) => record(id, result, true)),
  );
  for (let id = Atomics.add(counter, 0, 1); id < batches.length; id = Atomics.add(counter, 0, 1)) {
    record(id, scanBatch(batches[id] ?? [], options.fingerprintKey), false);
    // Let helpers' answers in between batches (progress, and their findings off the queue).
    if (helpers > 0) await new Promise((resolve) => setImmediate(resolve));
  }
  await Promise.all(running);
  batches.forEach((batch, id) => {
    if (!results[id]) record(id, scanBatch(batch, options.fingerprintKey), false);
  });
  return results.flatMap((r) => r?.findings ?? []);
}

/** One helper thread; resolves when it has run out of batches, exited or failed (never rejects). */
function runHelper(
  url: URL,
  batches: FileEntry[][],
  counter: Int32Array,
  fingerprintKey: string | undefined,
  onBatch: (id: number, result: BatchResult) => void,
): Promise<void> {
  const data: WorkerData = {
    batches: batches.map((b) => b.map((f) => ({ path: f.path, rel: f.rel, size: f.size }))),
    counter,
    ...fpKey({ fingerprintKey }),
  };
  return new Promise((resolve) => {
    const worker = new Worker(url, { workerData: data });
    worker.on('message', (reply: WorkerReply) => onBatch(reply.id, reply));
    worker.on('error', () => resolve());
    worker.on('exit', () => resolve());
  });
}

function fpKey(options: { fingerprintKey?: string | undefined }): { fingerprintKey?: string } {
  return options.fingerprintKey ? { fingerprintKey: options.fingerprintKey } : {};
}

/** Findings in added lines of every commit (`--git`) or of the index (`--staged`). */
export async function scanGit(
  repo: string,
  mode: 'history' | 'staged',
  options: { fingerprintKey?: string; onChunk?: (bytes: number) => void } = {},
): Promise<Finding[]> {
  const cwd = statSync(repo).isFile() ? dirname(repo) : repo;
  const findings: Finding[] = [];
  for await (const chunk of addedChunks(mode === 'history' ? historyArgs() : stagedArgs(), cwd)) {
    options.onChunk?.(chunk.text.length);
    const found = scanText(chunk.text, {
      file: chunk.file,
      ...(chunk.commit ? { commit: chunk.commit } : {}),
      ...(chunk.author ? { author: chunk.author } : {}),
      ...(chunk.date ? { date: chunk.date } : {}),
      ...fpKey(options),
    });
    for (const f of found) {
      f.line = chunk.lineNumbers[f.line - 1] ?? f.line;
      f.endLine = chunk.lineNumbers[f.endLine - 1] ?? f.line;
      findings.push(f);
    }
  }
  return findings;
}
