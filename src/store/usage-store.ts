/**
 * The durable side of the policy usage tracker (src/policy/usage.ts): daily amounts per client,
 * one synchronous upsert per change on the raw better-sqlite3 handle, so the gateway's
 * evaluate-and-reserve step stays free of awaits.
 */
import type SQLite from 'better-sqlite3';
import type { UsagePersistence } from '../core/index.js';

export function createUsageStore(sqlite: SQLite.Database): UsagePersistence {
  const load = sqlite.prepare<[number], { client_id: string; item: string; amount: number }>(
    'SELECT client_id, item, amount FROM policy_usage WHERE day = ?',
  );
  const add = sqlite.prepare<[string, number, string, number]>(
    `INSERT INTO policy_usage (client_id, day, item, amount) VALUES (?, ?, ?, ?)
     ON CONFLICT (client_id, day, item) DO UPDATE SET amount = amount + excluded.amount`,
  );
  const prune = sqlite.prepare<[number]>('DELETE FROM policy_usage WHERE day < ?');
  return {
    load(day) {
      // Older days can never matter again: drop them when a new day is first read.
      prune.run(day - 1);
      return load.all(day).map((r) => ({ clientId: r.client_id, item: r.item, amount: r.amount }));
    },
    add(clientId, day, item, delta) {
      add.run(clientId, day, item, delta);
    },
  };
}
