import type { AuditLog } from '../audit/index.js';
import type { ExchangeId } from '../core/index.js';
import type { CancelAllResult, ExchangeAdapter } from '../exchanges/index.js';
import type { ExchangeAccess, KeyRegistry } from '../keys/index.js';
import type { Monitor } from '../monitor/index.js';
import type { AnyStore } from '../store/index.js';

/** The lockdown domain's contract: what a lockdown covers, what it did, and what it needs. */

export type LockdownScope = { kind: 'all' } | { kind: 'key'; ref: string } | { kind: 'client'; ref: string };

/** A client as the lockdown saw it. */
export interface LockdownClient {
  id: string;
  name: string;
  exchange: ExchangeId;
  keyId: string;
}

/** One key's `--cancel-orders` outcome: the exchange's counts, or why it could not be asked. */
export interface CancelOutcome {
  keyId: string;
  keyLabel: string;
  exchange: ExchangeId;
  cancelled: number;
  failed: CancelAllResult['failed'];
  /** Set when the exchange could not be asked at all (no endpoint, no answer, sealed vault). */
  error?: string;
}

export interface LockdownRecord {
  id: string;
  scope: LockdownScope['kind'];
  target?: { id: string; label: string };
  reason: string;
  actor: string;
  startedAt: number;
  endedAt?: number;
  unlockReason?: string;
  /** Every client in scope (revoked clients excluded). */
  clients: LockdownClient[];
  /** Names of the clients this lockdown froze. */
  frozen: string[];
  /** Names of clients in scope that were already frozen (left frozen by `unlock`). */
  alreadyFrozen: string[];
  cancel?: CancelOutcome[];
  reportPath?: string;
}

export interface LockdownResult {
  lockdown: LockdownRecord;
  /** Things that went wrong after the freeze took effect (audit, alert, report); the lockdown holds. */
  warnings: string[];
}

export interface UnlockResult {
  /** The lockdowns ended, newest first. */
  ended: LockdownRecord[];
  /** Names of the clients unfrozen. */
  unfrozen: string[];
  /** Clients that stay frozen because another active lockdown covers them (it unfreezes them later). */
  handedOver: Array<{ name: string; lockdownId: string }>;
  /** Clients this lockdown froze that were revoked or unfrozen by hand meanwhile (left as they are). */
  skipped: string[];
  warnings: string[];
}

export interface LockdownDeps {
  /**
   * Store connection (any process, either engine): the freeze and unlock are write transactions;
   * the data directory is where this process writes the incident report.
   */
  store: AnyStore;
  keys: Pick<KeyRegistry, 'get' | 'list' | 'credential'>;
  audit: Pick<AuditLog, 'append'>;
  adapterFor: (id: ExchangeId) => ExchangeAdapter | undefined;
  /** How to reach the exchanges for `--cancel-orders` (configured base URLs only). */
  exchanges?: Pick<ExchangeAccess, 'baseUrl' | 'transport' | 'nonce'>;
  /** Where the critical `lockdown` alert goes (sinks + audit); absent = the audit records only. */
  monitor?: Pick<Monitor, 'observe'>;
  now?: () => number;
  /** Who runs the command (audit `actor`). */
  actor?: string;
}

export interface LockdownInput {
  scope: LockdownScope;
  reason?: string;
  cancelOrders?: boolean;
  /** Hours of audit trail the incident report covers (default 24). */
  reportHours?: number;
}

export type UnlockInput = { reason: string } & ({ scope: LockdownScope } | { id: string });

export const DEFAULT_REPORT_HOURS = 24;
