/**
 * Staged rotation of an exchange key: validate the new credential → verify it against the
 * exchange → switch atomically → keep the old credential through a grace period → destroy it.
 *
 * The switch is one SQLite write transaction (BEGIN IMMEDIATE, so a gateway appending audit
 * records in another process cannot make it fail half-way; rotation-store.ts): the key row gets the new envelope
 * under version + 1 (the version is part of the envelope's associated data), the old envelope
 * moves to `retiring_credentials` until `grace_until`, and `clients_version` is bumped. Gateways
 * read that counter on every request and drop their cached key records when it moves, so every
 * client of the key signs with the new credential from its next request on; a request that read
 * the key just before the switch may still ask for the old version until the grace period ends.
 */
import type { AuditLog } from '../audit/index.js';
import { KeywardenError } from '../core/index.js';
import type { Credential, ExchangeAdapter, Introspection } from '../exchanges/index.js';
import { adapterFor as defaultAdapterFor } from '../exchanges/index.js';
import {
  appendKeyAudit,
  credentialIdentity,
  flagsFor,
  introspectCredential,
  type KeyCheck,
  type KeyRecord,
  type KeyRegistry,
  overPermissiveEvent,
  toKeyRecord,
  type VerifyDeps,
  validateCredential,
} from '../keys/index.js';
import type { Store } from '../store/index.js';
import type { Vault } from '../vault/index.js';
import { deleteExpired, type RetiredCredential, switchCredential } from './rotation-store.js';

/** What verifying a key needs (the new credential is checked the same way), plus the store and vault. */
export interface RotationDeps extends VerifyDeps {
  store: Pick<Store, 'db'>;
  vault: Vault;
  keys: Pick<KeyRegistry, 'get' | 'credential'>;
}

export interface RotateOptions {
  /** How long the old credential stays decryptable for requests in flight (0 = destroyed at the switch). */
  graceMs: number;
  /** Introspect the new credential first and refuse it unless it is live and can do what the old one can. */
  verify: boolean;
}

export interface RotationResult {
  /** The key after the switch (new version, fingerprint, last 4, rotatedAt). */
  key: KeyRecord;
  previousVersion: number;
  /** Last 4 characters of the old api-key id: the key to delete on the exchange. */
  previousLast4: string;
  /** When the old envelope may be destroyed (equal to the switch time when the grace is 0). */
  graceUntil: number;
  /** The verification of the new credential (recorded as the key's check for the new version). */
  check?: KeyCheck;
  /** What the new key had to match: the old key's read/trade permissions, or `unknown`. */
  baseline: { read: boolean; trade: boolean } | 'unknown';
}

export type DestroyedCredential = RetiredCredential;

/** The old key's read/trade permissions: asked of the exchange now, else from the newest recorded check. */
async function oldBaseline(
  deps: RotationDeps,
  adapter: ExchangeAdapter,
  key: KeyRecord,
  now: () => number,
): Promise<RotationResult['baseline']> {
  let result: Introspection | undefined;
  try {
    const credential = await deps.keys.credential(key.id, key.version);
    result = (await introspectCredential(adapter, credential, deps.access, key.id, now)).introspection;
  } catch {
    result = undefined;
  }
  if (!result?.available) result = (await deps.checks?.latest())?.get(key.id)?.introspection;
  return result?.available ? { read: result.canRead, trade: result.canTrade } : 'unknown';
}

export async function rotateKey(
  deps: RotationDeps,
  ref: string,
  credential: Credential,
  options: RotateOptions,
): Promise<RotationResult> {
  const now = deps.now ?? Date.now;
  const { vault, store } = deps;
  const key = await deps.keys.get(ref);
  if (!key) throw new KeywardenError('not_found', `no key "${ref.slice(0, 64)}"`);
  if (key.status !== 'active') throw new KeywardenError('invalid_input', `key ${key.label} is retired`);
  if (!Number.isInteger(options.graceMs) || options.graceMs < 0 || options.graceMs > 86_400_000)
    throw new KeywardenError('invalid_input', 'grace period must be between 0 and 24 hours');
  validateCredential(key.exchange, credential);
  if (vault.isSealed()) throw new KeywardenError('vault_sealed');
  if (vault.fingerprint(credential.apiKey) === key.fingerprint)
    throw new KeywardenError(
      'invalid_credential',
      `the new credential has the same API key as ${key.label}: create a new key on the exchange first`,
    );

  const adapter = (deps.adapterFor ?? defaultAdapterFor)(key.exchange);
  let baseline: RotationResult['baseline'] = 'unknown';
  let check: KeyCheck | undefined;
  if (options.verify) {
    const outcome = await introspectCredential(adapter, credential, deps.access, `${key.id}:next`, now);
    const nu = outcome.introspection;
    if (!nu.available) {
      if (outcome.failed)
        throw new KeywardenError(
          'upstream_failed',
          `could not verify the new credential: ${nu.reason}; nothing was changed`,
        );
      throw new KeywardenError(
        'invalid_credential',
        `${key.exchange} did not accept the new credential (${nu.reason}); nothing was changed`,
      );
    }
    baseline = await oldBaseline(deps, adapter, key, now);
    const need = baseline === 'unknown' ? { read: true, trade: false } : baseline;
    const missing = [
      need.read && !nu.canRead ? 'read' : '',
      need.trade && !nu.canTrade ? 'trade' : '',
    ].filter(Boolean);
    if (missing.length > 0)
      throw new KeywardenError(
        'invalid_credential',
        `the new credential lacks the ${missing.join(' and ')} permission ${key.label} has now; nothing was changed`,
      );
    check = {
      keyId: key.id,
      keyVersion: key.version + 1,
      checkedAt: now(),
      introspection: nu,
      flags: flagsFor(nu, false),
    };
  }

  const t = now();
  const graceUntil = t + options.graceMs;
  const nextVersion = key.version + 1;
  const blob = vault.encrypt(
    credentialIdentity({ id: key.id, version: nextVersion, exchange: key.exchange, label: key.label }),
    Buffer.from(JSON.stringify(credential), 'utf8'),
  );
  const fingerprint = vault.fingerprint(credential.apiKey);
  const last4 = credential.apiKey.slice(-4);
  const { row: after, previousLast4 } = await switchCredential(store.db, {
    keyId: key.id,
    fromVersion: key.version,
    label: key.label,
    envelope: blob.envelope,
    fingerprint,
    last4,
    at: t,
    graceUntil,
  });
  const rotated = toKeyRecord(after);
  await appendKeyAudit(deps, 'key.rotate', key, {
    fromVersion: key.version,
    toVersion: nextVersion,
    previousLast4,
    newLast4: last4,
    graceSeconds: options.graceMs / 1000,
    verified: options.verify,
    ...(check ? { flags: check.flags } : {}),
    previousDestroyed: options.graceMs === 0,
  });
  if (check) {
    await deps.checks?.record(check);
    const event = overPermissiveEvent(rotated, check);
    if (event) deps.monitor?.observe(event);
  }
  return {
    key: rotated,
    previousVersion: key.version,
    previousLast4,
    graceUntil,
    ...(check ? { check } : {}),
    baseline,
  };
}

/**
 * Destroy old credentials whose grace period is over (all of them, or one key's). Runs after
 * `key rotate` waited out the grace, on every scheduled lifecycle run, and before key commands,
 * so an interrupted rotation still ends with the old envelope gone.
 */
export async function destroyExpiredCredentials(
  deps: { store: Pick<Store, 'db'>; audit?: Pick<AuditLog, 'append'>; now?: () => number; actor?: string },
  only?: { keyId: string; version: number },
): Promise<DestroyedCredential[]> {
  const out = await deleteExpired(deps.store.db, (deps.now ?? Date.now)(), only);
  for (const d of out)
    await appendKeyAudit(
      deps,
      'key.rotate.destroy_previous',
      { id: d.keyId, exchange: d.exchange, label: d.label },
      { version: d.version, last4: d.last4 },
    );
  return out;
}
