import { type ExchangeId, isExchangeId, KeywardenError, prefixedId } from '../core/index.js';
import type { Credential } from '../exchanges/index.js';
import { adapterFor } from '../exchanges/index.js';
import type { CredentialsTable, Store } from '../store/index.js';
import type { Vault } from '../vault/index.js';
import { ENVIRONMENTS, type KeyRecord, type KeyRegistry, type NewKey } from './key-types.js';
import { createKeysStore } from './keys-store.js';

/**
 * Field presence, then the adapter's own validation: the adapter is the one place that knows an
 * exchange's credential forms (Coinbase takes EC PEM, base64 Ed25519 and legacy HMAC secrets),
 * and its one-line message reaches the operator as it is.
 */
export function validateCredential(exchange: string, cred: Credential): void {
  if (!isExchangeId(exchange)) throw new KeywardenError('invalid_input', `Unknown exchange: ${exchange}`);
  const adapter = adapterFor(exchange);
  for (const f of adapter.credentialFields)
    if (typeof cred[f] !== 'string' || cred[f] === '')
      throw new KeywardenError('invalid_credential', `Missing credential field for ${exchange}: ${f}`);
  try {
    adapter.validateCredential(cred);
  } catch (err) {
    // The adapter's CredentialError is a KeywardenError: its one-line reason passes through as it is.
    if (err instanceof KeywardenError) throw err;
    throw new KeywardenError('invalid_credential', `Invalid ${exchange} credential`);
  }
}

/** Keep only CCXT credential fields that are strings. */
export function parseCredentialJson(text: string): Credential {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new KeywardenError('invalid_credential', 'Credential input is not a JSON object');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new KeywardenError('invalid_credential', 'Credential input is not a JSON object');
  const o = raw as Record<string, unknown>;
  const pick = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
  const cred: Credential = { apiKey: pick('apiKey') ?? '', secret: pick('secret') ?? '' };
  for (const k of ['password', 'uid', 'privateKey'] as const) {
    const v = pick(k);
    if (v !== undefined) cred[k] = v;
  }
  return cred;
}

/** The identity a key's envelope is bound to (AAD): a copied or re-versioned ciphertext fails to decrypt. */
export function credentialIdentity(key: { id: string; version: number; exchange: string; label: string }) {
  return { id: `credential:${key.id}`, version: key.version, exchange: key.exchange, label: key.label };
}

export function toKeyRecord(r: CredentialsTable): KeyRecord {
  const rec: KeyRecord = {
    id: r.id,
    label: r.label,
    exchange: r.exchange as ExchangeId,
    environment: r.environment as KeyRecord['environment'],
    fingerprint: r.fingerprint,
    last4: r.last4,
    version: r.version,
    status: r.status === 'retired' ? 'retired' : 'active',
    createdAt: Number(r.created_at),
  };
  if (r.owner !== null) rec.owner = r.owner;
  if (r.notes !== null) rec.notes = r.notes;
  if (r.rotated_at !== null) rec.rotatedAt = Number(r.rotated_at);
  if (r.retired_at !== null) rec.retiredAt = Number(r.retired_at);
  return rec;
}

export function createKeyRegistry(store: Pick<Store, 'db'>, vault: Vault): KeyRegistry {
  const keys = createKeysStore(store.db);
  const row = keys.byRef;
  return {
    async add(input: NewKey, credential: Credential) {
      if (!isExchangeId(input.exchange))
        throw new KeywardenError('invalid_input', `Unknown exchange: ${input.exchange}`);
      if (!(ENVIRONMENTS as readonly string[]).includes(input.environment))
        throw new KeywardenError('invalid_input', `Unknown environment: ${input.environment}`);
      if (input.label.trim() === '') throw new KeywardenError('invalid_input', 'Label must not be empty');
      validateCredential(input.exchange, credential);
      if (vault.isSealed()) throw new KeywardenError('vault_sealed');
      if ((await row(input.label)) !== undefined)
        throw new KeywardenError('duplicate', `A key labelled "${input.label}" already exists`);
      const id = prefixedId('key');
      const version = 1;
      const blob = vault.encrypt(
        credentialIdentity({ id, version, exchange: input.exchange, label: input.label }),
        Buffer.from(JSON.stringify(credential)),
      );
      const r: CredentialsTable = {
        id,
        label: input.label,
        exchange: input.exchange,
        environment: input.environment,
        owner: input.owner ?? null,
        notes: input.notes ?? null,
        fingerprint: vault.fingerprint(credential.apiKey),
        last4: credential.apiKey.slice(-4),
        version,
        status: 'active',
        envelope: blob.envelope,
        created_at: Date.now(),
        rotated_at: null,
        retired_at: null,
      };
      await keys.insert(r);
      return toKeyRecord(r);
    },
    async list(options) {
      return (await keys.list(options?.includeRetired === true)).map(toKeyRecord);
    },
    async get(ref) {
      const r = await row(ref);
      return r === undefined ? undefined : toKeyRecord(r);
    },
    async retire(ref) {
      const r = await row(ref);
      if (r === undefined) throw new KeywardenError('not_found', `No key ${ref}`);
      const now = Date.now();
      await keys.retire(r.id, now);
      return toKeyRecord({ ...r, status: 'retired', retired_at: now });
    },
    async credential(ref, version) {
      const r = await row(ref);
      if (r === undefined) throw new KeywardenError('not_found', `No key ${ref}`);
      if (version !== undefined && version !== r.version) {
        const old = await keys.retiring(r.id, version, Date.now());
        if (old !== undefined) {
          const plain = vault.decrypt(
            credentialIdentity({ id: r.id, version: old.version, exchange: old.exchange, label: old.label }),
            { envelope: old.envelope },
          );
          return parseCredentialJson(plain.toString('utf8'));
        }
        // Past its grace period the old credential is gone: the current one always signs validly.
      }
      const plain = vault.decrypt(credentialIdentity(r), { envelope: r.envelope });
      return parseCredentialJson(plain.toString('utf8'));
    },
  };
}
