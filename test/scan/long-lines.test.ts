import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keywordSegments, LONG_LINE } from '../../src/scan/lines.js';
import { builtinRules, scanText } from '../../src/scan/scan-text.js';

// A minified bundle is one huge line. The scanner runs its patterns on stretches around the
// keywords of such a line, not on all of it; what sits near a keyword must still be found, at
// its true column.

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const alnum = (n: number) => Array.from(randomBytes(n), (b) => ALNUM[b % ALNUM.length]).join('');
/** Minified-looking code holding no keyword. */
const filler = (bytes: number) =>
  'var q0=function(x){return x*2+1};'.repeat(Math.ceil(bytes / 33)).slice(0, bytes);

function inMinified(snippet: string): { text: string; at: number } {
  const before = filler(200_000);
  return { text: `${before};${snippet};${filler(200_000)}\n`, at: before.length + 1 };
}

describe('long lines', () => {
  it('finds an exchange key pair in the middle of a minified line, at its column', () => {
    const key = alnum(64);
    const { text } = inMinified(`const c={binance:{apiKey:"${key}",secret:"${alnum(64)}"}}`);
    const found = scanText(text, { file: 'bundle.min.js' });
    expect(found.map((f) => [f.ruleId, f.line, f.column])).toEqual([
      ['binance-credentials', 1, text.indexOf(key) + 1],
    ]);
  });

  it('finds an escaped PEM private key inside a minified line', () => {
    const pem = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      .privateKey.export({ type: 'sec1', format: 'pem' })
      .toString();
    const { text, at } = inMinified(`var k=${JSON.stringify(pem)}`);
    const found = scanText(text, { file: 'bundle.min.js' });
    expect(found.map((f) => f.ruleId)).toEqual(['private-key']);
    expect(found[0]?.column).toBeGreaterThan(at);
  });

  it('finds a seed phrase inside a minified line', () => {
    const phrase = `${'abandon '.repeat(11)}about`;
    const { text } = inMinified(`var m="${phrase}"`);
    const found = scanText(text, { file: 'bundle.min.js' });
    expect(found.map((f) => [f.ruleId, f.column])).toEqual([
      ['mnemonic-seed-phrase', text.indexOf(phrase) + 1],
    ]);
  });

  it('on a long line, near a keyword means within a few hundred characters, not anywhere on the line', () => {
    const key = alnum(64);
    const near = inMinified(`binance:{"key":"${key}"}`).text;
    expect(scanText(near, { file: 'a.min.js' }).map((f) => f.ruleId)).toContain('binance-api-key');
    const far = inMinified(`binance:1;${filler(5000)};{"key":"${key}"}`).text;
    expect(scanText(far, { file: 'a.min.js' }).map((f) => f.ruleId)).not.toContain('binance-api-key');
    // The same text with line breaks is short lines: the exchange name two lines up still counts.
    const lines = `binance:1;\n${filler(60)}\n{"key":"${key}"}\n`;
    expect(scanText(lines, { file: 'a.js' }).map((f) => f.ruleId)).toContain('binance-api-key');
  });

  it('cuts a long line into stretches around its keywords without cutting the tokens beside them', () => {
    const token = `ghp_${alnum(36)}`;
    const line = `${filler(50_000)}x="${'a'.repeat(700)}${token}"${filler(50_000)}secret${filler(50_000)}`;
    expect(line.length).toBeGreaterThan(LONG_LINE);
    const segments = keywordSegments(line, builtinRules().automaton);
    expect(segments).toHaveLength(2);
    for (const s of segments) expect(line.slice(s.column, s.column + s.text.length)).toBe(s.text);
    // The token's own keyword (ghp_) opened a stretch that holds the whole token.
    expect(segments[0]?.text).toContain(token);
    expect(segments.reduce((n, s) => n + s.text.length, 0)).toBeLessThan(4000);
  });
});
