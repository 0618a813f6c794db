import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type FileEntry, readTextFile, walkFiles } from './files.js';
import { addedChunks, historyArgs, stagedArgs } from './git.js';
import { scanText } from './scan-text.js';
import type { Finding } from './scan-types.js';
import type { WorkerBatch, WorkerReply } from './scan-worker.js';

export type Progress = (done: number, total: number, bytes: number) => void;

export interface TreeScanOptions {
  maxFileBytes: number;
  gitignore: boolean;
  /**
   * Worker threads: 0 or 1 = scan in this thread; N > 1 = a pool of N; undefined = automatic
   * (a pool of `defaultWorkers()` only for trees over AUTO_WORKER_BYTES, where it pays for the
   * threads' start-up and for handing findings back).
   */
  workers?: number;
  fingerprintKey?: string;
  onProgress?: Progress;
}

export interface ScanStats {
  files: number;
  bytes: number;
  skippedLarge: number;
  skippedBinary: number;
}

const WORKER_URL = new URL('./scan-worker.js', import.meta.url);
const AUTO_WORKER_BYTES = 64 * 1024 * 1024;
const BATCH_FILES = 32;

/** Pool size for large trees: one thread per core, at most 8. */
export function defaultWorkers(): number {
  return Math.max(1, Math.min(availableParallelism(), 8));
}

export async function scanTree(
  root: string,
  options: TreeScanOptions,
): Promise<{ findings: Finding[]; stats: ScanStats }> {
  const single = statSync(root).isFile();
  const walked = single
    ? { files: [{ path: root, rel: basename(root), size: statSync(root).size }], skipped: 0 }
    : await walkFiles(root, options);
  const files = walked.files.filter((f) => f.size <= options.maxFileBytes);
  const stats: ScanStats = {
    files: files.length,
    bytes: files.reduce((n, f) => n + f.size, 0),
    skippedLarge: walked.skipped + (walked.files.length - files.length),
    skippedBinary: 0,
  };
  const workers = options.workers ?? (stats.bytes > AUTO_WORKER_BYTES ? defaultWorkers() : 0);
  // The pool needs the compiled worker (dist/); from sources (vitest) the scan stays in-thread.
  const useWorkers = workers > 1 && files.length > 1 && existsSync(fileURLToPath(WORKER_URL));
  const findings = useWorkers
    ? await scanWithWorkers(files, { ...options, workers }, stats)
    : scanInThread(files, options, stats);
  findings.sort((a, b) =>
    a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column,
  );
  return { findings, stats };
}

function scanInThread(files: FileEntry[], options: TreeScanOptions, stats: ScanStats): Finding[] {
  const findings: Finding[] = [];
  let bytes = 0;
  files.forEach((f, i) => {
    let text: string | undefined;
    try {
      text = readTextFile(f.path, f.size);
    } catch {
      text = undefined;
    }
    bytes += f.size;
    if (text === undefined) stats.skippedBinary++;
    else findings.push(...scanText(text, { file: f.rel, ...fpKey(options) }));
    options.onProgress?.(i + 1, files.length, bytes);
  });
  return findings;
}

function fpKey(options: { fingerprintKey?: string }): { fingerprintKey?: string } {
  return options.fingerprintKey ? { fingerprintKey: options.fingerprintKey } : {};
}

async function scanWithWorkers(
  files: FileEntry[],
  options: TreeScanOptions & { workers: number },
  stats: ScanStats,
): Promise<Finding[]> {
  const batches: WorkerBatch[] = [];
  const sizes: number[] = [];
  for (let i = 0; i < files.length; i += BATCH_FILES) {
    const slice = files.slice(i, i + BATCH_FILES);
    sizes.push(slice.reduce((n, f) => n + f.size, 0));
    batches.push({
      id: batches.length,
      files: slice.map((f) => ({ path: f.path, rel: f.rel })),
      ...fpKey(options),
    });
  }
  const findings: Finding[] = [];
  let next = 0;
  let doneFiles = 0;
  let doneBytes = 0;
  const count = Math.min(options.workers, batches.length);
  const run = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const worker = new Worker(WORKER_URL);
      const feed = () => {
        const batch = batches[next++];
        if (!batch) {
          void worker.terminate().then(() => resolve());
          return;
        }
        worker.postMessage(batch);
      };
      worker.on('message', (reply: WorkerReply) => {
        findings.push(...reply.findings);
        stats.skippedBinary += reply.binaries;
        doneFiles += batches[reply.id]?.files.length ?? 0;
        doneBytes += sizes[reply.id] ?? 0;
        options.onProgress?.(doneFiles, files.length, doneBytes);
        feed();
      });
      worker.on('error', reject);
      feed();
    });
  await Promise.all(Array.from({ length: count }, run));
  return findings;
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
