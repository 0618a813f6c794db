/**
 * `rotateMaster` on SQLite and on PostgreSQL, through the same Kysely code: every envelope
 * column (ENVELOPE_COLUMNS) is re-wrapped under the new master key in one transaction; when the
 * rotation fails part-way (here: an envelope it cannot unwrap, found after others were already
 * re-wrapped) nothing is left changed, and the old master key still opens every record.
 */
import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import type { SqlStore } from '../../src/store/index.js';
import { ENVELOPE_COLUMNS, initVault, openVault, rotateMaster } from '../../src/vault/vault.js';
import { describeStores } from '../store/both-stores.js';
import { client, credential, T0 } from '../store/rows.js';

const keySource = () => ({ kind: 'key' as const, base64: randomBytes(32).toString('base64') });
type Source = ReturnType<typeof keySource>;
const ids = {
  cred: { id: 'k1', version: 1, exchange: 'binance', label: 'main' },
  verifier: { id: 'x1', version: 1, exchange: '-', label: 'verifier' },
  retiring: { id: 'k1', version: 0, exchange: 'binance', label: 'main' },
  setting: { id: 'setting:s1', version: 1, exchange: '-', label: 's1' },
  totp: { id: 'operator:op1', version: 1, exchange: '-', label: 'totp' },
};

/** One envelope in each ENVELOPE_COLUMNS table, sealed under `source`. */
async function seed(s: SqlStore, source: Source): Promise<void> {
  await initVault(s, source);
  const vault = openVault(s);
  await vault.unseal(source);
  const seal = (id: (typeof ids)[keyof typeof ids], text: string) =>
    vault.encrypt(id, Buffer.from(text)).envelope;
  await s.db
    .insertInto('credentials')
    .values({
      id: 'k1',
      label: 'main',
      exchange: 'binance',
      environment: 'prod',
      owner: null,
      notes: null,
      fingerprint: 'fp',
      last4: 'abcd',
      version: 1,
      status: 'active',
      envelope: seal(ids.cred, 'cred-secret'),
      created_at: T0,
      rotated_at: null,
      retired_at: null,
    })
    .execute();
  await s.db.insertInto('clients').values(client('c1', 'bot')).execute();
  await s.db
    .insertInto('client_credentials')
    .values({ ...credential('x1', 'c1'), verifier_envelope: seal(ids.verifier, 'verifier-secret') })
    .execute();
  await s.db
    .insertInto('retiring_credentials')
    .values({
      key_id: 'k1',
      version: 0,
      exchange: 'binance',
      label: 'main',
      envelope: seal(ids.retiring, 'old-secret'),
      last4: 'wxyz',
      grace_until: T0 + 1,
      created_at: T0,
    })
    .execute();
  await s.db
    .insertInto('sealed_settings')
    .values({ name: 's1', envelope: seal(ids.setting, 'setting-secret'), created_at: T0 })
    .execute();
  // An enrolled operator (TOTP secret sealed) and one not enrolled yet (null: left alone).
  const operator = (id: string, totp: string | null) => ({
    id,
    name: id,
    role: 'admin',
    status: 'active',
    password_hash: null,
    totp_envelope: totp,
    totp_last_step: null,
    mfa_enrolled_at: null,
    enrol_code_hash: null,
    enrol_expires_at: null,
    created_by: 'local',
    created_at: T0,
    updated_at: T0,
  });
  await s.db
    .insertInto('operators')
    .values([operator('op1', seal(ids.totp, 'totp-secret')), operator('op2', null)])
    .execute();
  vault.seal();
}

/** Every seeded secret, opened with `source` (throws when one does not open). */
async function readAll(s: SqlStore, source: Source): Promise<string[]> {
  const vault = openVault(s);
  await vault.unseal(source);
  const open = (id: (typeof ids)[keyof typeof ids], envelope: string) =>
    vault.decrypt(id, { envelope }).toString();
  const c = await s.db.selectFrom('credentials').select('envelope').executeTakeFirstOrThrow();
  const v = await s.db.selectFrom('client_credentials').select('verifier_envelope').executeTakeFirstOrThrow();
  const r = await s.db.selectFrom('retiring_credentials').select('envelope').executeTakeFirstOrThrow();
  const st = await s.db
    .selectFrom('sealed_settings')
    .select('envelope')
    .where('name', '=', 's1')
    .executeTakeFirstOrThrow();
  const op = await s.db
    .selectFrom('operators')
    .select('totp_envelope')
    .where('id', '=', 'op1')
    .executeTakeFirstOrThrow();
  const out = [
    open(ids.cred, c.envelope),
    open(ids.verifier, v.verifier_envelope),
    open(ids.retiring, r.envelope),
    open(ids.setting, st.envelope),
    open(ids.totp, op.totp_envelope ?? ''),
  ];
  vault.seal();
  return out;
}

const SECRETS = ['cred-secret', 'verifier-secret', 'old-secret', 'setting-secret', 'totp-secret'];

describeStores(
  'vault rotate-master on either engine',
  (f) => {
    it('re-wraps every envelope column; the new key opens everything, the old one nothing', async () => {
      const s = await f.open();
      const oldKey = keySource();
      const newKey = keySource();
      await seed(s, oldKey);
      expect(ENVELOPE_COLUMNS.map((c) => c.table)).toEqual([
        'credentials',
        'client_credentials',
        'retiring_credentials',
        'sealed_settings',
        'operators',
      ]);
      expect(await rotateMaster(s, oldKey, newKey)).toBe(5);
      // The operator not enrolled yet keeps no envelope.
      expect(
        (
          await s.db
            .selectFrom('operators')
            .select('totp_envelope')
            .where('id', '=', 'op2')
            .executeTakeFirst()
        )?.totp_envelope,
      ).toBeNull();
      expect(await readAll(s, newKey)).toEqual(SECRETS);
      await expect(readAll(s, oldKey)).rejects.toMatchObject({ code: 'wrong_master_key' });
      // A second process's store (another pool) sees the committed rotation.
      expect(await readAll(await f.reopen(s), newKey)).toEqual(SECRETS);
    });

    it('a rotation that fails part-way changes nothing: the old key stays the valid one', async () => {
      const s = await f.open();
      const oldKey = keySource();
      await seed(s, oldKey);
      // The last table holds an envelope under another key: found after the first three tables
      // were re-wrapped inside the transaction.
      const stranger = keySource();
      const other = await f.open();
      await initVault(other, stranger);
      const v = openVault(other);
      await v.unseal(stranger);
      await s.db
        .insertInto('sealed_settings')
        .values({ name: 's2', envelope: v.encrypt(ids.setting, Buffer.from('x')).envelope, created_at: T0 })
        .execute();
      const before = await s.db.selectFrom('credentials').select('envelope').executeTakeFirstOrThrow();
      const meta = await s.db.selectFrom('vault_meta').selectAll().executeTakeFirstOrThrow();
      await expect(rotateMaster(s, oldKey, keySource())).rejects.toMatchObject({ code: 'decrypt_failed' });
      expect(await s.db.selectFrom('credentials').select('envelope').executeTakeFirstOrThrow()).toEqual(
        before,
      );
      expect(await s.db.selectFrom('vault_meta').selectAll().executeTakeFirstOrThrow()).toEqual(meta);
      expect(await readAll(s, oldKey)).toEqual(SECRETS);
    });

    it('refuses a wrong current key before touching anything', async () => {
      const s = await f.open();
      const oldKey = keySource();
      await seed(s, oldKey);
      await expect(rotateMaster(s, keySource(), keySource())).rejects.toMatchObject({
        code: 'wrong_master_key',
      });
      expect(await readAll(s, oldKey)).toEqual(SECRETS);
    });
  },
  { databasePrefix: 'kw_pgadmin_vault' },
);
