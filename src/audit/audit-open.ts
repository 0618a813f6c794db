/**
 * The audit log as `serve` and the admin CLI open it over a store and a vault: HMACs from the vault, checkpoints
 * signed with an Ed25519 key that is generated once and kept vault-encrypted in
 * `sealed_settings` (the log pins its fingerprint, so it must survive restarts), and anchored
 * outside the store as keywarden.yaml's `audit:` section says.
 */

import { KeywardenError } from '../core/index.js';
import type { AnyStore, SqlStore, Store } from '../store/index.js';
import type { Vault } from '../vault/index.js';
import { createFileAnchor } from './audit-anchor.js';
import type { AuditConfig } from './audit-config.js';
import { type AuditLogHandle, type AuditLogOptions, createAuditLog } from './audit-log.js';
import { createPgAuditLog } from './audit-log-pg.js';
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

/** `checkpointSigner` through Kysely, for either engine (the first instance to store the key wins). */
export async function loadCheckpointSigner(
  store: Pick<SqlStore, 'db'>,
  vault: Vault,
): Promise<CheckpointSigner> {
  if (vault.isSealed()) throw new KeywardenError('vault_sealed');
  const read = async () =>
    (
      await store.db
        .selectFrom('sealed_settings')
        .select('envelope')
        .where('name', '=', CHECKPOINT_KEY)
        .executeTakeFirst()
    )?.envelope;
  let stored = await read();
  if (stored === undefined) {
    const blob = vault.encrypt(identity, Buffer.from(createCheckpointKey().privateKeyPem, 'utf8'));
    await store.db
      .insertInto('sealed_settings')
      .values({ name: CHECKPOINT_KEY, envelope: blob.envelope, created_at: Date.now() })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    // Another process may have won the race: use whatever is stored.
    stored = await read();
    if (stored === undefined) throw new KeywardenError('audit_unavailable');
  }
  return createSigner(vault.decrypt(identity, { envelope: stored }).toString('utf8'));
}

/** What anchors the log outside the store (keywarden.yaml `audit:`), and where anchor failures go. */
export interface AuditAnchoring {
  audit?: AuditConfig;
  /** A checkpoint not copied to `audit.anchorFile` (the records are committed regardless). */
  onAnchorError?: (err: unknown) => void;
}

function logOptions(
  signer: CheckpointSigner,
  vault: Vault,
  dataDir: string,
  anchoring: AuditAnchoring,
): AuditLogOptions {
  const audit = anchoring.audit;
  return {
    hmac: (v) => vault.auditHmac(v),
    signer,
    ...(audit ? { checkpointEvery: audit.checkpointEvery } : {}),
    ...(audit?.checkpointKeyFingerprint ? { pinnedFingerprint: audit.checkpointKeyFingerprint } : {}),
    ...(audit?.anchorFile ? { anchor: createFileAnchor(audit.anchorFile, dataDir) } : {}),
    ...(anchoring.onAnchorError ? { onAnchorError: anchoring.onAnchorError } : {}),
  };
}

/** Open the audit log over an SQLite `store`; the vault must be unsealed. */
export function openAuditLog(store: Store, vault: Vault, anchoring: AuditAnchoring = {}): AuditLogHandle {
  return createAuditLog(
    store.sqlite,
    logOptions(checkpointSigner(store, vault), vault, store.dataDir, anchoring),
  );
}

/**
 * Open the audit log over either engine: SQLite's synchronous group commit (the fast path, as
 * `openAuditLog`), or PostgreSQL's several-writer chain (src/audit/audit-log-pg.ts).
 */
export async function openStoreAuditLog(
  store: AnyStore,
  vault: Vault,
  anchoring: AuditAnchoring = {},
): Promise<AuditLogHandle> {
  if (store.dialect === 'sqlite') return openAuditLog(store, vault, anchoring);
  const signer = await loadCheckpointSigner(store, vault);
  return createPgAuditLog(store.db, logOptions(signer, vault, store.dataDir, anchoring));
}

/**
 * An audit log usable before unseal: appends reject (so the gateway fails closed) until
 * `open()` has run with an unsealed vault.
 */
export function createDeferredAuditLog(
  store: AnyStore,
  vault: Vault,
  anchoring: AuditAnchoring = {},
): AuditLog & { open(): Promise<void>; readonly ready: boolean } {
  let inner: AuditLogHandle | undefined;
  let opening: Promise<void> | undefined;
  return {
    get ready() {
      return inner !== undefined;
    },
    open() {
      if (inner) return Promise.resolve();
      opening ??= openStoreAuditLog(store, vault, anchoring).then(
        (log) => {
          inner = log;
        },
        (err: unknown) => {
          opening = undefined;
          throw err;
        },
      );
      return opening;
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
