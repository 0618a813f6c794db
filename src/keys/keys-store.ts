/**
 * Every SQL statement of the keys domain: the registry's `credentials` rows, the envelopes a
 * rotation keeps in `retiring_credentials` through its grace period (read here, written by
 * src/rotation), and the verification history in `key_checks`.
 */

import type { Kysely } from 'kysely';
import { KeywardenError } from '../core/index.js';
import type { Introspection } from '../exchanges/index.js';
import type { CredentialsTable, RetiringCredentialsTable } from '../store/index.js';
import { type Database, immediate, type Store } from '../store/index.js';
import type { KeyCheck, KeyCheckFlag, KeyCheckStore } from './key-types.js';

export interface KeysStore {
  /** By id or label. */
  byRef(ref: string): Promise<CredentialsTable | undefined>;
  list(includeRetired: boolean): Promise<CredentialsTable[]>;
  /** Insert unless the label (or id) is taken, in one write transaction. */
  insert(row: CredentialsTable): Promise<void>;
  retire(id: string, at: number): Promise<void>;
  /** The previous envelope of a key version still in its grace period at `now`. */
  retiring(keyId: string, version: number, now: number): Promise<RetiringCredentialsTable | undefined>;
}

export function createKeysStore(db: Kysely<Database>): KeysStore {
  const byRefQuery = (trx: Kysely<Database>, ref: string) =>
    trx
      .selectFrom('credentials')
      .selectAll()
      .where((eb) => eb.or([eb('id', '=', ref), eb('label', '=', ref)]));
  return {
    byRef: (ref) => byRefQuery(db, ref).executeTakeFirst(),
    async list(includeRetired) {
      let q = db.selectFrom('credentials').selectAll().orderBy('created_at').orderBy('label');
      if (!includeRetired) q = q.where('status', '=', 'active');
      return q.execute();
    },
    insert: (row) =>
      immediate(db, async (trx) => {
        if ((await byRefQuery(trx, row.label).executeTakeFirst()) !== undefined)
          throw new KeywardenError('duplicate', `A key labelled "${row.label}" already exists`);
        await trx.insertInto('credentials').values(row).execute();
      }),
    async retire(id, at) {
      await db
        .updateTable('credentials')
        .set({ status: 'retired', retired_at: at })
        .where('id', '=', id)
        .execute();
    },
    retiring: (keyId, version, now) =>
      db
        .selectFrom('retiring_credentials')
        .selectAll()
        .where('key_id', '=', keyId)
        .where('version', '=', version)
        .where('grace_until', '>', now)
        .executeTakeFirst(),
  };
}

/** The verification history (`key_checks`): one row per check, the newest per key is the highest id. */
export function createKeyCheckStore(store: Pick<Store, 'db'>): KeyCheckStore {
  return {
    async record(check) {
      await store.db
        .insertInto('key_checks')
        .values({
          key_id: check.keyId,
          key_version: check.keyVersion,
          checked_at: check.checkedAt,
          introspection_json: JSON.stringify(check.introspection),
          flags_json: JSON.stringify(check.flags),
        })
        .execute();
    },
    async latest() {
      const rows = await store.db
        .selectFrom('key_checks')
        .selectAll()
        .where('id', 'in', (eb) =>
          eb
            .selectFrom('key_checks')
            .select((e) => e.fn.max('id').as('id'))
            .groupBy('key_id'),
        )
        .execute();
      const out = new Map<string, KeyCheck>();
      for (const r of rows)
        out.set(r.key_id, {
          keyId: r.key_id,
          keyVersion: r.key_version,
          checkedAt: Number(r.checked_at),
          introspection: JSON.parse(r.introspection_json) as Introspection,
          flags: JSON.parse(r.flags_json) as KeyCheckFlag[],
        });
      return out;
    },
  };
}
