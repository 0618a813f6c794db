import { type Automaton, FOLD } from './aho-corasick.js';

/**
 * Everything the engine needs from a text: keyword hits (Aho-Corasick), line starts, lines
 * holding backslash escapes or percent-encoding, long base64-alphabet runs (maybe an encoded
 * config) and runs of 12+ short lower-case words (maybe a seed phrase). Hand-written loops: the
 * equivalent regexes (which restart inside every identifier) cost several times more.
 */
export interface TextPass {
  /** Offset where each line starts. */
  starts: number[];
  /** Flat pairs [keywordIndex, line, keywordIndex, line, ...]. */
  hits: number[];
  escapeLines: number[];
  percentLines: number[];
  /** [start, end) of base64-alphabet runs at least `minBase64` long (up to two trailing `=`). */
  base64: Array<[number, number]>;
  /** Start offsets of runs of at least `minWords` words of 3–8 lower-case letters separated by spaces/tabs. */
  words: number[];
}

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
/**
 * Membership tables for the run search, indexed by UTF-16 code unit (never out of bounds, which
 * would deoptimise the loop): base64 alphabet, and what a seed-phrase run is made of (a-z, space, tab).
 */
const BASE64_CHAR = new Uint8Array(65536);
for (let c = 0; c < 128; c++) BASE64_CHAR[c] = (CLASS[c] ?? 0) & BASE64;
const PHRASE_CHAR = new Uint8Array(65536);
for (let c = 97; c <= 122; c++) PHRASE_CHAR[c] = 1;
PHRASE_CHAR[32] = 1;
PHRASE_CHAR[9] = 1;

/**
 * Split into passes that each do one thing in a branch-light loop (measured on CCXT: ~25% less
 * time than one fused per-character loop, whose branches on every change of character class
 * mispredict in code full of short identifiers): a bare automaton loop for keywords and line
 * starts, native `indexOf` for backslashes and percent signs, and a skipping search for long
 * base64 and seed-phrase runs, which looks at one character per minimum run length where there
 * is none. Same results as the per-character definition (test/scan/text-pass.test.ts).
 */
export function textPass(
  text: string,
  automaton: Automaton,
  minBase64: number,
  minWords: number,
  utf8: Uint8Array = Buffer.from(text, 'utf8'),
): TextPass {
  const byteStarts = [0];
  const hits = keywordHits(utf8, automaton, byteStarts);
  // Byte offsets are character offsets when every byte decoded to one UTF-16 unit (all ASCII, or
  // lone invalid bytes each turned into U+FFFD): exactly when the lengths agree.
  const starts = utf8.length === text.length ? byteStarts : lineStarts(text);
  const escapeLines = markedLines(
    text,
    starts,
    '\\',
    (next) => next < 128 && ((CLASS[next] ?? 0) & ESCAPED) !== 0,
  );
  const percentLines = markedLines(
    text,
    starts,
    '%',
    (a, b) =>
      a < 128 && b < 128 && ((CLASS[a] ?? 0) & HEX_DIGIT) !== 0 && ((CLASS[b] ?? 0) & HEX_DIGIT) !== 0,
  );
  const base64: Array<[number, number]> = [];
  longRuns(text, BASE64_CHAR, Math.max(1, minBase64), (start, end) => {
    if (end - start < minBase64) return;
    let last = end;
    while (last < text.length && last - end < 2 && text.charCodeAt(last) === 61) last++;
    base64.push([start, last]);
  });
  const words: number[] = [];
  // A run of minWords words of 3+ letters with separators between them is at least this long.
  longRuns(text, PHRASE_CHAR, Math.max(1, minWords * 4 - 1), (start, end) => {
    phraseRuns(text, start, end, minWords, words);
  });
  return { starts, hits, escapeLines, percentLines, base64, words };
}

/**
 * Keyword hits as [keyword, line] pairs over the text's UTF-8 bytes, filling `starts` with the
 * byte offset of each line after the first. Bytes, not `charCodeAt`: a typed-array load per
 * character measured ~35% faster on the bench corpus. Same hits and lines as over the decoded
 * text: keywords and newlines are ASCII, which UTF-8 keeps byte for byte, and every non-ASCII
 * character (however many bytes or units) resets the automaton.
 */
function keywordHits(bytes: Uint8Array, automaton: Automaton, starts: number[]): number[] {
  const { delta, outputs, firstOutput } = automaton;
  const hits: number[] = [];
  const n = bytes.length;
  let line = 0;
  let state = 0;
  for (let i = 0; i < n; i++) {
    const c = bytes[i] ?? 0;
    if (c === 10) {
      starts.push(i + 1);
      line++;
    }
    state = delta[(state << 7) | (FOLD[c] ?? 0)] ?? 0;
    if (state >= firstOutput) for (const keyword of outputs[state] ?? []) hits.push(keyword, line);
  }
  return hits;
}

/** Offset where each line starts (native search for newlines). */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let p = text.indexOf('\n'); p >= 0; p = text.indexOf('\n', p + 1)) starts.push(p + 1);
  return starts;
}

/** Lines (once each) holding `marker` followed by characters that pass `follows`. */
function markedLines(
  text: string,
  starts: readonly number[],
  marker: string,
  follows: (a: number, b: number) => boolean,
): number[] {
  const out: number[] = [];
  const n = text.length;
  // The escape test looks at one following character, the percent test at two.
  const need = marker === '%' ? 2 : 1;
  const lastLine = starts.length - 1;
  let line = 0;
  for (let p = text.indexOf(marker); p >= 0; p = text.indexOf(marker, p + 1)) {
    while (line < lastLine && (starts[line + 1] ?? n) <= p) line++;
    if (p + need >= n) break;
    if (follows(text.charCodeAt(p + 1), need === 2 ? text.charCodeAt(p + 2) : 0)) {
      out.push(line);
      if (line === lastLine) break;
      p = (starts[line + 1] ?? n) - 1;
    }
  }
  return out;
}

/**
 * Calls `onRun(start, end)` for every maximal run of characters in `table` (ASCII) that is at
 * least `minLength` long. Looks at the last character a run starting at `from` would need; if it
 * is in the table, walks back only over characters not yet known to be in it. A run shorter than
 * `minLength` is never walked forward: the search jumps a whole `minLength` past the character that
 * broke it, so code full of short identifiers costs about one look per few characters.
 */
function longRuns(
  text: string,
  table: Uint8Array,
  minLength: number,
  onRun: (start: number, end: number) => void,
): void {
  const n = text.length;
  // Invariants: the character before `from` (if any) is not in the table; [from, known) all are.
  let from = 0;
  let known = 0;
  while (from + minLength <= n) {
    const probe = from + minLength - 1;
    let q = probe;
    while (q >= known && table[text.charCodeAt(q)] === 1) q--;
    if (q >= known) {
      // [q + 1, probe] is in the table, q is not: a run could start at q + 1.
      from = q + 1;
      known = probe + 1;
      continue;
    }
    let end = probe + 1;
    while (end < n && table[text.charCodeAt(end)] === 1) end++;
    onRun(from, end);
    from = end + 1;
    known = from;
  }
}

/**
 * Starts of runs of `minWords` words (3–8 lower-case letters, separated by spaces/tabs, the last
 * one ended by a separator, line end or closing punctuation) inside [start, end), a maximal run
 * of a-z, space and tab; the character at `end` (a line end past the text) closes it.
 */
function phraseRuns(text: string, start: number, end: number, minWords: number, out: number[]): void {
  let wordStart = -1;
  let wordsInRun = 0;
  let runStart = 0;
  let reported = false;
  for (let i = start; i <= end; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 10;
    if (c >= 97 && c <= 122) {
      if (wordStart < 0) wordStart = i;
      continue;
    }
    const separator = c === 32 || c === 9;
    if (wordStart >= 0) {
      const length = i - wordStart;
      const closes = separator || c === 10 || c === 13 || (c < 128 && ((CLASS[c] ?? 0) & PHRASE_END) !== 0);
      if (length >= 3 && length <= 8 && closes) {
        if (wordsInRun === 0) runStart = wordStart;
        wordsInRun++;
        if (wordsInRun >= minWords && !reported) {
          out.push(runStart);
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
  }
}
