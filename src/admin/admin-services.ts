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
import type { KeyRegistry } from '../keys/index.js';
import type { LockdownService } from '../lockdown/index.js';
import type { Operators } from '../operators/index.js';
import type { RotationPolicy } from '../rotation/index.js';
import type { Vault } from '../vault/index.js';

export interface AdminServices {
  operators: Operators;
  /** The two-person rule: held withdrawals and other requests waiting for a second operator. */
  approvals: ApprovalsService;
  keys: KeyRegistry;
  clientsFor(actor: Actor): ClientService;
  lockdownFor(actor: Actor): Promise<LockdownService>;
  audit: Pick<AuditLog, 'append'>;
  auditRecords(filter: AuditFilter): AuditRecord[];
  verifyAudit(): VerifyResult;
  vault: Pick<Vault, 'isSealed' | 'seal'>;
  clock: Clock;
  /** keywarden.yaml's rotation days (the overview's keys due); default: prod every 90 days. */
  rotationPolicy?: RotationPolicy;
  /** Where bots reach the gateway (the dashboard's CCXT snippet); default http://127.0.0.1:8787. */
  gatewayUrl?: string;
}
