/**
 * Every SQL statement of the operators domain, through Kysely on `store.db` only (no raw SQLite
 * handle, no dialect-specific SQL), so the tables work on PostgreSQL unchanged.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.js';

export type OperatorRow = Database['operators'];
export type TokenRow = Database['api_tokens'];
export type SessionRow = Database['operator_sessions'];
export type FailureRow = Database['login_failures'];

export function createOperatorsStore(db: Kysely<Database>) {
  return {
    db,
    operatorByName: (name: string) =>
      db.selectFrom('operators').selectAll().where('name', '=', name).executeTakeFirst(),
    operatorById: (id: string) =>
      db.selectFrom('operators').selectAll().where('id', '=', id).executeTakeFirst(),
    operators: () => db.selectFrom('operators').selectAll().orderBy('created_at').orderBy('name').execute(),
    insertOperator: (row: OperatorRow) => db.insertInto('operators').values(row).execute(),
    updateOperator: (id: string, set: Partial<OperatorRow>) =>
      db.updateTable('operators').set(set).where('id', '=', id).execute(),
    /**
     * Move `totp_last_step` forward only if it is still what was read: two logins racing with the
     * same code cannot both win (the second update matches no row).
     */
    async claimTotpStep(id: string, previous: number | null, step: number): Promise<boolean> {
      const q = db.updateTable('operators').set({ totp_last_step: step }).where('id', '=', id);
      const r = await (previous === null
        ? q.where('totp_last_step', 'is', null)
        : q.where('totp_last_step', '=', previous)
      ).executeTakeFirst();
      return r.numUpdatedRows === 1n;
    },
    replaceRecoveryCodes: async (operatorId: string, hashes: string[]) => {
      await db.deleteFrom('operator_recovery_codes').where('operator_id', '=', operatorId).execute();
      if (hashes.length > 0)
        await db
          .insertInto('operator_recovery_codes')
          .values(hashes.map((code_hash) => ({ code_hash, operator_id: operatorId, used_at: null })))
          .execute();
    },
    /** Mark one unused code used; true when it existed and was unused. */
    async useRecoveryCode(operatorId: string, hash: string, at: number): Promise<boolean> {
      const r = await db
        .updateTable('operator_recovery_codes')
        .set({ used_at: at })
        .where('operator_id', '=', operatorId)
        .where('code_hash', '=', hash)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      return r.numUpdatedRows === 1n;
    },
    insertSession: (row: SessionRow) => db.insertInto('operator_sessions').values(row).execute(),
    session: (idHash: string) =>
      db.selectFrom('operator_sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst(),
    touchSession: (idHash: string, at: number) =>
      db.updateTable('operator_sessions').set({ last_seen_at: at }).where('id_hash', '=', idHash).execute(),
    deleteSession: (idHash: string) =>
      db.deleteFrom('operator_sessions').where('id_hash', '=', idHash).execute(),
    deleteSessionsOf: (operatorId: string) =>
      db.deleteFrom('operator_sessions').where('operator_id', '=', operatorId).execute(),
    insertToken: (row: TokenRow) => db.insertInto('api_tokens').values(row).execute(),
    tokenByHash: (hash: string) =>
      db.selectFrom('api_tokens').selectAll().where('token_hash', '=', hash).executeTakeFirst(),
    tokens: () => db.selectFrom('api_tokens').selectAll().orderBy('created_at').execute(),
    updateToken: (id: string, set: Partial<TokenRow>) =>
      db.updateTable('api_tokens').set(set).where('id', '=', id).execute(),
    failure: (subject: string) =>
      db.selectFrom('login_failures').selectAll().where('subject', '=', subject).executeTakeFirst(),
    putFailure: (row: FailureRow) =>
      db
        .insertInto('login_failures')
        .values(row)
        .onConflict((oc) =>
          oc
            .column('subject')
            .doUpdateSet({ count: row.count, last_at: row.last_at, blocked_until: row.blocked_until }),
        )
        .execute(),
    clearFailure: (subject: string) =>
      db.deleteFrom('login_failures').where('subject', '=', subject).execute(),
  };
}

export type OperatorsStore = ReturnType<typeof createOperatorsStore>;
