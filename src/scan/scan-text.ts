import { type CompiledRules, compileRules, findMatches, mergeMatches } from './engine.js';
import { type FindingContext, toFinding } from './fingerprint.js';
import type { Finding } from './scan-types.js';

let defaultRules: CompiledRules | undefined;

/** The built-in rules, compiled once per process. */
export function builtinRules(): CompiledRules {
  defaultRules ??= compileRules();
  return defaultRules;
}

/** Scan one text (a file, stdin, or the added lines of a diff) and return merged findings. */
export function scanText(
  text: string,
  ctx: FindingContext,
  rules: CompiledRules = builtinRules(),
): Finding[] {
  return mergeMatches(findMatches(text, rules)).map((g) => toFinding(g, ctx));
}
