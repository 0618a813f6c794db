/** The approvals domain's contract: what an approval is, who asks and decides, what the service does. */

import type { Kysely } from 'kysely';
import type { AuditLog } from '../audit/index.js';
import type { ApprovalKind, ApprovalsConfig } from '../config/index.js';
import type { Actor, Clock } from '../core/index.js';
import type { Monitor } from '../monitor/index.js';
import type { Database } from '../store/index.js';

export type { ApprovalKind } from '../config/index.js';

/**
 * pending → approved | rejected | expired; an approved one is then run once: approved →
 * executing (one process claimed it) → executed | failed. A failed one is never retried.
 */
export const APPROVAL_STATUSES = [
  'pending',
  'approved',
  'rejected',
  'expired',
  'executing',
  'executed',
  'failed',
] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

/** A gateway client asking (a held withdrawal): it can ask, never decide. */
export interface ClientRequester {
  kind: 'client';
  /** The client's id. */
  id: string;
  name: string;
}

export type Requester = Actor | ClientRequester;

export interface Approval {
  id: string;
  kind: ApprovalKind;
  /** One line for people: what would happen (never a secret). */
  summary: string;
  /** What runs once approved, as the requester stored it (never a secret or a client's auth field). */
  payload: unknown;
  status: ApprovalStatus;
  requestedBy: Requester;
  requestedAt: number;
  expiresAt: number;
  decidedBy?: Actor;
  decidedAt?: number;
  executedAt?: number;
  /** How the execution ended (a withdrawal: the exchange's HTTP status and answer). */
  result?: unknown;
}

export interface ApprovalRequest {
  kind: ApprovalKind;
  summary: string;
  payload: unknown;
  requestedBy: Requester;
}

export type ApprovalDecision = 'approve' | 'reject';

/**
 * Runs one approved request of its kind. The service calls it once, right after the approving
 * decision, on the request it has just claimed (approved → executing), so a change applies
 * exactly once; what it answers is kept as the approval's result (never a secret), and a throw
 * marks the approval failed (never retried). Withdrawals have none here: the gateway's
 * dispatcher sends them.
 */
export type ApprovalExecutor = (approval: Approval, decidedBy: Actor) => Promise<unknown>;
export type ApprovalExecutors = Partial<Record<ApprovalKind, ApprovalExecutor>>;

export interface ApprovalsDeps {
  db: Kysely<Database>;
  clock: Clock;
  audit: Pick<AuditLog, 'append'>;
  config: ApprovalsConfig;
  /** Where the `approval.pending` alert goes; absent = the audit records only. */
  alerts?: Pick<Monitor, 'observe'>;
  /** What runs an approved request, per kind (src/admin/gated-changes.ts); absent kinds wait for their own runner. */
  executors?: ApprovalExecutors;
}

export interface ApprovalsService {
  /** Record a pending request (audited, alerted). */
  request(input: ApprovalRequest): Promise<Approval>;
  /**
   * Approve or reject a pending request: not its requester, once, before it expires. An approved
   * request whose kind has an executor is claimed and run at once; the answer is then the
   * approval as it ended (executed or failed).
   */
  decide(id: string, decision: ApprovalDecision, by: Actor): Promise<Approval>;
  /** Newest first; pending requests past their time are marked expired first. */
  list(filter?: { status?: ApprovalStatus; kind?: ApprovalKind }): Promise<Approval[]>;
  /** not_found when there is none. */
  get(id: string): Promise<Approval>;
  /** Does keywarden.yaml's `approvals.require` list this kind? */
  required(kind: ApprovalKind): boolean;
  /**
   * Take an approved request for running: approved → executing in one write transaction, so of
   * any number of processes on one store exactly one gets it. Undefined when it was not
   * approved (any more), or its time ran out (it is then marked expired and never runs).
   */
  claim(id: string): Promise<Approval | undefined>;
  /** Record how the run of a claimed request ended (executing → executed | failed), audited. */
  finish(id: string, outcome: 'executed' | 'failed', result: unknown, actor: string): Promise<Approval>;
}
