/**
 * The client nonce ledger on PostgreSQL (drop-in Kraken clients), shared by every gateway
 * instance: a nonce is accepted only when it is above every nonce the same client key used
 * before, at any instance, so a client alternating between instances (or a captured request
 * replayed to another one) cannot reuse an old nonce. The same conditional upsert as on SQLite
 * (src/store/client-nonces.ts), through Kysely: the row lock PostgreSQL takes on conflict makes
 * two concurrent uses of one nonce accept exactly one. Nonces cross as text, so none rounds.
 */
import { type Kysely, sql } from 'kysely';
import { KeywardenError } from '../core/index.js';
import type { Database } from './schema.js';

/** The asynchronous ledger several processes share (the synchronous NonceLedger's counterpart). */
export interface SharedNonceLedger {
  /** Atomically accept `nonce` for `apiKey` if it is greater than every earlier one; `store_unavailable` when the store does not answer. */
  accept(apiKey: string, nonce: bigint): Promise<boolean>;
}

export function createPgClientNonceLedger(db: Kysely<Database>): SharedNonceLedger {
  return {
    async accept(apiKey, nonce) {
      const value = sql<bigint>`${nonce.toString()}::bigint`;
      try {
        const row = await db
          .insertInto('client_nonces')
          .values({ api_key: apiKey, last: value })
          .onConflict((oc) =>
            oc
              .column('api_key')
              .doUpdateSet({ last: (eb) => eb.ref('excluded.last') })
              .whereRef('client_nonces.last', '<', 'excluded.last'),
          )
          .returning(sql<number>`1`.as('one'))
          .executeTakeFirst();
        return row !== undefined;
      } catch {
        throw new KeywardenError('store_unavailable');
      }
    },
  };
}
