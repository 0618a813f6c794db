/**
 * The audit log's contract. Records are append-only and hash-chained; sensitive values
 * (client key ids, withdrawal addresses) arrive already HMAC'd by the caller or are HMAC'd
 * by the log before they are written.
 */

export type AuditKind = 'request' | 'outcome' | 'admin' | 'alert';

export interface AuditEvent {
  kind: AuditKind;
  requestId?: string;
  /** Who: client name for requests, operator/CLI user for admin actions. */
  actor?: string;
  clientId?: string;
  keyId?: string;
  exchange?: string;
  action?: string;
  endpoint?: string;
  symbol?: string;
  side?: string;
  notional?: number;
  decision?: 'allow' | 'deny' | 'would-deny';
  /** Denial code (ErrorCode) or policy rule. */
  rule?: string;
  message?: string;
  sourceIp?: string;
  upstreamStatus?: number;
  latencyMs?: number;
  /** Values written only as keyed HMACs (e.g. `{ clientKeyId, address }`). */
  sensitive?: Record<string, string>;
  /** Extra non-sensitive detail. */
  detail?: Record<string, unknown>;
}

export interface AuditRecord extends Omit<AuditEvent, 'sensitive'> {
  seq: number;
  at: number;
  /** HMACs of the sensitive values. */
  hmacs?: Record<string, string>;
  prevHash: string;
  hash: string;
}

export interface AuditLog {
  /** Resolves once the record is durably committed (group commit); rejects if it cannot be written. */
  append(event: AuditEvent): Promise<AuditRecord>;
  /** Flush pending writes and stop. */
  close(): Promise<void>;
}
