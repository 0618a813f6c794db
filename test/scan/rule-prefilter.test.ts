/**
 * A rule's `prefilter` lets the engine skip its pattern on lines the prefilter rejects, so it must
 * be a necessary condition: every line the pattern matches passes the prefilter. Checked on the
 * labelled corpus and on generated assignment lines in the syntaxes the rules accept.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../src/scan/rules/index.js';

const withPrefilter = RULES.filter((r) => r.prefilter !== undefined);

function matches(pattern: RegExp, line: string): boolean {
  const re = new RegExp(pattern.source, pattern.flags.replace('g', ''));
  return re.test(line);
}

function corpusLines(dir: string): string[] {
  const lines: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) lines.push(...corpusLines(path));
    else lines.push(...readFileSync(path, 'utf8').split('\n'));
  }
  return lines;
}

const NAMES = [
  'api_key',
  'apiKey',
  'API-KEY',
  'access_key',
  'accessKey',
  'api.id',
  'key',
  'KEY',
  'api_secret',
  'secretKey',
  'SECRET_KEY',
  'secret',
  'private_key',
  'privateKey',
  'passphrase',
  'pass_phrase',
  'password',
  'PASSWD',
  'BINANCE_API_KEY',
  'okx.secret',
];
const SEPARATORS = ['=', ': ', ' = ', ':=', '=>', '": "', "']: '", '` = `', ' =\t', '=os.getenv("'];
const VALUES = [
  'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A',
  'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j',
  'f2b6c1e0-3d7a-4c8e-9b2f-6a1d5e4c3b2a',
  'Q0x2NmRtUjlmV3Fub0pZbWV4cEtHbHZtYnVCcVl4',
  'Corr3ct-H0rse-Battery-Stap1e',
];

describe('rule prefilters', () => {
  it('exist on the exchange assignment rules (otherwise this test checks nothing)', () => {
    expect(withPrefilter.length).toBeGreaterThan(10);
  });

  it('accept every corpus line their rule matches', () => {
    const lines = ['corpus', 'wallets'].flatMap((d) =>
      corpusLines(join(process.cwd(), 'test/fixtures/leaks', d)),
    );
    let matched = 0;
    for (const rule of withPrefilter) {
      for (const line of lines) {
        if (!matches(rule.pattern, line)) continue;
        matched++;
        expect(rule.prefilter?.test(line), `${rule.id}: ${line.slice(0, 80)}`).toBe(true);
      }
    }
    expect(matched).toBeGreaterThan(10);
  });

  it('accept every generated assignment line their rule matches', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 12 }),
        fc.constantFrom(...NAMES),
        fc.constantFrom(...SEPARATORS),
        fc.constantFrom(...VALUES),
        fc.string({ maxLength: 6 }),
        (prefix, name, sep, value, suffix) => {
          const line = `${prefix}${name}${sep}${value}${suffix}`;
          for (const rule of withPrefilter)
            if (matches(rule.pattern, line))
              expect(rule.prefilter?.test(line), `${rule.id}: ${line}`).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
