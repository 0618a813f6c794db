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

const B64 = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-')
  B64[c.charCodeAt(0)] = 1;
const HEX = new Uint8Array(128);
for (const c of '0123456789abcdefABCDEF') HEX[c.charCodeAt(0)] = 1;
const ESCAPED = new Uint8Array(128);
for (const c of 'nrt"\'/u') ESCAPED[c.charCodeAt(0)] = 1;
/** Characters that may close a quoted phrase: " ' ` , . ; ) ] } */
const PHRASE_END = new Uint8Array(128);
for (const c of '"\'`,.;)]}') PHRASE_END[c.charCodeAt(0)] = 1;

export function textPass(text: string, automaton: Automaton, minBase64: number, minWords: number): TextPass {
  const { delta, hasOutput, outputs } = automaton;
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
  for (let i = 0; i <= n; i++) {
    const c = i < n ? text.charCodeAt(i) : 10;
    // Fast path for lower-case letters (most of any source file): keyword step, and both runs continue.
    if (c >= 97 && c <= 122) {
      state = delta[(state << 7) | c] ?? 0;
      if (hasOutput[state] === 1) {
        for (const keyword of outputs[state] ?? []) hits.push(keyword, line);
      }
      if (b64Start < 0) b64Start = i;
      if (wordStart < 0) wordStart = i;
      continue;
    }
    const ascii = c < 128;

    // Keywords.
    let lc = c;
    if (c >= 65 && c <= 90) lc = c + 32;
    else if (!ascii) lc = 0;
    state = delta[(state << 7) | lc] ?? 0;
    if (hasOutput[state] === 1) {
      for (const keyword of outputs[state] ?? []) hits.push(keyword, line);
    }

    // Base64 runs.
    if (ascii && B64[c] === 1) {
      if (b64Start < 0) b64Start = i;
    } else if (b64Start >= 0) {
      if (i - b64Start >= minBase64) {
        let end = i;
        while (end < n && end - i < 2 && text.charCodeAt(end) === 61) end++;
        base64.push([b64Start, end]);
      }
      b64Start = -1;
    }

    // Word runs (lower-case letters took the fast path above).
    {
      const separator = c === 32 || c === 9;
      if (wordStart >= 0) {
        const length = i - wordStart;
        if (
          length >= 3 &&
          length <= 8 &&
          (separator || c === 10 || c === 13 || (ascii && PHRASE_END[c] === 1))
        ) {
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
    }

    // Escapes and percent-encoding (recorded once per line).
    if (c === 92 && line !== lastEscapeLine && i + 1 < n) {
      const next = text.charCodeAt(i + 1);
      if (next < 128 && ESCAPED[next] === 1) {
        escapeLines.push(line);
        lastEscapeLine = line;
      }
    } else if (c === 37 && line !== lastPercentLine && i + 2 < n) {
      const a = text.charCodeAt(i + 1);
      const b = text.charCodeAt(i + 2);
      if (a < 128 && b < 128 && HEX[a] === 1 && HEX[b] === 1) {
        percentLines.push(line);
        lastPercentLine = line;
      }
    } else if (c === 10 && i < n) {
      line++;
      starts.push(i + 1);
    }
  }
  return { starts, hits, escapeLines, percentLines, base64, words };
}
