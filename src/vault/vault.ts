import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, scrypt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Kysely } from 'kysely';
import { KeywardenError, safeEqual } from '../core/index.js';
import { type Database, immediate, type SqlStore } from '../store/index.js';
import type { MasterKeySource, RecordIdentity, SealedBlob, Vault } from './vault-types.js';

/** scrypt cost: 2^17 x r=8 takes ~0.4 s and 128 MiB per guess, which is what makes offline passphrase guessing expensive. */
export const SCRYPT = { N: 2 ** 17, r: 8, p: 1, maxmem: 288 * 1024 * 1024 } as const;
const KEY_CHECK_LABEL = 'keywarden/key-check/v1';

export interface KdfParams {
  kind: 'scrypt' | 'raw';
  salt?: string;
  N?: number;
  r?: number;
  p?: number;
}

interface Envelope {
  v: 1;
  mk: string;
  wk: string;
  n: string;
  ct: string;
}

/** 96-bit GCM nonces: random per encryption (collision odds negligible at 2^32 uses per data key; each key is used once or a few times). */
export function freshNonce(): Buffer {
  return randomBytes(12);
}

export function gcmSeal(key: Buffer, plaintext: Buffer, aad: Buffer): { nonce: Buffer; sealed: Buffer } {
  const nonce = freshNonce();
  const c = createCipheriv('aes-256-gcm', key, nonce);
  c.setAAD(aad);
  const sealed = Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]);
  return { nonce, sealed };
}

export function gcmOpen(key: Buffer, nonce: Buffer, sealed: Buffer, aad: Buffer): Buffer {
  if (sealed.length < 16 || nonce.length !== 12) throw new KeywardenError('decrypt_failed');
  try {
    const d = createDecipheriv('aes-256-gcm', key, nonce);
    d.setAAD(aad);
    d.setAuthTag(sealed.subarray(sealed.length - 16));
    return Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()]);
  } catch {
    throw new KeywardenError('decrypt_failed');
  }
}

function identityAad(id: RecordIdentity): Buffer {
  return Buffer.from(JSON.stringify(['keywarden/record/v1', id.id, id.version, id.exchange, id.label]));
}
const wrapAad = (mk: string) => Buffer.from(`keywarden/wrap/v1/${mk}`);

function wrapKey(master: Buffer, mk: string, key: Buffer): string {
  const { nonce, sealed } = gcmSeal(master, key, wrapAad(mk));
  return `${nonce.toString('base64')}.${sealed.toString('base64')}`;
}
function unwrapKey(master: Buffer, mk: string, wrapped: string): Buffer {
  const [n, s] = wrapped.split('.');
  if (n === undefined || s === undefined) throw new KeywardenError('decrypt_failed');
  return gcmOpen(master, Buffer.from(n, 'base64'), Buffer.from(s, 'base64'), wrapAad(mk));
}

export function keyCheck(master: Buffer): string {
  return createHmac('sha256', master).update(KEY_CHECK_LABEL).digest('hex');
}

/** Turn a source into 32 key bytes; passphrases need the vault's stored salt. */
export async function deriveMasterKey(source: MasterKeySource, kdf: KdfParams): Promise<Buffer> {
  if (source.kind === 'passphrase') {
    if (kdf.kind !== 'scrypt' || kdf.salt === undefined)
      throw new KeywardenError('wrong_master_key', 'This vault uses a master key, not a passphrase');
    if (source.passphrase.length === 0) throw new KeywardenError('invalid_input', 'Empty passphrase');
    const salt = Buffer.from(kdf.salt, 'base64');
    return await new Promise<Buffer>((res, rej) =>
      scrypt(
        source.passphrase.normalize('NFKC'),
        salt,
        32,
        { N: kdf.N ?? SCRYPT.N, r: kdf.r ?? SCRYPT.r, p: kdf.p ?? SCRYPT.p, maxmem: SCRYPT.maxmem },
        (err, key) => (err ? rej(err) : res(key)),
      ),
    );
  }
  let text: string;
  if (source.kind === 'env') {
    text = process.env[source.variable] ?? '';
    if (text === '') throw new KeywardenError('invalid_input', `${source.variable} is not set`);
  } else if (source.kind === 'key') {
    text = source.base64;
  } else {
    try {
      text = readFileSync(source.path, 'utf8');
    } catch {
      throw new KeywardenError('invalid_input', `Cannot read key file ${source.path}`);
    }
  }
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32 || !/^[A-Za-z0-9+/=_-]+$/.test(text.trim()))
    throw new KeywardenError('invalid_input', 'Master key must be 32 bytes, base64-encoded');
  return key;
}

export function kdfFor(source: MasterKeySource): KdfParams {
  return source.kind === 'passphrase'
    ? { kind: 'scrypt', salt: randomBytes(16).toString('base64'), N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p }
    : { kind: 'raw' };
}

/** Envelope columns other areas store; rotation re-wraps all of them. */
export const ENVELOPE_COLUMNS = [
  { table: 'credentials', column: 'envelope' },
  { table: 'client_credentials', column: 'verifier_envelope' },
  { table: 'retiring_credentials', column: 'envelope' },
  // The audit log's Ed25519 checkpoint key (src/audit/audit-open.ts).
  { table: 'sealed_settings', column: 'envelope' },
  // Admin API operators' TOTP secrets (src/operators); null until enrolment.
  { table: 'operators', column: 'totp_envelope' },
] as const satisfies ReadonlyArray<{ table: keyof Database; column: string }>;

interface MetaRow {
  kdf_json: string;
  key_check: string;
  master_key_id: string;
  wrapped_root: string;
}

/** The vault's meta row, through Kysely (either engine); read at unseal, never per request. */
async function readMeta(store: Pick<SqlStore, 'db'>): Promise<MetaRow | undefined> {
  return store.db
    .selectFrom('vault_meta')
    .select(['kdf_json', 'key_check', 'master_key_id', 'wrapped_root'])
    .where('id', '=', 1)
    .executeTakeFirst();
}

export async function vaultExists(store: Pick<SqlStore, 'db'>): Promise<boolean> {
  return (await readMeta(store)) !== undefined;
}

/** Create the vault (meta row) in a store. Throws vault_exists. */
export async function initVault(store: Pick<SqlStore, 'db'>, source: MasterKeySource): Promise<void> {
  if (await vaultExists(store)) throw new KeywardenError('vault_exists');
  const kdf = kdfFor(source);
  const master = await deriveMasterKey(source, kdf);
  const mk = `mk1-${randomBytes(6).toString('hex')}`;
  const root = randomBytes(32);
  const now = Date.now();
  try {
    await store.db
      .insertInto('vault_meta')
      .values({
        id: 1,
        kdf_json: JSON.stringify(kdf),
        key_check: keyCheck(master),
        master_key_id: mk,
        wrapped_root: wrapKey(master, mk, root),
        created_at: now,
        updated_at: now,
      })
      .execute();
  } catch (err) {
    // Another process initialised the same store in between (the primary key refused the row).
    if (await vaultExists(store)) throw new KeywardenError('vault_exists');
    throw err;
  } finally {
    master.fill(0);
    root.fill(0);
  }
}

async function checkSource(
  store: Pick<SqlStore, 'db'>,
  source: MasterKeySource,
): Promise<{ master: Buffer; meta: MetaRow }> {
  const meta = await readMeta(store);
  if (meta === undefined) throw new KeywardenError('vault_not_initialized');
  const master = await deriveMasterKey(source, JSON.parse(meta.kdf_json) as KdfParams);
  if (!safeEqual(keyCheck(master), meta.key_check)) throw new KeywardenError('wrong_master_key');
  return { master, meta };
}

/**
 * Every stored envelope, read and written back by its table's primary key, through Kysely on
 * either engine. One entry per ENVELOPE_COLUMNS row (a test keeps the two lists in step).
 */
function envelopeTables(trx: Kysely<Database>) {
  return {
    credentials: {
      read: () => trx.selectFrom('credentials').select(['id', 'envelope']).execute(),
      write: async (r: { id: string }, envelope: string) => {
        await trx.updateTable('credentials').set({ envelope }).where('id', '=', r.id).execute();
      },
    },
    client_credentials: {
      read: async () =>
        (await trx.selectFrom('client_credentials').select(['id', 'verifier_envelope']).execute()).map(
          (r) => ({ id: r.id, envelope: r.verifier_envelope }),
        ),
      write: async (r: { id: string }, envelope: string) => {
        await trx
          .updateTable('client_credentials')
          .set({ verifier_envelope: envelope })
          .where('id', '=', r.id)
          .execute();
      },
    },
    retiring_credentials: {
      read: () => trx.selectFrom('retiring_credentials').select(['key_id', 'version', 'envelope']).execute(),
      write: async (r: { key_id: string; version: number }, envelope: string) => {
        await trx
          .updateTable('retiring_credentials')
          .set({ envelope })
          .where('key_id', '=', r.key_id)
          .where('version', '=', r.version)
          .execute();
      },
    },
    sealed_settings: {
      read: () => trx.selectFrom('sealed_settings').select(['name', 'envelope']).execute(),
      write: async (r: { name: string }, envelope: string) => {
        await trx.updateTable('sealed_settings').set({ envelope }).where('name', '=', r.name).execute();
      },
    },
    operators: {
      read: async () =>
        (
          await trx
            .selectFrom('operators')
            .select(['id', 'totp_envelope'])
            .where('totp_envelope', 'is not', null)
            .execute()
        ).flatMap((r) => (r.totp_envelope === null ? [] : [{ id: r.id, envelope: r.totp_envelope }])),
      write: async (r: { id: string }, envelope: string) => {
        await trx.updateTable('operators').set({ totp_envelope: envelope }).where('id', '=', r.id).execute();
      },
    },
  } satisfies Record<(typeof ENVELOPE_COLUMNS)[number]['table'], unknown>;
}

/**
 * Re-wrap the root key and every data key under a new master key, in ONE write transaction
 * (`immediate`: BEGIN IMMEDIATE on SQLite; BEGIN and the store's advisory lock on PostgreSQL).
 * Until it commits the old master key stays the valid one; a crash or an error anywhere in it
 * rolls everything back, so no envelope is ever wrapped under a key the meta row does not name.
 * On PostgreSQL the advisory lock also makes every other writer of an envelope (key add, client
 * add and re-roll, key rotation: all `immediate`) wait for the commit, so none writes a new
 * envelope under the old key in between.
 */
export async function rotateMaster(
  store: Pick<SqlStore, 'db'>,
  oldSource: MasterKeySource,
  newSource: MasterKeySource,
): Promise<number> {
  const { master: oldMaster } = await checkSource(store, oldSource);
  const kdf = kdfFor(newSource);
  const newMaster = await deriveMasterKey(newSource, kdf);
  const mk = `mk1-${randomBytes(6).toString('hex')}`;
  try {
    return await immediate(store.db, async (trx) => {
      // Read again under the write lock: the meta row another rotation may just have replaced.
      const meta = await readMeta({ db: trx });
      if (meta === undefined) throw new KeywardenError('vault_not_initialized');
      if (!safeEqual(keyCheck(oldMaster), meta.key_check)) throw new KeywardenError('wrong_master_key');
      const rewrap = (text: string): string => {
        const env = parseEnvelope(text);
        const dk = unwrapKey(oldMaster, env.mk, env.wk);
        try {
          return JSON.stringify({ ...env, mk, wk: wrapKey(newMaster, mk, dk) } satisfies Envelope);
        } finally {
          dk.fill(0);
        }
      };
      let count = 0;
      const tables = envelopeTables(trx);
      for (const r of await tables.credentials.read()) {
        await tables.credentials.write(r, rewrap(r.envelope));
        count++;
      }
      for (const r of await tables.client_credentials.read()) {
        await tables.client_credentials.write(r, rewrap(r.envelope));
        count++;
      }
      for (const r of await tables.retiring_credentials.read()) {
        await tables.retiring_credentials.write(r, rewrap(r.envelope));
        count++;
      }
      for (const r of await tables.sealed_settings.read()) {
        await tables.sealed_settings.write(r, rewrap(r.envelope));
        count++;
      }
      for (const r of await tables.operators.read()) {
        await tables.operators.write(r, rewrap(r.envelope));
        count++;
      }
      const root = unwrapKey(oldMaster, meta.master_key_id, meta.wrapped_root);
      try {
        await trx
          .updateTable('vault_meta')
          .set({
            kdf_json: JSON.stringify(kdf),
            key_check: keyCheck(newMaster),
            master_key_id: mk,
            wrapped_root: wrapKey(newMaster, mk, root),
            updated_at: Date.now(),
          })
          .where('id', '=', 1)
          .execute();
      } finally {
        root.fill(0);
      }
      return count;
    });
  } finally {
    oldMaster.fill(0);
    newMaster.fill(0);
  }
}

function parseEnvelope(text: string): Envelope {
  try {
    const e = JSON.parse(text) as Partial<Envelope>;
    if (
      e.v === 1 &&
      typeof e.mk === 'string' &&
      typeof e.wk === 'string' &&
      typeof e.n === 'string' &&
      typeof e.ct === 'string'
    )
      return e as Envelope;
  } catch {
    // fall through
  }
  throw new KeywardenError('decrypt_failed');
}

/** A sealed Vault over the store (either engine); `unseal` loads the master key after checking it. */
export function openVault(store: Pick<SqlStore, 'db'>): Vault {
  let master: Buffer | undefined;
  let mkId = '';
  let fpKey: Buffer | undefined;
  let auditKey: Buffer | undefined;
  const need = (): Buffer => {
    if (master === undefined) throw new KeywardenError('vault_sealed');
    return master;
  };
  return {
    isSealed: () => master === undefined,
    async unseal(source) {
      const { master: m, meta } = await checkSource(store, source);
      const root = unwrapKey(m, meta.master_key_id, meta.wrapped_root);
      fpKey = Buffer.from(hkdfSync('sha256', root, Buffer.alloc(0), 'keywarden/fingerprint/v1', 32));
      auditKey = Buffer.from(hkdfSync('sha256', root, Buffer.alloc(0), 'keywarden/audit-hmac/v1', 32));
      root.fill(0);
      master = m;
      mkId = meta.master_key_id;
    },
    seal() {
      master?.fill(0);
      fpKey?.fill(0);
      auditKey?.fill(0);
      master = fpKey = auditKey = undefined;
    },
    encrypt(identity, plaintext): SealedBlob {
      const m = need();
      const dk = randomBytes(32);
      const { nonce, sealed } = gcmSeal(dk, plaintext, identityAad(identity));
      const env: Envelope = {
        v: 1,
        mk: mkId,
        wk: wrapKey(m, mkId, dk),
        n: nonce.toString('base64'),
        ct: sealed.toString('base64'),
      };
      dk.fill(0);
      return { envelope: JSON.stringify(env) };
    },
    decrypt(identity, blob) {
      const m = need();
      const env = parseEnvelope(blob.envelope);
      if (env.mk !== mkId)
        throw new KeywardenError('decrypt_failed', 'Record is wrapped under a different master key');
      const dk = unwrapKey(m, env.mk, env.wk);
      try {
        return gcmOpen(
          dk,
          Buffer.from(env.n, 'base64'),
          Buffer.from(env.ct, 'base64'),
          identityAad(identity),
        );
      } finally {
        dk.fill(0);
      }
    },
    fingerprint(value) {
      need();
      if (fpKey === undefined) throw new KeywardenError('vault_sealed');
      return createHmac('sha256', fpKey).update(value).digest('hex');
    },
    auditHmac(value) {
      need();
      if (auditKey === undefined) throw new KeywardenError('vault_sealed');
      return createHmac('sha256', auditKey).update(value).digest('hex');
    },
  };
}
