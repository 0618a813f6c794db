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

/**
 * Scans one labelled corpus; expects every label found, nothing else, precision and recall 1.0 per
 * rule and every hard negative silent. Returns the labels for corpus-specific checks.
 */
async function checkCorpus(dir: string, labels: string): Promise<Label[]> {
  const expected = JSON.parse(readFileSync(join(FIXTURES, labels), 'utf8')) as {
    findings: Label[];
    negatives: string[];
  };
  const started = performance.now();
  const { findings, stats } = await scanTree(join(FIXTURES, dir), {
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
    `${dir}: ${stats.files} files, ${findings.length} findings in ${elapsedMs.toFixed(0)} ms\n` +
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
  return expected.findings;
}

describe('leak corpus', () => {
  it('finds every labelled credential and nothing else (precision and recall 1.0 per rule)', async () => {
    const labels = await checkCorpus('corpus', 'expected.json');
    // Every covered credential family appears in the labels.
    const families = new Set(labels.map((f) => f.ruleId.replace(/-(credentials|api-key|secret)$/, '')));
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

describe('wallet corpus', () => {
  it('finds every labelled wallet key and nothing else (precision and recall 1.0 per rule)', async () => {
    const labels = await checkCorpus('wallets', 'wallets-expected.json');
    const rules = new Set(labels.map((l) => l.ruleId));
    for (const ruleId of [
      'evm-private-key',
      'solana-keypair',
      'solana-private-key',
      'bitcoin-wif-private-key',
      'bitcoin-extended-private-key',
      'wallet-keystore',
    ])
      expect(rules.has(ruleId), ruleId).toBe(true);
  });
});
