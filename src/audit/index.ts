export {
  type CheckpointAnchor,
  type CheckpointEntry,
  createFileAnchor,
  readAnchorFile,
} from './audit-anchor.js';
export { type AuditConfig, auditConfigSchema, DEFAULT_CHECKPOINT_EVERY } from './audit-config.js';
export { type AuditLogHandle, type AuditLogOptions, createAuditLog, GENESIS_HASH } from './audit-log.js';
export {
  type AuditAnchoring,
  checkpointSigner,
  createDeferredAuditLog,
  openAuditLog,
} from './audit-open.js';
export { type AuditFilter, parseCsv, queryAudit, toCsv, toJsonl } from './audit-query.js';
export type { AuditEvent, AuditKind, AuditLog, AuditRecord } from './audit-types.js';
export { type VerifyOptions, type VerifyResult, verifyAuditLog } from './audit-verify.js';
export { canonicalJson } from './canonical.js';
export {
  type CheckpointKeyPair,
  type CheckpointSigner,
  createCheckpointKey,
  createSigner,
  publicKeyFingerprint,
} from './checkpoint-signer.js';
