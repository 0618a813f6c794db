/**
 * The audit log as `serve` and the admin CLI open it over a store and a vault: HMACs from the vault, checkpoints
 * signed with an Ed25519 key that is generated once and kept vault-encrypted in
 * `sealed_settings` (the log pins its fingerprint, so it must survive restarts), and anchored
 * outside the store as keywarden.yaml's `audit:` section says.
 */

import { KeywardenError } from '../core/index.js';
import type { Store } from '../store/index.js';
import type { Vault } from '../vault/index.js';
import { createFileAnchor } from './audit-anchor.js';
import type { AuditConfig } from './audit-config.js';
import { type AuditLogHandle, createAuditLog } from './audit-log.js';
import type { AuditLog } from './audit-types.js';
import { type CheckpointSigner, createCheckpointKey, createSigner } from './checkpoint-signer.js';

const CHECKPOINT_KEY = 'audit-checkpoint-key';
const identity = { id: `setting:${CHECKPOINT_KEY}`, version: 1, exchange: '-', label: CHECKPOINT_KEY };

/**
 * The checkpoint signer, from the vault-encrypted key in `sealed_settings`, generating and
 * storing it on first use; the vault must be unsealed. `keywarden init` calls it to print the
 * fingerprint operators pin (`audit.checkpointKeyFingerprint`).
 */
export function checkpointSigner(store: Store, vault: Vault): CheckpointSigner {
  if (vault.isSealed()) throw new KeywardenError('vault_sealed');
  const read = store.sqlite.prepare('SELECT envelope FROM sealed_settings WHERE name = ?').pluck();
  const row = read.get(CHECKPOINT_KEY);
  let privatePem: string;
  if (typeof row === 'string') {
    privatePem = vault.decrypt(identity, { envelope: row }).toString('utf8');
  } else {
    privatePem = createCheckpointKey().privateKeyPem;
    const blob = vault.encrypt(identity, Buffer.from(privatePem, 'utf8'));
    store.sqlite
      .prepare('INSERT OR IGNORE INTO sealed_settings (name, envelope, created_at) VALUES (?, ?, ?)')
      .run(CHECKPOINT_KEY, blob.envelope, Date.now());
    // Another process may have won the race: use whatever is stored.
    const stored = read.get(CHECKPOINT_KEY);
    if (typeof stored === 'string' && stored !== blob.envelope)
      privatePem = vault.decrypt(identity, { envelope: stored }).toString('utf8');
  }
  return createSigner(privatePem);
}

/** What anchors the log outside the store (keywarden.yaml `audit:`), and where anchor failures go. */
export interface AuditAnchoring {
  audit?: AuditConfig;
  /** A checkpoint not copied to `audit.anchorFile` (the records are committed regardless). */
  onAnchorError?: (err: unknown) => void;
}

/** Open the audit log over `store`; the vault must be unsealed. */
export function openAuditLog(store: Store, vault: Vault, anchoring: AuditAnchoring = {}): AuditLogHandle {
  const signer = checkpointSigner(store, vault);
  const audit = anchoring.audit;
  return createAuditLog(store.sqlite, {
    hmac: (v) => vault.auditHmac(v),
    signer,
    ...(audit ? { checkpointEvery: audit.checkpointEvery } : {}),
    ...(audit?.checkpointKeyFingerprint ? { pinnedFingerprint: audit.checkpointKeyFingerprint } : {}),
    ...(audit?.anchorFile ? { anchor: createFileAnchor(audit.anchorFile, store.dataDir) } : {}),
    ...(anchoring.onAnchorError ? { onAnchorError: anchoring.onAnchorError } : {}),
  });
}

/**
 * An audit log usable before unseal: appends reject (so the gateway fails closed) until
 * `open()` has run with an unsealed vault.
 */
export function createDeferredAuditLog(
  store: Store,
  vault: Vault,
  anchoring: AuditAnchoring = {},
): AuditLog & { open(): void; readonly ready: boolean } {
  let inner: AuditLogHandle | undefined;
  return {
    get ready() {
      return inner !== undefined;
    },
    open() {
      if (!inner) inner = openAuditLog(store, vault, anchoring);
    },
    append(event) {
      if (!inner) return Promise.reject(new KeywardenError('audit_unavailable'));
      return inner.append(event);
    },
    async close() {
      await inner?.close();
    },
  };
}
