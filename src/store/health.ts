/**
 * Is the store answering? One `SELECT 1` through Kysely (either engine), bounded by a timeout:
 * a PostgreSQL server that stopped answering (not refusing) would otherwise hang readiness for
 * the TCP timeout. Readiness (/readyz) and the gateway's fail-closed check read this.
 */
import { sql } from 'kysely';
import type { SqlStore } from './db.js';

export async function pingStore(store: Pick<SqlStore, 'db'>, timeoutMs = 1_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const ping = sql<{ one: number }>`SELECT 1 AS one`
    .execute(store.db)
    .then((r) => Number(r.rows[0]?.one) === 1)
    .catch(() => false);
  try {
    return await Promise.race([ping, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
