import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanTree } from '../../src/scan/scanner.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/leaks');

interface Label {
  file: string;
  line: number;
  ruleId: string;
}

describe('leak corpus', () => {
  it('finds every labelled credential and nothing else (precision and recall 1.0 per rule)', async () => {
    const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8')) as {
      findings: Label[];
      negatives: string[];
    };
    const started = performance.now();
    const { findings, stats } = await scanTree(join(FIXTURES, 'corpus'), {
      maxFileBytes: 2 * 1024 * 1024,
      gitignore: true,
      workers: 0,
    });
    const elapsedMs = performance.now() - started;
    const key = (f: Label) => `${f.file}:${f.line}:${f.ruleId}`;
    const want = new Set(expected.findings.map(key));
    const got = new Set(findings.map(key));

    const rules = [...new Set([...expected.findings, ...findings].map((f) => f.ruleId))].sort();
    const rows = rules.map((ruleId) => {
      const w = expected.findings.filter((f) => f.ruleId === ruleId).map(key);
      const g = findings.filter((f) => f.ruleId === ruleId).map(key);
      const tp = g.filter((k) => want.has(k)).length;
      return {
        ruleId,
        expected: w.length,
        found: g.length,
        precision: g.length === 0 ? 1 : tp / g.length,
        recall: w.length === 0 ? 1 : w.filter((k) => got.has(k)).length / w.length,
      };
    });
    console.log(
      `corpus: ${stats.files} files, ${findings.length} findings in ${elapsedMs.toFixed(0)} ms\n` +
        rows
          .map(
            (r) =>
              `${r.ruleId.padEnd(30)} expected ${String(r.expected).padStart(2)} found ${String(r.found).padStart(2)}  precision ${r.precision.toFixed(2)}  recall ${r.recall.toFixed(2)}`,
          )
          .join('\n'),
    );

    expect([...want].filter((k) => !got.has(k))).toEqual([]);
    expect([...got].filter((k) => !want.has(k))).toEqual([]);
    for (const r of rows) {
      expect(r.precision, r.ruleId).toBe(1);
      expect(r.recall, r.ruleId).toBe(1);
    }
    // Hard negatives (hashes, UUIDs, lockfiles, images, placeholders, allow-marked lines) stay silent.
    expect(findings.filter((f) => expected.negatives.includes(f.file))).toEqual([]);
    // Every covered credential family appears in the labels.
    const families = new Set(
      expected.findings.map((f) => f.ruleId.replace(/-(credentials|api-key|secret)$/, '')),
    );
    for (const family of [
      'binance',
      'coinbase',
      'kraken',
      'okx',
      'bybit',
      'kucoin',
      'bitfinex',
      'gemini',
      'bitget',
      'gate',
      'mexc',
      'htx',
      'bitstamp',
      'cryptocom',
      'deribit',
      'aws',
    ]) {
      expect(families.has(family), family).toBe(true);
    }
  });
});
