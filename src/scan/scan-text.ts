import { type CompiledRules, compileRules, findMatches, mergeMatches } from './engine.js';
import { type FindingContext, toFinding } from './fingerprint.js';
import type { Finding } from './scan-types.js';

let defaultRules: CompiledRules | undefined;

/** The built-in rules, compiled once per process. */
export function builtinRules(): CompiledRules {
  defaultRules ??= compileRules();
  return defaultRules;
}

/**
 * Scan one text (a file, stdin, or the added lines of a diff) and return merged findings.
 * `utf8`: the bytes the text was decoded from, when at hand (saves encoding it again).
 */
export function scanText(
  text: string,
  ctx: FindingContext,
  rules: CompiledRules = builtinRules(),
  utf8?: Uint8Array,
): Finding[] {
  return mergeMatches(findMatches(text, rules, 0, utf8)).map((g) => toFinding(g, ctx));
}
