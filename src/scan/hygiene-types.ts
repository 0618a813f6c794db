/**
 * Repository hygiene (`keywarden scan --hygiene`, `posture --repo`): where a repository lets
 * secrets in, as opposed to the secrets themselves. Findings name files and variable names,
 * never a value.
 */

export const HYGIENE_CHECKS = [
  'env-tracked',
  'env-not-ignored',
  'env-in-history',
  'ci-secret-literal',
  'compose-secret-literal',
  'dockerfile-secret',
  'key-material-tracked',
] as const;
export type HygieneCheck = (typeof HYGIENE_CHECKS)[number];

export interface HygieneFix {
  /** What to do, in words (a console path, what the commands achieve). */
  action: string;
  /** Exact commands, run from the repository root; `<…>` marks a value only the operator knows. */
  commands: string[];
  /** Lines to add to the root `.gitignore`. */
  gitignore?: string[];
}

export interface HygieneFinding {
  check: HygieneCheck;
  severity: 'critical' | 'high' | 'medium';
  /** Path relative to the repository root, `/` separators. */
  file: string;
  /** 1-based, when the finding is one line of the file. */
  line?: number;
  /** The commit that added the file (env-in-history). */
  commit?: string;
  /** The variable holding the literal, when there is one. */
  name?: string;
  message: string;
  fix: HygieneFix;
}

export interface HygieneReport {
  /** Absolute path of the repository's top level. */
  root: string;
  findings: HygieneFinding[];
}
