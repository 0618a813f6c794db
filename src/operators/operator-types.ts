/** The operators domain's contract: accounts, sessions and API tokens of the admin API. */
import type { Actor, Role } from '../core/index.js';

export type OperatorStatus = 'pending' | 'enrolling' | 'active' | 'disabled';

/** What any API or CLI shows of an operator: never a hash, a TOTP secret or an enrolment code. */
export interface OperatorView {
  id: string;
  name: string;
  role: Role;
  status: OperatorStatus;
  mfaEnrolled: boolean;
  createdBy: string;
  createdAt: number;
}

export interface TokenView {
  id: string;
  name: string;
  role: Role;
  createdBy: string;
  createdAt: number;
  expiresAt: number;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

/** A session as the admin API sees it after the cookie was checked. */
export interface SessionInfo {
  actor: Actor;
  /** SHA-256 of the session's CSRF token: the double-submitted header must hash to it. */
  csrfHash: string;
  expiresAt: number;
}

export interface OperatorsConfig {
  /** A session unused this long ends (default 30 minutes). */
  sessionIdleMs: number;
  /** A session ends this long after login however busy (default 12 hours). */
  sessionAbsoluteMs: number;
  /** An enrolment code is good this long (default 24 hours). */
  enrolmentTtlMs: number;
  /** Failed logins of one account before it is locked (default 5). */
  accountLockoutAfter: number;
  /** Failed logins from one IP before it is locked (default 20). */
  ipLockoutAfter: number;
  /** How long a lockout lasts, and how long failures are remembered (default 15 minutes). */
  lockoutMs: number;
  /** Back-off after the second failure: doubles per failure from this (default 1 s), capped at 30 s. */
  backoffBaseMs: number;
  /** Longest an API token may live (default 90 days). */
  tokenMaxTtlMs: number;
}

export const DEFAULT_OPERATORS_CONFIG: OperatorsConfig = Object.freeze({
  sessionIdleMs: 30 * 60_000,
  sessionAbsoluteMs: 12 * 3_600_000,
  enrolmentTtlMs: 24 * 3_600_000,
  accountLockoutAfter: 5,
  ipLockoutAfter: 20,
  lockoutMs: 15 * 60_000,
  backoffBaseMs: 1_000,
  tokenMaxTtlMs: 90 * 86_400_000,
});

/** Role strength, for "a token never outranks its creator" and "only an owner makes an owner". */
export const ROLE_RANK: Record<Role, number> = { owner: 3, admin: 2, operator: 1, auditor: 0 };

/** MFA is mandatory for these roles (issue 13); enrolment requires it of every role anyway. */
export const MFA_ROLES: readonly Role[] = ['owner', 'admin'];
