/**
 * What the admin routes call: the domain services, built once by the composition root
 * (src/cli/admin-root.ts) and handed in. Services that record the actor in their own audit
 * records (clients, lockdown) are asked for per actor; they are cheap factories over the
 * same store, vault and audit log.
 */
import type { ApprovalsService } from '../approvals/index.js';
import type { AuditFilter, AuditLog, AuditRecord, VerifyResult } from '../audit/index.js';
import type { ClientService } from '../clients/index.js';
import type { Actor, Clock } from '../core/index.js';
import type { Credential } from '../exchanges/index.js';
import type { KeyCheck, KeyRegistry } from '../keys/index.js';
import type { LockdownService } from '../lockdown/index.js';
import type { AlertAcks } from '../monitor/index.js';
import type { Operators } from '../operators/index.js';
import type { PostureReport } from '../posture/index.js';
import type { RotationPolicy, RotationResult } from '../rotation/index.js';
import type { Vault } from '../vault/index.js';

/** Key verification and rotation as `keywarden key verify|rotate` run them (src/keys, src/rotation). */
export interface KeyOps {
  /** Ask the exchange what the key may do; the check is recorded and alerted as the CLI's. */
  verify(keyId: string, actor: Actor): Promise<KeyCheck>;
  /** Verify (unless told not to) and switch to the new credential; the old one is kept for `graceMs`. */
  rotate(
    keyId: string,
    credential: Credential,
    options: { graceMs: number; verify: boolean },
    actor: Actor,
  ): Promise<RotationResult>;
}

export interface AdminServices {
  operators: Operators;
  /** The two-person rule: held withdrawals and other requests waiting for a second operator. */
  approvals: ApprovalsService;
  keys: KeyRegistry;
  keyOps: KeyOps;
  clientsFor(actor: Actor): ClientService;
  lockdownFor(actor: Actor): Promise<LockdownService>;
  audit: Pick<AuditLog, 'append'>;
  /** Audit records of either store engine (src/audit/audit-query.ts). */
  auditRecords(filter: AuditFilter): Promise<AuditRecord[]>;
  verifyAudit(): Promise<VerifyResult>;
  /** Who acknowledged which alert, and when (stored, migration 0016). */
  alertAcks: AlertAcks;
  /** The posture report `keywarden posture --json` prints. */
  posture(): Promise<PostureReport>;
  vault: Pick<Vault, 'isSealed' | 'seal' | 'encrypt' | 'decrypt' | 'auditHmac'>;
  /** Rotation grace when a request names none (keywarden.yaml `lifecycle.rotationGraceSeconds`). */
  rotationGraceMs: number;
  clock: Clock;
  /** keywarden.yaml's rotation days (the overview's keys due); default: prod every 90 days. */
  rotationPolicy?: RotationPolicy;
  /** Where bots reach the gateway (the dashboard's CCXT snippet); default http://127.0.0.1:8787. */
  gatewayUrl?: string;
}
