import { type Automaton, buildAutomaton } from './aho-corasick.js';
import { decodeBase64Text, percentDecode, unescapeBackslashes } from './decode.js';
import { shannonEntropy } from './entropy.js';
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
  /** Keyword index of the allow marker (owned by no rule): files without its hit skip the marker search. */
  allowKeyword: number;
}

export function compileRules(rules: readonly Rule[] = RULES): CompiledRules {
  const keywords: string[] = [];
  const owners: number[][] = [];
  const byWord = new Map<string, number>();
  const keywordless: number[] = [];
  rules.forEach((rule, r) => {
    if (rule.keywords.length === 0) keywordless.push(r);
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
  for (let i = 0; i < 3; i++) textPass(WARM_UP_TEXT, automaton, MIN_BASE64_RUN, MIN_PHRASE_WORDS);
  return { rules, automaton, owners, keywordless, allowKeyword };
}

const WARM_UP_TEXT = [
  `${keywordSample()} API_KEY = "AbCdEf0123456789+/AbCdEf0123456789+/AbCdEf0123456789==" é ✓`,
  'path\\to \\n \\u00e9 %2F %zz 100% \\q',
  'abandon ability able about above absent absorb abstract absurd abuse access accident account.',
  'tab\there \r',
].join('\n');

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

function accept(rule: Rule, secret: string, whole: string): boolean {
  if (rule.falsePositives?.some((fp) => fp.test(secret))) return false;
  if (rule.entropy !== undefined && shannonEntropy(secret) < rule.entropy) return false;
  if (rule.validate && !rule.validate(secret, whole)) return false;
  return true;
}

/**
 * Every rule match in `text`. The automaton finds keywords in one pass; a rule's pattern then
 * runs only on the lines near its keywords; decoded views of escaped/encoded lines are scanned
 * the same way and reported at the line they came from.
 */
export function findMatches(text: string, compiled: CompiledRules, depth = 0): Match[] {
  const pass = textPass(text, compiled.automaton, MIN_BASE64_RUN, MIN_PHRASE_WORDS);
  const starts = pass.starts;
  const lineCount = starts.length;
  const lineText = (i: number): string => {
    const end = i + 1 < lineCount ? (starts[i + 1] ?? text.length) - 1 : text.length;
    return text.slice(starts[i] ?? 0, end);
  };
  // rule index -> the lines near its keywords, ascending, with the distance to the nearest keyword.
  // Hits come in line order and a rule's window has a fixed size, so a new hit only revisits the
  // tail of the list and appends: no hashing per (hit, line).
  const pending = new Map<number, { lines: number[]; distances: number[]; lastHit: number }>();
  const hits = pass.hits;
  let allowHit = false;
  for (let h = 0; h < hits.length; h += 2) {
    const keyword = hits[h] ?? 0;
    if (keyword === compiled.allowKeyword) allowHit = true;
    const hitLine = hits[h + 1] ?? 0;
    for (const r of compiled.owners[keyword] ?? []) {
      const rule = compiled.rules[r];
      if (!rule) continue;
      let near = pending.get(r);
      if (!near) {
        near = { lines: [], distances: [], lastHit: -1 };
        pending.set(r, near);
      }
      // Another hit of this rule on the same line: same window, same distances.
      if (near.lastHit === hitLine) continue;
      near.lastHit = hitLine;
      const { lines, distances } = near;
      const from = rule.multiline ? hitLine : Math.max(0, hitLine - (rule.before ?? 0));
      const to = rule.multiline ? hitLine : Math.min(lineCount - 1, hitLine + (rule.after ?? 0));
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
  }

  const matches: Match[] = [];
  const push = (
    rule: Rule,
    line: number,
    column: number,
    endLine: number,
    distance: number,
    secret: string,
  ) => {
    matches.push({
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
    });
  };

  // prefilter -> per line: 0 untested, 1 passes, 2 rejects. Shared by the rules using that prefilter.
  const prefiltered = new Map<RegExp, Uint8Array>();
  for (const [r, { lines, distances }] of pending) {
    const rule = compiled.rules[r];
    if (!rule) continue;
    let verdicts: Uint8Array | undefined;
    if (rule.prefilter && !rule.multiline) {
      verdicts = prefiltered.get(rule.prefilter);
      if (!verdicts) {
        verdicts = new Uint8Array(lineCount);
        prefiltered.set(rule.prefilter, verdicts);
      }
    }
    for (let k = 0; k < lines.length; k++) {
      const l = lines[k] ?? 0;
      const distance = distances[k] ?? 0;
      if (rule.multiline) {
        const blockEnd = Math.min(lineCount - 1, l + (rule.after ?? 0));
        const from = starts[l] ?? 0;
        const to = blockEnd + 1 < lineCount ? (starts[blockEnd + 1] ?? text.length) : text.length;
        const block = text.slice(from, to);
        const firstLineLength = lineText(l).length;
        for (const m of execAll(rule.pattern, block)) {
          if (m.index > firstLineLength) break;
          const secret = m.groups?.secret ?? m[0];
          if (!accept(rule, secret, m[0])) continue;
          push(rule, l, m.index, lineOf(starts, from + m.index + m[0].length - 1), distance, m[0]);
        }
        continue;
      }
      const line = lineText(l);
      if (verdicts && rule.prefilter) {
        let verdict = verdicts[l];
        if (verdict === 0) {
          verdict = rule.prefilter.test(line) ? 1 : 2;
          verdicts[l] = verdict;
        }
        if (verdict === 2) continue;
      }
      for (const m of execAll(rule.pattern, line)) {
        const secret = m.groups?.secret ?? m[0];
        if (!accept(rule, secret, m[0])) continue;
        push(rule, l, m.index + m[0].lastIndexOf(secret), l, distance, secret);
      }
    }
  }

  for (const r of compiled.keywordless) {
    const rule = compiled.rules[r];
    if (!rule) continue;
    const seen = new Set<number>();
    for (const offset of pass.words) {
      const l = lineOf(starts, offset);
      if (seen.has(l)) continue;
      seen.add(l);
      const line = lineText(l);
      const found = rule.extract
        ? rule.extract(line)
        : execAll(rule.pattern, line).map((x) => ({ index: x.index, secret: x.groups?.secret ?? x[0] }));
      for (const f of found) if (accept(rule, f.secret, f.secret)) push(rule, l, f.index, l, 0, f.secret);
    }
  }

  if (depth < MAX_DECODE_DEPTH) matches.push(...decodedMatches(text, pass, lineText, compiled, depth));

  if (allowHit && text.includes(ALLOW_MARKER)) {
    return matches.filter((m) => !lineText(m.line - 1).includes(ALLOW_MARKER));
  }
  return matches;
}

/** Shortest base64 run worth decoding: 30 bytes of text, less than any encoded `NAME=key` line. */
const MIN_BASE64_RUN = 40;
const MIN_PHRASE_WORDS = 12;

function decodedMatches(
  text: string,
  pass: TextPass,
  lineText: (i: number) => string,
  compiled: CompiledRules,
  depth: number,
): Match[] {
  const out: Match[] = [];
  const relocate = (inner: Match[], line: number, column: number) => {
    for (const m of inner) out.push({ ...m, line: line + 1, endLine: line + 1, column: column + 1 });
  };
  for (const l of pass.escapeLines)
    relocate(findMatches(unescapeBackslashes(lineText(l)), compiled, depth + 1), l, 0);
  for (const l of pass.percentLines)
    relocate(findMatches(percentDecode(lineText(l)), compiled, depth + 1), l, 0);
  for (const [start, end] of pass.base64) {
    const decoded = decodeBase64Text(text.slice(start, end));
    if (decoded === undefined) continue;
    const l = lineOf(pass.starts, start);
    relocate(findMatches(decoded, compiled, depth + 1), l, start - (pass.starts[l] ?? 0));
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
