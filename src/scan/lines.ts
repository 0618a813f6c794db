import type { Automaton } from './aho-corasick.js';

/**
 * Lines longer than this are scanned in segments around their keywords. A minified bundle is
 * one multi-megabyte line, and patterns, decoders and the seed-phrase check over all of it cost
 * seconds (measured: 3.5 s for CCXT's 5.8 MB browser bundle, against ~0.1 s in segments).
 */
export const LONG_LINE = 4096;
/** Characters kept on each side of a keyword in a long line (about five lines of ordinary code). */
const RADIUS = 512;
/** How far a segment edge may move to avoid cutting a token (a secret) in two. */
const MAX_WIDEN = 256;

/** Part of a line: its text and the column (0-based) of its first character. */
export interface Segment {
  text: string;
  column: number;
  /** Prefilter results on this segment, filled by the engine as rules test it. */
  verdicts?: Map<RegExp, boolean>;
}

/** A text's lines by index (0-based), without their line feed. */
export class Lines {
  readonly count: number;
  private readonly segmentCache = new Map<number, Segment[]>();

  constructor(
    readonly source: string,
    readonly starts: readonly number[],
    private readonly automaton: Automaton,
  ) {
    this.count = starts.length;
  }

  start(i: number): number {
    return this.starts[i] ?? this.source.length;
  }

  end(i: number): number {
    return i + 1 < this.count ? this.start(i + 1) - 1 : this.source.length;
  }

  text(i: number): string {
    return this.source.slice(this.start(i), this.end(i));
  }

  isLong(i: number): boolean {
    return this.end(i) - this.start(i) > LONG_LINE;
  }

  /** The line whole, or for a long line the stretches around its keywords. */
  segments(i: number): Segment[] {
    if (!this.isLong(i)) return [{ text: this.text(i), column: 0 }];
    let segments = this.segmentCache.get(i);
    if (!segments) {
      segments = keywordSegments(this.text(i), this.automaton);
      this.segmentCache.set(i, segments);
    }
    return segments;
  }
}

/**
 * RADIUS characters on each side of every keyword occurrence, overlapping stretches merged, each
 * edge moved out to the end of the token it would cut (a secret is never cut in two).
 */
export function keywordSegments(line: string, automaton: Automaton): Segment[] {
  const ranges: Array<[number, number]> = [];
  automaton.search(line, (keyword, end) => {
    const from = Math.max(0, end - (automaton.keywords[keyword]?.length ?? 0) - RADIUS);
    const to = Math.min(line.length, end + RADIUS);
    const last = ranges[ranges.length - 1];
    if (last && from <= last[1]) {
      last[0] = Math.min(last[0], from);
      last[1] = Math.max(last[1], to);
    } else {
      ranges.push([from, to]);
    }
  });
  return ranges.map(([from, to]) => {
    let a = from;
    while (a > 0 && from - a < MAX_WIDEN && !isDelimiter(line.charCodeAt(a - 1))) a--;
    let b = to;
    while (b < line.length && b - to < MAX_WIDEN && !isDelimiter(line.charCodeAt(b))) b++;
    return { text: line.slice(a, b), column: a };
  });
}

/** Whitespace, quotes and the punctuation that ends a value in code or config. */
function isDelimiter(c: number): boolean {
  return (
    c <= 32 ||
    c === 34 ||
    c === 39 ||
    c === 96 ||
    c === 44 ||
    c === 59 ||
    c === 40 ||
    c === 41 ||
    c === 123 ||
    c === 125 ||
    c === 91 ||
    c === 93
  );
}
