/**
 * Policy usage on PostgreSQL, shared by every gateway instance (src/policy/shared-usage.ts
 * uses it): daily amounts as on SQLite (`policy_usage`, one row per client, day and item), and
 * the orders of the sliding 60 s window as rows of their own (`orders@<ms>`, the count as the
 * amount), so every instance counts every instance's orders.
 *
 * `hold` opens a transaction and takes the client's advisory lock before it reads: the read,
 * the policy's evaluation on it and the reservation's write are one step for every instance,
 * so concurrent requests through different instances cannot both pass under a cap.
 */
import { type Kysely, sql } from 'kysely';
import type { SharedUsage, UsageHold } from '../core/index.js';
import type { Database } from './schema.js';

/** Namespace of the per-client usage locks ("kw" + "us"). */
export const USAGE_LOCK_SPACE = 0x6b77_7573;
const ORDERS = 'orders@';
/** Order rows keep 13-digit ms, so text order is time order (until the year 2286). */
const orderItem = (at: number) => `${ORDERS}${String(Math.floor(at)).padStart(13, '0')}`;

type Trx = Kysely<Database>;

async function upsert(db: Trx, clientId: string, day: number, item: string, delta: number): Promise<void> {
  await db
    .insertInto('policy_usage')
    .values({ client_id: clientId, day, item, amount: delta })
    .onConflict((oc) =>
      oc
        .columns(['client_id', 'day', 'item'])
        .doUpdateSet({ amount: sql`policy_usage.amount + excluded.amount` }),
    )
    .execute();
}

export function createPgUsageStore(db: Kysely<Database>): SharedUsage {
  return {
    hold(clientId, day, since) {
      return new Promise<UsageHold>((resolveHold, rejectHold) => {
        let settle!: (write: boolean) => void;
        const decided = new Promise<boolean>((resolve) => {
          settle = resolve;
        });
        const queued: Array<{ day: number; item: string; delta: number }> = [];
        const done = db
          .transaction()
          .execute(async (trx) => {
            await sql`SELECT pg_advisory_xact_lock(${USAGE_LOCK_SPACE}, hashtext(${clientId}))`.execute(trx);
            // Older days can never matter again, nor orders out of the window.
            await trx
              .deleteFrom('policy_usage')
              .where('client_id', '=', clientId)
              .where((eb) =>
                eb.or([
                  eb('day', '<', day - 1),
                  eb.and([eb('item', 'like', `${ORDERS}%`), eb('item', '<=', orderItem(since))]),
                ]),
              )
              .execute();
            const rows = await trx
              .selectFrom('policy_usage')
              .select(['day', 'item', 'amount'])
              .where('client_id', '=', clientId)
              .where('day', '>=', day - 1)
              .execute();
            const amounts: UsageHold['amounts'] = [];
            const orderTimes: number[] = [];
            for (const r of rows) {
              if (r.item.startsWith(ORDERS)) {
                const at = Number(r.item.slice(ORDERS.length));
                for (let i = 0; i < Math.round(r.amount); i++) orderTimes.push(at);
              } else if (r.day === day) amounts.push({ item: r.item, amount: r.amount });
            }
            orderTimes.sort((a, b) => a - b);
            resolveHold({
              amounts,
              orderTimes,
              add: (d, item, delta) => {
                queued.push({ day: d, item, delta });
              },
              addOrders: (at, count) => {
                queued.push({ day: Math.floor(at / 86_400_000), item: orderItem(at), delta: count });
              },
              commit: async () => {
                settle(true);
                await done;
              },
              abort: async () => {
                settle(false);
                await done.catch(() => undefined);
              },
            });
            if (!(await decided)) throw ABORT;
            for (const q of queued) await upsert(trx, clientId, q.day, q.item, q.delta);
          })
          .catch((err: unknown) => {
            if (err === ABORT) return;
            rejectHold(err);
            throw err;
          });
        // Before the hold resolved, a failure rejects the hold; after, `commit` rethrows it.
        done.catch(() => undefined);
      });
    },
    async add(clientId, day, item, delta) {
      await upsert(db, clientId, day, item, delta);
    },
    async addOrders(clientId, at, count) {
      await upsert(db, clientId, Math.floor(at / 86_400_000), orderItem(at), count);
    },
  };
}

const ABORT = new Error('usage hold aborted');
