import type { Automaton } from './aho-corasick.js';

/**
 * Everything the engine needs from a text, gathered in one pass over its characters: keyword
 * hits (Aho-Corasick), line starts, lines holding backslash escapes or percent-encoding, long
 * base64-alphabet runs (maybe an encoded config) and runs of 12+ short lower-case words (maybe a
 * seed phrase). One hand-written loop, because separate passes and the equivalent regexes (which
 * restart inside every identifier) cost several times more.
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
/** ASCII lower-casing for the automaton. */
const FOLD = new Uint8Array(128);
for (let c = 0; c < 128; c++) FOLD[c] = c >= 65 && c <= 90 ? c + 32 : c;

/**
 * The loop is shaped by what source text is made of (measured on CCXT: ~49% lower-case letters,
 * ~30% spaces): runs of lower-case letters and of spaces get tight inner loops that only step the
 * automaton; upper case, digits and `+/_-` only extend a base64 run; everything else takes the
 * full path. Same results as the straightforward per-character version, ~1.5x faster.
 */
export function textPass(text: string, automaton: Automaton, minBase64: number, minWords: number): TextPass {
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
