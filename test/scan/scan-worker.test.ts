import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WorkerData, WorkerReply } from '../../src/scan/scan-worker.js';

// The compiled helper (npm test builds first): the tree scan starts it from dist/.
const WORKER = join(import.meta.dirname, '../../dist/scan/scan-worker.js');
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const token = () => `ghp_${Array.from(randomBytes(36), (b) => ALNUM[b % ALNUM.length]).join('')}`;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kw-scan-worker-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function plant(count: number) {
  return Array.from({ length: count }, (_, i) => {
    const path = join(dir, `f${i}.env`);
    writeFileSync(path, `x=1\nT=${token()}\n`);
    return { path, rel: `f${i}.env`, size: 0 };
  });
}

function runHelper(data: WorkerData): Promise<WorkerReply[]> {
  return new Promise((resolve, reject) => {
    const replies: WorkerReply[] = [];
    const worker = new Worker(WORKER, { workerData: data });
    worker.on('message', (reply: WorkerReply) => replies.push(reply));
    worker.on('error', reject);
    worker.on('exit', () => resolve(replies));
  });
}

describe('scan helper thread', () => {
  it('claims batches from the shared counter until none is left, answering each with its findings', async () => {
    const files = plant(6);
    const batches = [files.slice(0, 2), files.slice(2, 4), files.slice(4, 6)];
    const counter = new Int32Array(new SharedArrayBuffer(4));
    // Another thread already took batch 0: the helper must not scan it again.
    Atomics.store(counter, 0, 1);
    const replies = await runHelper({ batches, counter });
    expect(replies.map((r) => r.id).sort()).toEqual([1, 2]);
    expect(replies.flatMap((r) => r.findings.map((f) => [f.ruleId, f.file, f.line])).sort()).toEqual([
      ['github-token', 'f2.env', 2],
      ['github-token', 'f3.env', 2],
      ['github-token', 'f4.env', 2],
      ['github-token', 'f5.env', 2],
    ]);
    expect(Atomics.load(counter, 0)).toBeGreaterThanOrEqual(batches.length);
  });

  it('keys fingerprints with the baseline key it is given, like the main thread', async () => {
    const files = plant(1);
    const counter = () => new Int32Array(new SharedArrayBuffer(4));
    const plain = await runHelper({ batches: [files], counter: counter() });
    const keyed = await runHelper({ batches: [files], counter: counter(), fingerprintKey: 'k'.repeat(32) });
    expect(plain[0]?.findings[0]?.fingerprint).toBeDefined();
    expect(keyed[0]?.findings[0]?.fingerprint).not.toBe(plain[0]?.findings[0]?.fingerprint);
  });
});

describe('tree scan with helper threads', () => {
  it('rescans the batches a helper claimed and never answered: nothing is skipped', async () => {
    const { scanTree } = await import('../../src/scan/scanner.js');
    // Big enough files for several batches (256 KB each), each with one token at its end.
    for (let i = 0; i < 12; i++)
      writeFileSync(join(dir, `f${i}.txt`), `${'x = 1\n'.repeat(40_000)}T=${token()}\n`);
    const dying = new URL('../fixtures/scan/dying-helper.mjs', import.meta.url);
    const pooled = await scanTree(dir, {
      maxFileBytes: 1 << 20,
      gitignore: true,
      workers: 3,
      helperUrl: dying,
    });
    const single = await scanTree(dir, { maxFileBytes: 1 << 20, gitignore: true, workers: 0 });
    expect(single.findings).toHaveLength(12);
    expect(pooled.findings).toEqual(single.findings);
    expect(pooled.stats.helperFiles).toBe(0);
  });
});
