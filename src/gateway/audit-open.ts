/**
 * The audit log as the gateway and the admin CLI write it: HMACs from the vault, checkpoints
 * signed with an Ed25519 key that is generated once and kept vault-encrypted in
 * `sealed_settings` (the log pins its fingerprint, so it must survive restarts).
 */

import type { AuditLogHandle } from '../audit/audit-log.js';
import type { AuditLog } from '../audit/audit-types.js';
import { createAuditLog, createCheckpointKey, createSigner } from '../audit/index.js';
import { KeywardenError } from '../errors.js';
import type { Store } from '../store/db.js';
import type { Vault } from '../vault/vault-types.js';

const CHECKPOINT_KEY = 'audit-checkpoint-key';
const identity = { id: `setting:${CHECKPOINT_KEY}`, version: 1, exchange: '-', label: CHECKPOINT_KEY };

/** Open the audit log over `store`; the vault must be unsealed. */
export function openAuditLog(store: Store, vault: Vault): AuditLogHandle {
  if (vault.isSealed()) throw new KeywardenError('vault_sealed');
  const row = store.sqlite
    .prepare('SELECT envelope FROM sealed_settings WHERE name = ?')
    .pluck()
    .get(CHECKPOINT_KEY);
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
    const stored = store.sqlite
      .prepare('SELECT envelope FROM sealed_settings WHERE name = ?')
      .pluck()
      .get(CHECKPOINT_KEY);
    if (typeof stored === 'string' && stored !== blob.envelope)
      privatePem = vault.decrypt(identity, { envelope: stored }).toString('utf8');
  }
  return createAuditLog(store.sqlite, { hmac: (v) => vault.auditHmac(v), signer: createSigner(privatePem) });
}

/**
 * An audit log usable before unseal: appends reject (so the gateway fails closed) until
 * `open()` has run with an unsealed vault.
 */
export function createDeferredAuditLog(
  store: Store,
  vault: Vault,
): AuditLog & { open(): void; readonly ready: boolean } {
  let inner: AuditLogHandle | undefined;
  return {
    get ready() {
      return inner !== undefined;
    },
    open() {
      if (!inner) inner = openAuditLog(store, vault);
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
