/**
 * Cancel-everything for exchanges without such a call: list open orders, cancel them in batches,
 * list again until nothing cancellable is left. Orders the exchange refused to cancel are not
 * tried again, so the loop ends even when some order cannot be cancelled.
 */
import type { CancelAllResult } from './adapter.js';

/** One order of a batch as the exchange answered it. */
export interface CancelRow {
  id: string | undefined;
  cancelled: boolean;
  /** Why it was not cancelled (ignored when it was). */
  reason: string;
}

export interface ListedCancelPlan<T> {
  /** Bounds the list-then-cancel loop. */
  rounds: number;
  /** The most orders one cancel call takes. */
  batchSize: number;
  /** One page of open orders, or why listing failed (recorded against `*`). */
  list(): Promise<{ ok: true; open: T[] } | { ok: false; reason: string }>;
  idOf(order: T): string;
  /** Per-order rows, or (no rows: the whole call was refused) why, recorded against every order of the batch. */
  cancel(batch: T[]): Promise<{ ok: true; rows: CancelRow[] } | { ok: false; reason: string }>;
}

export async function cancelByListing<T>(plan: ListedCancelPlan<T>): Promise<CancelAllResult> {
  const result: CancelAllResult = { cancelled: 0, failed: [] };
  const refused = new Set<string>();
  for (let round = 0; round < plan.rounds; round++) {
    const listed = await plan.list();
    if (!listed.ok) {
      result.failed.push({ ref: '*', reason: listed.reason });
      break;
    }
    const open = listed.open.filter((o) => !refused.has(plan.idOf(o)));
    if (open.length === 0) break;
    for (let i = 0; i < open.length; i += plan.batchSize) {
      const batch = open.slice(i, i + plan.batchSize);
      const answer = await plan.cancel(batch);
      if (!answer.ok) {
        for (const o of batch) {
          refused.add(plan.idOf(o));
          result.failed.push({ ref: plan.idOf(o), reason: answer.reason });
        }
        continue;
      }
      for (const row of answer.rows) {
        if (row.cancelled) {
          result.cancelled++;
          continue;
        }
        if (row.id !== undefined) refused.add(row.id);
        result.failed.push({ ref: row.id || '?', reason: row.reason.slice(0, 200) });
      }
    }
  }
  return result;
}
