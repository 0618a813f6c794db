export {
  type CheckpointAnchor,
  type CheckpointEntry,
  createFileAnchor,
  readAnchorFile,
} from './audit-anchor.js';
export { type AuditConfig, auditConfigSchema, DEFAULT_CHECKPOINT_EVERY } from './audit-config.js';
export { type AuditLogHandle, type AuditLogOptions, createAuditLog, GENESIS_HASH } from './audit-log.js';
export { AUDIT_WRITE_LOCK, createPgAuditLog } from './audit-log-pg.js';
export {
  type AuditAnchoring,
  checkpointSigner,
  createDeferredAuditLog,
  loadCheckpointSigner,
  openAuditLog,
  openStoreAuditLog,
} from './audit-open.js';
export { type AuditFilter, parseCsv, queryAudit, queryAuditStore, toCsv, toJsonl } from './audit-query.js';
export type { AuditEvent, AuditKind, AuditLog, AuditRecord } from './audit-types.js';
export { type VerifyOptions, type VerifyResult, verifyAuditLog, verifyAuditStore } from './audit-verify.js';
export { canonicalJson } from './canonical.js';
export {
  type CheckpointKeyPair,
  type CheckpointSigner,
  createCheckpointKey,
  createSigner,
  publicKeyFingerprint,
} from './checkpoint-signer.js';
