import { type Automaton, buildAutomaton } from './aho-corasick.js';
import { decodeBase64Text, percentDecode, unescapeBackslashes } from './decode.js';
import { shannonEntropy } from './entropy.js';
import { Lines, type Segment } from './lines.js';
import { compositeDescription, PEM_FAMILIES, RULES } from './rules/index.js';
import type { CredentialPart, Match, Rule } from './scan-types.js';
import { type TextPass, textPass } from './text-pass.js';

/** Rules compiled once: all keywords in one automaton, mapped back to the rules that own them. */
export interface CompiledRules {
  rules: readonly Rule[];
  automaton: Automaton;
  /** keyword index -> indices of rules using it */
  owners: number[][];
  /** Rules without keywords (seed phrases): run on lines holding a long run of short words. */
  keywordless: number[];
  /** Rules with a `keyFile` check, run on short texts. */
  keyFiles: number[];
  /** Keyword index of the allow marker (owned by no rule): files without its hit skip the marker search. */
  allowKeyword: number;
}

export function compileRules(rules: readonly Rule[] = RULES): CompiledRules {
  const keywords: string[] = [];
  const owners: number[][] = [];
  const byWord = new Map<string, number>();
  const keywordless: number[] = [];
  const keyFiles: number[] = [];
  const uniform = rules.map(uniformRule);
  uniform.forEach((rule, r) => {
    if (rule.keywords.length === 0) keywordless.push(r);
    if (rule.keyFile) keyFiles.push(r);
    for (const word of rule.keywords) {
      let k = byWord.get(word);
      if (k === undefined) {
        k = keywords.length;
        byWord.set(word, k);
        keywords.push(word);
        owners.push([]);
      }
      owners[k]?.push(r);
    }
  });
  // The automaton is case-insensitive, so a file holding the marker always has this hit.
  let allowKeyword = keywords.indexOf(ALLOW_MARKER);
  if (allowKeyword < 0) {
    allowKeyword = keywords.length;
    keywords.push(ALLOW_MARKER);
    owners.push([]);
  }
  const automaton = buildAutomaton(keywords);
  // Run the hot loop once over text that takes every branch, so V8 optimises it with complete type
  // feedback instead of deoptimising on the first escape, percent sign or non-ASCII character of a
  // real tree (measured: 2.5x slower cold scans without this).
  for (let i = 0; i < 3; i++) {
    textPass(WARM_UP_TEXT, automaton, MIN_BASE64_RUN, MIN_PHRASE_WORDS);
    textPass(WARM_UP_ASCII, automaton, MIN_BASE64_RUN, MIN_PHRASE_WORDS);
  }
  return { rules: uniform, automaton, owners, keywordless, keyFiles, allowKeyword };
}

/**
 * The rule with every optional field present, in one order: all rules then share one hidden
 * class, so the hot loops read their fields monomorphically instead of deoptimising on each new
 * shape of rule literal.
 */
function uniformRule(rule: Rule): Rule {
  return {
    id: rule.id,
    description: rule.description,
    keywords: rule.keywords,
    pattern: rule.pattern,
    prefilter: rule.prefilter,
    before: rule.before,
    after: rule.after,
    entropy: rule.entropy,
    falsePositives: rule.falsePositives,
    validate: rule.validate,
    keyFile: rule.keyFile,
    extract: rule.extract,
    family: rule.family,
    part: rule.part,
    confidence: rule.confidence,
    generic: rule.generic,
    multiline: rule.multiline,
  };
}

// The made-up API_KEY carries the allow marker, so the scanner's own source scans clean.
const WARM_UP_TEXT = [
  `${keywordSample()} API_KEY = "AbCdEf0123456789+/AbCdEf0123456789+/AbCdEf0123456789==" é ✓`, // keywarden:allow
  'path\\to \\n \\u00e9 %2F %zz 100% \\q',
  'abandon ability able about above absent absorb abstract absurd abuse access accident account.',
  'tab\there \r',
].join('\n');

const WARM_UP_ASCII = WARM_UP_TEXT.replace(/[\u0080-\uffff]/g, '?');

function keywordSample(): string {
  return 'binance kw_ ghp_ -----begin secret token :aa hooks.slack.com AKIA';
}

const ALLOW_MARKER = 'keywarden:allow';
const MAX_DECODE_DEPTH = 2;

function lineOf(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * All matches of a global regex, reusing the compiled regex: `String#matchAll` clones the
 * RegExp on every call, and V8 recompiles each clone, which cost more than the matching itself.
 */
function execAll(pattern: RegExp, text: string): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    out.push(m);
    if (m[0].length === 0) pattern.lastIndex++;
  }
  return out;
}

function accept(rule: Rule, secret: string, whole: string, line: string): boolean {
  if (rule.falsePositives?.some((fp) => fp.test(secret))) return false;
  if (rule.entropy !== undefined && shannonEntropy(secret) < rule.entropy) return false;
  if (rule.validate && !rule.validate(secret, whole, line)) return false;
  return true;
}

/**
 * Every rule match in `text`. The automaton finds keywords in one pass; a rule's pattern then
 * runs only on the lines near its keywords; decoded views of escaped/encoded lines are scanned
 * the same way and reported at the line they came from. Each step is its own small function: V8
 * optimises (and, on a path first taken late, re-optimises) them one by one, where one big
 * function cost ~0.3 s of compiler time per CLI run on the bench corpus.
 */
export function findMatches(text: string, compiled: CompiledRules, depth = 0, utf8?: Uint8Array): Match[] {
  const pass = textPass(text, compiled.automaton, MIN_BASE64_RUN, MIN_PHRASE_WORDS, utf8);
  const lines = new Lines(text, pass.starts, compiled.automaton);
  const { windows, allowHit } = ruleWindows(pass.hits, compiled, lines.count);
  const matches: Match[] = [];
  // prefilter -> per line: 0 untested, 1 passes, 2 rejects. Shared by the rules using that prefilter.
  const verdicts = new Map<RegExp, Uint8Array>();
  for (const [r, window] of windows) {
    const rule = compiled.rules[r];
    if (!rule) continue;
    if (rule.multiline) matchBlocks(rule, window, lines, matches);
    else matchLines(rule, window, lines, prefilterVerdicts(verdicts, rule, lines.count), matches);
  }
  for (const r of compiled.keywordless) {
    const rule = compiled.rules[r];
    if (rule) matchPhrases(rule, pass.words, lines, matches);
  }
  if (text.length <= KEY_FILE_MAX_CHARS) matchKeyFile(text, compiled, lines, matches);
  if (depth < MAX_DECODE_DEPTH) {
    for (const m of decodedMatches(text, pass, lines, compiled, depth)) matches.push(m);
  }
  if (allowHit && text.includes(ALLOW_MARKER)) {
    return matches.filter((m) => !lines.text(m.line - 1).includes(ALLOW_MARKER));
  }
  return matches;
}

/** The lines near a rule's keywords, ascending, with the distance from each to its nearest keyword. */
interface Window {
  lines: number[];
  distances: number[];
  lastHit: number;
}

/**
 * rule index -> its window. Hits come in line order and a rule's window has a fixed size, so a
 * new hit only revisits the tail of the list and appends: no hashing per (hit, line).
 */
function ruleWindows(
  hits: readonly number[],
  compiled: CompiledRules,
  lineCount: number,
): { windows: Map<number, Window>; allowHit: boolean } {
  const windows = new Map<number, Window>();
  let allowHit = false;
  for (let h = 0; h < hits.length; h += 2) {
    const keyword = hits[h] ?? 0;
    if (keyword === compiled.allowKeyword) allowHit = true;
    const hitLine = hits[h + 1] ?? 0;
    for (const r of compiled.owners[keyword] ?? []) {
      const rule = compiled.rules[r];
      if (!rule) continue;
      let window = windows.get(r);
      if (!window) {
        window = { lines: [], distances: [], lastHit: -1 };
        windows.set(r, window);
      }
      // Another hit of this rule on the same line: same window, same distances.
      if (window.lastHit === hitLine) continue;
      window.lastHit = hitLine;
      widen(
        window,
        hitLine,
        rule.multiline ? hitLine : Math.max(0, hitLine - (rule.before ?? 0)),
        rule.multiline ? hitLine : Math.min(lineCount - 1, hitLine + (rule.after ?? 0)),
      );
    }
  }
  return { windows, allowHit };
}

function widen(window: Window, hitLine: number, from: number, to: number): void {
  const { lines, distances } = window;
  let k = lines.length;
  while (k > 0 && (lines[k - 1] ?? 0) >= from) k--;
  for (; k < lines.length; k++) {
    const d = Math.abs((lines[k] ?? 0) - hitLine);
    if (d < (distances[k] ?? 0)) distances[k] = d;
  }
  const last = lines.length > 0 ? (lines[lines.length - 1] ?? 0) : -1;
  for (let l = Math.max(from, last + 1); l <= to; l++) {
    lines.push(l);
    distances.push(Math.abs(l - hitLine));
  }
}

function prefilterVerdicts(
  verdicts: Map<RegExp, Uint8Array>,
  rule: Rule,
  lineCount: number,
): Uint8Array | undefined {
  if (!rule.prefilter) return undefined;
  let shared = verdicts.get(rule.prefilter);
  if (!shared) {
    shared = new Uint8Array(lineCount);
    verdicts.set(rule.prefilter, shared);
  }
  return shared;
}

function toMatch(
  rule: Rule,
  line: number,
  column: number,
  endLine: number,
  distance: number,
  secret: string,
): Match {
  return {
    ruleId: rule.id,
    ...(rule.family ? { family: rule.family } : {}),
    ...(rule.part ? { part: rule.part } : {}),
    confidence: rule.confidence,
    generic: rule.generic === true,
    line: line + 1,
    column: column + 1,
    endLine: endLine + 1,
    distance,
    secret,
  };
}

/**
 * A single-line rule on each line of its window that passes the rule's prefilter, if any (a long
 * line: on each of its segments).
 */
function matchLines(
  rule: Rule,
  window: Window,
  lines: Lines,
  verdicts: Uint8Array | undefined,
  out: Match[],
): void {
  for (let k = 0; k < window.lines.length; k++) {
    const l = window.lines[k] ?? 0;
    const distance = window.distances[k] ?? 0;
    if (lines.isLong(l)) {
      for (const segment of lines.segments(l)) {
        if (rule.prefilter && !passes(rule.prefilter, segment)) continue;
        matchText(rule, segment.text, l, segment.column, distance, out);
      }
      continue;
    }
    const line = lines.text(l);
    if (verdicts && rule.prefilter) {
      let verdict = verdicts[l];
      if (verdict === 0) {
        verdict = rule.prefilter.test(line) ? 1 : 2;
        verdicts[l] = verdict;
      }
      if (verdict === 2) continue;
    }
    matchText(rule, line, l, 0, distance, out);
  }
}

/** Whether a segment passes a prefilter, tested once per segment (rules share prefilter objects). */
function passes(prefilter: RegExp, segment: Segment): boolean {
  segment.verdicts ??= new Map();
  let verdict = segment.verdicts.get(prefilter);
  if (verdict === undefined) {
    verdict = prefilter.test(segment.text);
    segment.verdicts.set(prefilter, verdict);
  }
  return verdict;
}

function matchText(
  rule: Rule,
  text: string,
  line: number,
  column: number,
  distance: number,
  out: Match[],
): void {
  for (const m of execAll(rule.pattern, text)) {
    const secret = m.groups?.secret ?? m[0];
    if (!accept(rule, secret, m[0], text)) continue;
    out.push(toMatch(rule, line, column + m.index + m[0].lastIndexOf(secret), line, distance, secret));
  }
}

/**
 * A multi-line rule (a PEM block) on the block starting at each hit line; the match must start on
 * that line (in a long line: in one of its segments, with the block cut MAX_BLOCK past it).
 */
function matchBlocks(rule: Rule, window: Window, lines: Lines, out: Match[]): void {
  for (let k = 0; k < window.lines.length; k++) {
    const l = window.lines[k] ?? 0;
    const blockEnd = Math.min(lines.count - 1, l + (rule.after ?? 0));
    const end = lines.end(blockEnd);
    const long = lines.isLong(l);
    for (const segment of lines.segments(l)) {
      const from = lines.start(l) + segment.column;
      const block = lines.source.slice(
        from,
        long ? Math.min(end, from + segment.text.length + MAX_BLOCK) : end,
      );
      for (const m of execAll(rule.pattern, block)) {
        if (m.index > segment.text.length) break;
        const secret = m.groups?.secret ?? m[0];
        if (!accept(rule, secret, m[0], block)) continue;
        const endLine = lineOf(lines.starts, from + m.index + m[0].length - 1);
        out.push(toMatch(rule, l, segment.column + m.index, endLine, window.distances[k] ?? 0, m[0]));
      }
    }
  }
}

/** Longest PEM block worth reading past a long line's segment (an RSA-4096 key is ~3.3 KB). */
const MAX_BLOCK = 16 * 1024;

/**
 * A keywordless rule (seed phrases) on each line holding a long run of short words (in a long
 * line: on the stretch where each run starts).
 */
function matchPhrases(rule: Rule, words: readonly number[], lines: Lines, out: Match[]): void {
  const seen = new Set<number>();
  for (const offset of words) {
    const l = lineOf(lines.starts, offset);
    let segment: Segment;
    if (lines.isLong(l)) {
      const column = offset - lines.start(l);
      segment = { text: lines.source.slice(offset, Math.min(lines.end(l), offset + PHRASE_SPAN)), column };
    } else {
      if (seen.has(l)) continue;
      seen.add(l);
      segment = { text: lines.text(l), column: 0 };
    }
    const found = rule.extract
      ? rule.extract(segment.text)
      : execAll(rule.pattern, segment.text).map((x) => ({
          index: x.index,
          secret: x.groups?.secret ?? x[0],
        }));
    for (const f of found)
      if (accept(rule, f.secret, f.secret, segment.text))
        out.push(toMatch(rule, l, segment.column + f.index, l, 0, f.secret));
  }
}

/** Longest text a keyFile check looks at: a Solana keypair file is ~230 characters. */
const KEY_FILE_MAX_CHARS = 1024;

/** Rules that recognise a whole text as one key file. */
function matchKeyFile(text: string, compiled: CompiledRules, lines: Lines, out: Match[]): void {
  for (const r of compiled.keyFiles) {
    const rule = compiled.rules[r];
    if (!rule?.keyFile) continue;
    for (const f of rule.keyFile(text)) {
      const l = lineOf(lines.starts, f.index);
      if (accept(rule, f.secret, f.secret, lines.text(l)))
        out.push(toMatch(rule, l, f.index - lines.start(l), l, 0, f.secret));
    }
  }
}

/** Longest seed phrase: 24 words of up to 8 letters and their separators, with room to spare. */
const PHRASE_SPAN = 512;

/** Shortest base64 run worth decoding: 30 bytes of text, less than any encoded `NAME=key` line. */
const MIN_BASE64_RUN = 40;
const MIN_PHRASE_WORDS = 12;

function decodedMatches(
  text: string,
  pass: TextPass,
  lines: Lines,
  compiled: CompiledRules,
  depth: number,
): Match[] {
  const out: Match[] = [];
  const relocate = (inner: Match[], line: number, column: number) => {
    for (const m of inner) out.push({ ...m, line: line + 1, endLine: line + 1, column: column + 1 });
  };
  // A long line is decoded segment by segment, like it is scanned.
  for (const l of pass.escapeLines)
    for (const s of lines.segments(l))
      relocate(findMatches(unescapeBackslashes(s.text), compiled, depth + 1), l, s.column);
  for (const l of pass.percentLines)
    for (const s of lines.segments(l))
      relocate(findMatches(percentDecode(s.text), compiled, depth + 1), l, s.column);
  for (const [start, end] of pass.base64) {
    const decoded = decodeBase64Text(text.slice(start, end));
    if (decoded === undefined) continue;
    const l = lineOf(pass.starts, start);
    relocate(findMatches(decoded, compiled, depth + 1), l, start - lines.start(l));
  }
  return out;
}

/** A merged finding before it gets a file, fingerprint and redaction. */
export interface MatchGroup {
  ruleId: string;
  description?: string;
  family?: string;
  line: number;
  endLine: number;
  column: number;
  confidence: Match['confidence'];
  parts: Match[];
}

const PART_ORDER: CredentialPart[] = ['apiKey', 'secret', 'password', 'privateKey', 'token'];
const PAIR_WINDOW_LINES = 6;

export function normaliseSecret(match: Match): string {
  if (match.ruleId === 'private-key') {
    return match.secret.replace(/-----(?:BEGIN|END)[A-Z0-9 ]*-----/g, '').replace(/\\[nr]|\s|["'+,]/g, '');
  }
  return match.secret;
}

/**
 * Drops duplicates and generic matches shadowed by specific ones, then merges the parts of one
 * credential (key + secret + passphrase, or key + private key) found within a few lines into one finding.
 */
export function mergeMatches(all: Match[]): MatchGroup[] {
  // Same secret at the same line: keep the match whose keyword was nearest (decides between exchanges).
  const best = new Map<string, Match>();
  for (const m of all) {
    const key = `${m.generic ? 'g' : 's'}${m.line}\u0000${m.part === 'privateKey' ? normaliseSecret(m) : m.secret}`;
    const prev = best.get(key);
    if (!prev || rank(m) < rank(prev)) best.set(key, m);
  }
  const matches = [...best.values()].sort((a, b) => a.line - b.line || a.column - b.column);

  const used = new Set<Match>();
  const groups: MatchGroup[] = [];
  for (const anchor of matches) {
    if (used.has(anchor) || !anchor.family || anchor.part !== 'apiKey') continue;
    const family = anchor.family;
    const parts: Match[] = [anchor];
    const wanted: CredentialPart[] = ['secret', 'password'];
    for (const part of wanted) {
      const candidate = nearest(matches, used, anchor, (m) => m.family === family && m.part === part);
      if (candidate) parts.push(candidate);
    }
    if (!parts.some((p) => p.part === 'secret') && PEM_FAMILIES.has(family)) {
      const pem = nearest(matches, used, anchor, (m) => m.ruleId === 'private-key');
      if (pem) parts.push(pem);
    }
    if (parts.length < 2) continue;
    for (const p of parts) used.add(p);
    parts.sort((a, b) => PART_ORDER.indexOf(a.part ?? 'token') - PART_ORDER.indexOf(b.part ?? 'token'));
    groups.push({
      ruleId: `${family}-credentials`,
      description: compositeDescription(family),
      family,
      line: Math.min(...parts.map((p) => p.line)),
      endLine: Math.max(...parts.map((p) => p.endLine)),
      column: anchor.column,
      confidence: 'high',
      parts,
    });
  }
  for (const m of matches) {
    // A passphrase alone is not a credential (and most are code like `passphrase: this.password`).
    if (used.has(m) || m.part === 'password') continue;
    groups.push({
      ruleId: m.ruleId,
      ...(m.family ? { family: m.family } : {}),
      line: m.line,
      endLine: m.endLine,
      column: m.column,
      confidence: m.confidence,
      parts: [m],
    });
  }
  // Generic matches lose to any specific finding on the same line.
  const specificLines = new Set<number>();
  for (const g of groups) for (const p of g.parts) if (!p.generic) specificLines.add(p.line);
  return groups
    .filter((g) => !(g.parts.every((p) => p.generic) && specificLines.has(g.line)))
    .sort((a, b) => a.line - b.line || a.column - b.column);
}

function rank(m: Match): number {
  return (m.generic ? 1000 : 0) + m.distance;
}

function nearest(
  matches: Match[],
  used: Set<Match>,
  anchor: Match,
  want: (m: Match) => boolean,
): Match | undefined {
  let found: Match | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const m of matches) {
    if (m === anchor || used.has(m) || !want(m)) continue;
    const distance =
      m.line > anchor.line ? m.line - anchor.line : m.endLine < anchor.line ? anchor.line - m.endLine : 0;
    if (distance <= PAIR_WINDOW_LINES && distance < bestDistance) {
      found = m;
      bestDistance = distance;
    }
  }
  return found;
}
