/**
 * `approvals:` in keywarden.yaml: which operations wait for a second person's decision, and how
 * long a request may wait. Nothing is required by default, so a single-user install (the local
 * CLI, which may not approve its own requests) keeps working; a withdrawal waits whenever its
 * client's policy says `withdrawals.approval: true`, whatever this list says.
 */
import { z } from 'zod';

/** The operations an approval can stand for. */
export const APPROVAL_KINDS = [
  'key.register',
  'key.rotate',
  'policy.widen',
  'lockdown.unlock',
  'operator.role',
  'withdrawal',
] as const;
export type ApprovalKind = (typeof APPROVAL_KINDS)[number];

export const DEFAULT_APPROVAL_TTL_HOURS = 24;

export const approvalsConfigSchema = z
  .object({
    require: z
      .array(z.enum(APPROVAL_KINDS))
      .max(APPROVAL_KINDS.length)
      .default(() => []),
    /** A request not decided within this many hours expires (and is never executed). */
    ttlHours: z.number().positive().max(720).default(DEFAULT_APPROVAL_TTL_HOURS),
  })
  .strict();

export type ApprovalsConfig = z.infer<typeof approvalsConfigSchema>;

/** What an absent `approvals:` means: nothing waits for a second person, 24 h to decide. */
export const DEFAULT_APPROVALS: ApprovalsConfig = Object.freeze(approvalsConfigSchema.parse({}));
