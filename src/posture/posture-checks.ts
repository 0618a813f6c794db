/**
 * The shape of the posture checklist: each check is a row of data (stable id, title, severity,
 * when it applies, and the function that judges it); the report iterates the tables in
 * posture.ts and posture-third-party.ts. A check returns a verdict only; id, title, severity
 * and weight come from its row.
 */
import type { CommandBuilder } from './posture-fixes.js';
import { item } from './posture-item.js';
import type { CheckId, CheckItem, CheckSeverity, CheckStatus, Fix } from './posture-types.js';

export interface Verdict {
  status: CheckStatus;
  /** What was looked at and what it showed. Never secret material. */
  evidence: string;
  /** Kept only for `fail` and `unknown`. */
  fix?: Fix;
}

export function verdict(status: CheckStatus, evidence: string, fix?: Fix): Verdict {
  return { status, evidence, ...(fix !== undefined ? { fix } : {}) };
}

export interface PostureCheck<C> {
  id: CheckId;
  title: string | ((ctx: C) => string);
  severity: CheckSeverity;
  /** Absent: the check applies to every subject of its table. */
  applies?: (ctx: C) => boolean;
  check: (ctx: C, cmd: CommandBuilder) => Verdict;
}

/** Every check of `table` that applies to `ctx`, in table order. */
export function runChecks<C>(
  table: ReadonlyArray<PostureCheck<C>>,
  ctx: C,
  cmd: CommandBuilder,
): CheckItem[] {
  return table
    .filter((c) => c.applies?.(ctx) ?? true)
    .map((c) => {
      const v = c.check(ctx, cmd);
      return item(
        c.id,
        typeof c.title === 'string' ? c.title : c.title(ctx),
        c.severity,
        v.status,
        v.evidence,
        v.fix,
      );
    });
}
