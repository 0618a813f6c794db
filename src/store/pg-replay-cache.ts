/**
 * The replay cache on PostgreSQL, shared by every gateway instance: a signed client request is
 * accepted once per freshness window whichever instance it reaches. One conditional upsert per
 * signed request: it inserts the key, or takes over a row whose window has ended, and returns a
 * row only then; a concurrent second use of the same key finds the row and is refused. Expired
 * rows are swept every `sweepEvery` accepts. The in-memory cache stays in front (a replay to
 * the same instance is refused without a round trip).
 */
import { type Kysely, sql } from 'kysely';
import { KeywardenError } from '../core/index.js';
import type { Database } from './schema.js';

export interface SharedReplayCache {
  accept(clientId: string, key: string, windowMs: number): Promise<boolean>;
}

export function createPgReplayCache(
  db: Kysely<Database>,
  now: () => number = Date.now,
  sweepEvery = 1_000,
): SharedReplayCache {
  let accepted = 0;
  return {
    async accept(clientId, key, windowMs) {
      const t = now();
      let row: { one: number } | undefined;
      try {
        row = await db
          .insertInto('replay_keys')
          .values({ client_id: clientId, replay_key: key, expires_at: t + windowMs })
          .onConflict((oc) =>
            oc
              .columns(['client_id', 'replay_key'])
              .doUpdateSet({ expires_at: t + windowMs })
              .where('replay_keys.expires_at', '<=', t),
          )
          .returning(sql<number>`1`.as('one'))
          .executeTakeFirst();
      } catch {
        throw new KeywardenError('store_unavailable');
      }
      if (++accepted % sweepEvery === 0)
        void db
          .deleteFrom('replay_keys')
          .where('expires_at', '<=', t)
          .execute()
          .catch(() => undefined);
      return row !== undefined;
    },
  };
}
