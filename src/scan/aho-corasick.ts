/**
 * Aho-Corasick automaton over lower-case ASCII keywords: one pass over a text finds every
 * keyword occurrence, so the number of rules does not multiply the scan cost.
 */
export interface Automaton {
  keywords: readonly string[];
  /** Transition table: next state = delta[(state << 7) | lowerAsciiChar]. Exposed for the fused pass in text-pass.ts. */
  delta: Int32Array;
  /** Keyword indices ending in each state (empty for most). */
  outputs: readonly (readonly number[])[];
  /**
   * States are numbered so that exactly those with outputs are `>= firstOutput`: the hot loop
   * tests one integer instead of loading a flag per character.
   */
  firstOutput: number;
  /** Calls `onHit(keywordIndex, endOffset)` for every occurrence (case-insensitive for ASCII); end is exclusive. */
  search(text: string, onHit: (keyword: number, end: number) => void): void;
}

/**
 * The automaton's alphabet, indexed by byte (or UTF-16 unit below 256): ASCII lower-cased, any
 * other value 0. Keywords are ASCII, so a non-ASCII character resets the automaton.
 */
export const FOLD: Uint8Array = new Uint8Array(256);
for (let c = 0; c < 128; c++) FOLD[c] = c >= 65 && c <= 90 ? c + 32 : c;

export function buildAutomaton(keywords: readonly string[]): Automaton {
  if (keywords.some((k) => k === '')) throw new Error('empty keyword');
  // Trie first, then a full transition table delta[state * 128 + char] (ASCII; other chars map to 0).
  const transitions: Array<Map<number, number>> = [new Map()];
  const outputs: number[][] = [[]];
  keywords.forEach((word, index) => {
    let state = 0;
    for (let i = 0; i < word.length; i++) {
      const c = word.charCodeAt(i) & 127;
      const table = transitions[state] ?? new Map<number, number>();
      let next = table.get(c);
      if (next === undefined) {
        next = transitions.length;
        transitions.push(new Map());
        outputs.push([]);
        table.set(c, next);
      }
      state = next;
    }
    outputs[state]?.push(index);
  });
  const stateCount = transitions.length;
  const fail = new Int32Array(stateCount);
  const delta = new Int32Array(stateCount * 128);
  const queue: number[] = [];
  for (const [c, next] of transitions[0] ?? []) {
    delta[c] = next;
    queue.push(next);
  }
  // Breadth-first, so a state's fail state (shallower) has its full row already: copy that row
  // natively, then set the state's own transitions (a handful) instead of 128 lookups per state.
  for (let head = 0; head < queue.length; head++) {
    const state = queue[head] ?? 0;
    const f = fail[state] ?? 0;
    const failOut = outputs[f] ?? [];
    if (failOut.length > 0) outputs[state] = [...(outputs[state] ?? []), ...failOut];
    delta.copyWithin(state * 128, f * 128, f * 128 + 128);
    for (const [c, next] of transitions[state] ?? []) {
      fail[next] = delta[f * 128 + c] ?? 0;
      delta[state * 128 + c] = next;
      queue.push(next);
    }
  }
  // Renumber: states without output first (the root, which has none, stays 0), then the rest.
  const order: number[] = [];
  for (let s = 0; s < stateCount; s++) if ((outputs[s]?.length ?? 0) === 0) order.push(s);
  const firstOutput = order.length;
  for (let s = 0; s < stateCount; s++) if ((outputs[s]?.length ?? 0) > 0) order.push(s);
  const renumbered = new Int32Array(stateCount);
  order.forEach((s, i) => {
    renumbered[s] = i;
  });
  const table = new Int32Array(stateCount * 128);
  for (let s = 0; s < stateCount; s++)
    for (let c = 0; c < 128; c++)
      table[((renumbered[s] ?? 0) << 7) | c] = renumbered[delta[(s << 7) | c] ?? 0] ?? 0;
  const outputsByState = order.map((s) => outputs[s] ?? []);

  return {
    keywords,
    delta: table,
    outputs: outputsByState,
    firstOutput,
    search(text, onHit) {
      let state = 0;
      const n = text.length;
      for (let i = 0; i < n; i++) {
        const c = text.charCodeAt(i);
        state = table[(state << 7) | (c < 256 ? (FOLD[c] ?? 0) : 0)] ?? 0;
        if (state >= firstOutput) {
          for (const keyword of outputsByState[state] ?? []) onHit(keyword, i + 1);
        }
      }
    },
  };
}
