import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, scrypt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { KeywardenError, safeEqual } from '../core/index.js';
import type { SqlStore, Store } from '../store/index.js';
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
export const ENVELOPE_COLUMNS: ReadonlyArray<{ table: string; column: string }> = [
  { table: 'credentials', column: 'envelope' },
  { table: 'client_credentials', column: 'verifier_envelope' },
  { table: 'retiring_credentials', column: 'envelope' },
  // The audit log's Ed25519 checkpoint key (src/audit/audit-open.ts).
  { table: 'sealed_settings', column: 'envelope' },
];

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

/** Re-wrap the root key and every data key under a new master key, in one SQLite transaction. */
export async function rotateMaster(
  store: Store,
  oldSource: MasterKeySource,
  newSource: MasterKeySource,
): Promise<number> {
  const { master: oldMaster, meta } = await checkSource(store, oldSource);
  const kdf = kdfFor(newSource);
  const newMaster = await deriveMasterKey(newSource, kdf);
  const mk = `mk1-${randomBytes(6).toString('hex')}`;
  const tables = new Set(
    (
      store.sqlite.prepare("SELECT name FROM sqlite_master WHERE type='table'").all() as Array<{
        name: string;
      }>
    ).map((r) => r.name),
  );
  let count = 0;
  store.sqlite.transaction(() => {
    for (const { table, column } of ENVELOPE_COLUMNS) {
      if (!tables.has(table)) continue;
      const rows = store.sqlite.prepare(`SELECT rowid AS r, ${column} AS e FROM ${table}`).all() as Array<{
        r: number;
        e: string | null;
      }>;
      const upd = store.sqlite.prepare(`UPDATE ${table} SET ${column} = ? WHERE rowid = ?`);
      for (const row of rows) {
        if (row.e === null) continue;
        const env = parseEnvelope(row.e);
        const dk = unwrapKey(oldMaster, env.mk, env.wk);
        upd.run(JSON.stringify({ ...env, mk, wk: wrapKey(newMaster, mk, dk) } satisfies Envelope), row.r);
        dk.fill(0);
        count++;
      }
    }
    const root = unwrapKey(oldMaster, meta.master_key_id, meta.wrapped_root);
    store.sqlite
      .prepare(
        'UPDATE vault_meta SET kdf_json = ?, key_check = ?, master_key_id = ?, wrapped_root = ?, updated_at = ? WHERE id = 1',
      )
      .run(JSON.stringify(kdf), keyCheck(newMaster), mk, wrapKey(newMaster, mk, root), Date.now());
    root.fill(0);
  })();
  oldMaster.fill(0);
  newMaster.fill(0);
  return count;
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
