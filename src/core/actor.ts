/**
 * Who changed something: an operator signed in to the admin API, an API token acting with its
 * role, or the local CLI holding the master key (the single-user case). Audit records, approvals
 * and every admin action name one; the audit record's `actor` is `describeActor(actor)`.
 */
export const ROLES = ['owner', 'admin', 'operator', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export interface Actor {
  kind: 'operator' | 'token' | 'local';
  /** Operator or token id; `local` for the CLI. */
  id: string;
  /** Operator name (a token: its name); `local` for the CLI. */
  name: string;
  role: Role;
}

/** The CLI with the master key can do everything an owner can, and is recorded as such. */
export const LOCAL_ACTOR: Actor = Object.freeze({ kind: 'local', id: 'local', name: 'local', role: 'owner' });

export const describeActor = (a: Actor): string => (a.kind === 'local' ? 'local' : `${a.kind}:${a.name}`);
