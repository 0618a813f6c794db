import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Automaton } from '../../src/scan/aho-corasick.js';
import { builtinRules } from '../../src/scan/scan-text.js';
import { type TextPass, textPass } from '../../src/scan/text-pass.js';

// textPass splits the work into native indexOf scans, a bare automaton loop and a skipping search
// for long runs. Its results must equal the one-loop, per-character definition below on any text.

/** Character classes (ASCII), one table lookup instead of several comparisons per character. */
const BASE64 = 1;
const HEX_DIGIT = 2;
/** May follow a backslash in an escape worth decoding. */
const ESCAPED = 4;
/** May close a quoted phrase: " ' ` , . ; ) ] } */
const PHRASE_END = 8;
const SEPARATOR = 16;
const CLASS = new Uint8Array(128);
const mark = (chars: string, bit: number) => {
  for (const c of chars) CLASS[c.charCodeAt(0)] = (CLASS[c.charCodeAt(0)] ?? 0) | bit;
};
mark('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-', BASE64);
mark('0123456789abcdefABCDEF', HEX_DIGIT);
mark('nrt"\'/u', ESCAPED);
mark('"\'`,.;)]}', PHRASE_END);
mark(' \t', SEPARATOR);
/** ASCII lower-casing for the automaton. */
const FOLD = new Uint8Array(128);
for (let c = 0; c < 128; c++) FOLD[c] = c >= 65 && c <= 90 ? c + 32 : c;

/** The per-character definition: the fused one-pass loop textPass used before it was split into passes. */
function referencePass(text: string, automaton: Automaton, minBase64: number, minWords: number): TextPass {
  const { delta, outputs, firstOutput } = automaton;
  const starts = [0];
  const hits: number[] = [];
  const escapeLines: number[] = [];
  const percentLines: number[] = [];
  const base64: Array<[number, number]> = [];
  const words: number[] = [];
  let line = 0;
  let state = 0;
  let b64Start = -1;
  let wordStart = -1;
  let wordsInRun = 0;
  let runStart = 0;
  let reported = false;
  let lastEscapeLine = -1;
  let lastPercentLine = -1;
  const n = text.length;
  let i = 0;
  // i === n is processed as a final newline, which closes any open run.
  while (i <= n) {
    let c = i < n ? text.charCodeAt(i) : 10;
    if (c >= 97 && c <= 122) {
      if (b64Start < 0) b64Start = i;
      if (wordStart < 0) wordStart = i;
      do {
        state = delta[(state << 7) | c] ?? 0;
        if (state >= firstOutput) for (const keyword of outputs[state] ?? []) hits.push(keyword, line);
        // Never read past the end: an out-of-bounds charCodeAt deoptimises the whole loop.
        c = ++i < n ? text.charCodeAt(i) : -1;
      } while (c >= 97 && c <= 122);
      continue;
    }
    if (c === 32 && wordStart < 0 && b64Start < 0) {
      // Spaces with no run open: nothing but the automaton moves.
      do {
        state = delta[(state << 7) | 32] ?? 0;
        if (state >= firstOutput) for (const keyword of outputs[state] ?? []) hits.push(keyword, line);
        c = ++i < n ? text.charCodeAt(i) : -1;
      } while (c === 32);
      continue;
    }
    const ascii = c < 128;
    const cls = ascii ? (CLASS[c] ?? 0) : 0;
    // Keywords are ASCII: any other character resets the automaton (state of char 0).
    state = delta[(state << 7) | (ascii ? (FOLD[c] ?? 0) : 0)] ?? 0;
    if (state >= firstOutput) for (const keyword of outputs[state] ?? []) hits.push(keyword, line);

    if ((cls & BASE64) !== 0) {
      // Upper case, digits, + / _ -: the base64 run goes on; a word of a phrase cannot end here.
      if (b64Start < 0) b64Start = i;
      wordStart = -1;
      wordsInRun = 0;
      reported = false;
      i++;
      continue;
    }
    if (b64Start >= 0) {
      if (i - b64Start >= minBase64) {
        let end = i;
        while (end < n && end - i < 2 && text.charCodeAt(end) === 61) end++;
        base64.push([b64Start, end]);
      }
      b64Start = -1;
    }

    // Word runs: a word (3–8 lower-case letters) ends at a separator, a line end or a phrase end.
    const separator = (cls & SEPARATOR) !== 0;
    if (wordStart >= 0) {
      const length = i - wordStart;
      if (length >= 3 && length <= 8 && (separator || c === 10 || c === 13 || (cls & PHRASE_END) !== 0)) {
        if (wordsInRun === 0) runStart = wordStart;
        wordsInRun++;
        if (wordsInRun >= minWords && !reported) {
          words.push(runStart);
          reported = true;
        }
      } else {
        wordsInRun = 0;
        reported = false;
      }
      wordStart = -1;
    }
    if (!separator) {
      wordsInRun = 0;
      reported = false;
    }

    // Line ends, escapes and percent-encoding (the latter two recorded once per line).
    if (c === 10) {
      if (i < n) {
        line++;
        starts.push(i + 1);
      }
    } else if (c === 92) {
      if (line !== lastEscapeLine && i + 1 < n) {
        const next = text.charCodeAt(i + 1);
        if (next < 128 && ((CLASS[next] ?? 0) & ESCAPED) !== 0) {
          escapeLines.push(line);
          lastEscapeLine = line;
        }
      }
    } else if (c === 37) {
      if (line !== lastPercentLine && i + 2 < n) {
        const a = text.charCodeAt(i + 1);
        const b = text.charCodeAt(i + 2);
        if (
          a < 128 &&
          b < 128 &&
          ((CLASS[a] ?? 0) & HEX_DIGIT) !== 0 &&
          ((CLASS[b] ?? 0) & HEX_DIGIT) !== 0
        ) {
          percentLines.push(line);
          lastPercentLine = line;
        }
      }
    }
    i++;
  }
  return { starts, hits, escapeLines, percentLines, base64, words };
}

const automaton = builtinRules().automaton;
const PARAMS: Array<[number, number]> = [
  [40, 12],
  [16, 3],
  [3, 2],
  [1, 1],
];
const PIECES = [
  'a',
  'b',
  'z',
  'abandon',
  'ability',
  'able',
  'about',
  ' ',
  '  ',
  '\t',
  '\n',
  '\r',
  '\\',
  '\\n',
  '\\u00e9',
  '%',
  '%2F',
  '%zz',
  '=',
  '==',
  'A',
  'Z',
  '9',
  '+',
  '/',
  '_',
  '-',
  '.',
  ',',
  '"',
  "'",
  ')',
  'é',
  '✓',
  '😀',
  'secret',
  'API_KEY',
  'binance',
  '-----BEGIN',
  'AbCdEf0123456789',
  'xyzw',
];

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

describe('textPass', () => {
  it('equals the per-character definition on random text', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 160 }), (pieces) => {
        const text = pieces.join('');
        for (const [minBase64, minWords] of PARAMS) {
          expect(textPass(text, automaton, minBase64, minWords)).toEqual(
            referencePass(text, automaton, minBase64, minWords),
          );
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('equals the per-character definition on the leak corpus and the scanner sources', () => {
    const files = [...filesUnder('test/fixtures/leaks'), ...filesUnder('src/scan')];
    expect(files.length).toBeGreaterThan(40);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      expect(textPass(text, automaton, 40, 12), file).toEqual(referencePass(text, automaton, 40, 12));
    }
  });

  it('finds long base64 runs and seed-phrase runs at the edges of the text', () => {
    const phrase = Array.from({ length: 12 }, () => 'abandon').join(' ');
    const b64 = 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVowMTIzNDU2Nzg5';
    const pass = textPass(`${b64}==\n${phrase}`, automaton, 40, 12);
    expect(pass.base64).toEqual([[0, b64.length + 2]]);
    expect(pass.words).toEqual([b64.length + 3]);
    expect(textPass(phrase.split(' ').slice(1).join(' '), automaton, 40, 12).words).toEqual([]);
    expect(textPass(b64.slice(1), automaton, 40, 12).base64).toEqual([[0, b64.length - 1]]);
    expect(textPass(b64.slice(9), automaton, 40, 12).base64).toEqual([]);
  });
});
