/**
 * The store's per-key nonce sequences (src/store/nonce-sequence.ts): every connection and every
 * process on one database file draws from one strictly increasing sequence per exchange key.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/db.js';
import { createNonceSequences } from '../../src/store/nonce-sequence.js';
import { runNode } from '../child.js';

const root = mkdtempSync(join(tmpdir(), 'kw-nonce-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let dirs = 0;
async function twoConnections(): Promise<[Store, Store]> {
  const dir = join(root, `d${++dirs}`);
  return [await openStore(dir), await openStore(dir)];
}

/** A clock that answers `times` in turn (milliseconds), then stays on the last one. */
function scripted(times: number[]): () => number {
  let i = 0;
  return () => times[Math.min(i++, times.length - 1)] ?? 0;
}

function expectStrictlyIncreasing(nonces: string[]): void {
  const values = nonces.map(BigInt);
  for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThan(values[i - 1] ?? 0n);
}

const DRAWS = 500;

describe('store nonce sequences', () => {
  it('two connections drawing interleaved for one key get one increasing sequence, even as the clock goes back', async () => {
    const [a, b] = await twoConnections();
    try {
      const fromA = createNonceSequences(a.sqlite, scripted([5_000, 4_000, 9_000, 1_000, 1_000]))('key1');
      // B's clock trails A's by seconds, as a CLI process's could.
      const fromB = createNonceSequences(b.sqlite, scripted([3_000, 9_000, 2_000, 2_000, 500]))('key1');
      const drawn: string[] = [];
      for (let i = 0; i < 5; i++) drawn.push(fromA.next(), fromB.next());
      expectStrictlyIncreasing(drawn);
      expect(new Set(drawn).size).toBe(10);
      expect(drawn.slice(0, 4)).toEqual(['5000000', '5000001', '5000002', '9000000']);
      // positive control: a clock ahead of the sequence is taken as is.
      expect(createNonceSequences(a.sqlite, () => 20_000)('key1').next()).toBe('20000000');
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('keeps each key on its own sequence', async () => {
    const [a, b] = await twoConnections();
    try {
      const nonceA = createNonceSequences(a.sqlite, () => 1_000);
      const nonceB = createNonceSequences(b.sqlite, () => 1_000);
      expect([nonceA('k1').next(), nonceA('k1').next(), nonceB('k1').next()]).toEqual([
        '1000000',
        '1000001',
        '1000002',
      ]);
      // k2 starts from the clock, not after k1.
      expect([nonceB('k2').next(), nonceA('k2').next()]).toEqual(['1000000', '1000001']);
      expect(nonceA('k1').next()).toBe('1000003');
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('returns nonces above 2^53 exactly (no rounding through a JS number)', async () => {
    const [a, b] = await twoConnections();
    try {
      // 9_999_999_999_999 ms × 1000 = 9.999…e15 > 2^53: odd values there are not JS numbers.
      const next = createNonceSequences(a.sqlite, () => 9_999_999_999_999)('big');
      expect([next.next(), next.next(), next.next()]).toEqual([
        '9999999999999000',
        '9999999999999001',
        '9999999999999002',
      ]);
      const stored = b.sqlite.prepare('SELECT last FROM nonce_sequences WHERE key_id = ?').safeIntegers();
      expect(stored.pluck().get('big')).toBe(9_999_999_999_999_002n);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('two processes drawing at the same time, on one frozen clock, never get the same nonce', async () => {
    const dir = join(root, 'procs');
    const store = await openStore(dir);
    await store.close();
    // The built module (npm run build), in a plain Node process each.
    const module = join(import.meta.dirname, '../../dist/store/nonce-sequence.js');
    // Both start drawing at the same instant, well after both processes are up.
    const startAt = Date.now() + 1_000;
    const script = `
      const { default: SQLite } = await import('better-sqlite3');
      const { createNonceSequences } = await import(${JSON.stringify(module)});
      const db = new SQLite(${JSON.stringify(join(dir, 'keywarden.db'))});
      db.pragma('busy_timeout = 5000');
      const n = createNonceSequences(db, () => 1_000)('shared');
      const out = [];
      while (Date.now() < ${startAt});
      const pause = new Int32Array(new SharedArrayBuffer(4));
      for (let i = 0; i < ${DRAWS}; i++) {
        out.push(n.next());
        // Bursts of draws with 1 ms gaps, so neither process holds the write lock throughout.
        if (i % 5 === 4) Atomics.wait(pause, 0, 0, 1);
      }
      db.close();
      process.stdout.write(JSON.stringify(out));`;
    const draw = async () => {
      const res = await runNode(['--input-type=module', '-e', script], {
        cwd: join(import.meta.dirname, '../..'),
      });
      if (res.code !== 0) throw new Error(`exit ${res.code}: ${res.err}`);
      return JSON.parse(res.out) as string[];
    };
    const [one, two] = await Promise.all([draw(), draw()]);
    expectStrictlyIncreasing(one);
    expectStrictlyIncreasing(two);
    const all = [...one, ...two];
    expect(new Set(all).size).toBe(2 * DRAWS);
    // Every value of the sequence was handed out once: 1_000_000 … 1_000_000 + 2 × DRAWS - 1.
    expect(Math.max(...all.map(Number))).toBe(1_000_000 + 2 * DRAWS - 1);
    // The draws did contend: neither process got one unbroken run of the sequence.
    const contiguous = (xs: string[]) =>
      BigInt(xs.at(-1) ?? 0) - BigInt(xs[0] ?? 0) === BigInt(xs.length - 1);
    expect([contiguous(one), contiguous(two)]).toEqual([false, false]);
  });
});
