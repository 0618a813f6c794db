/**
 * Coinbase has no cancel-everything call: list OPEN orders
 * (GET /api/v3/brokerage/orders/historical/batch?order_status=OPEN) and cancel them with
 * POST /api/v3/brokerage/orders/batch_cancel (`order_ids`, up to 100); list again until none is left.
 */
import type { CancelAllResult, Credential, SignContext, Transport } from '../adapter.js';
import { cancelByListing } from '../cancel-listed.js';
import { parseJsonRecord, refusalLine } from '../json-fields.js';
import { isRecord } from '../strict-json.js';
import { upstreamRequest } from '../upstream-request.js';
import { signCoinbase } from './auth.js';
import { V3 } from './classify.js';

/** Coinbase's batch_cancel takes at most 100 order ids per call. */
const COINBASE_CANCEL_BATCH = 100;
/** Bounds the list-then-cancel loop (each round lists one page of OPEN orders and cancels it). */
const COINBASE_CANCEL_ROUNDS = 50;

/** `HTTP 401 UNAUTHENTICATED …`: a Coinbase refusal in one line (gRPC-gateway or v3 error shape). */
function coinbaseReason(status: number, body: Record<string, unknown> | undefined): string {
  return refusalLine(status, body, 'error', 'message');
}

export async function cancelAllOrders(
  credential: Credential,
  send: Transport,
  ctx: SignContext,
): Promise<CancelAllResult> {
  const call = (method: string, path: string, query: string, body: string) =>
    send(signCoinbase(upstreamRequest(method, path, query, body), credential, ctx));
  return cancelByListing<string>({
    rounds: COINBASE_CANCEL_ROUNDS,
    batchSize: COINBASE_CANCEL_BATCH,
    async list() {
      const listed = await call('GET', `${V3}/orders/historical/batch`, 'order_status=OPEN', '');
      const page = parseJsonRecord(listed.body);
      if (listed.status !== 200 || !Array.isArray(page?.orders)) {
        return {
          ok: false,
          reason: `GET ${V3}/orders/historical/batch: ${coinbaseReason(listed.status, page)}`,
        };
      }
      const ids: string[] = [];
      for (const o of page.orders) {
        const id = isRecord(o) ? o.order_id : undefined;
        const status = isRecord(o) ? o.status : undefined;
        if (typeof id === 'string' && (status === undefined || status === 'OPEN')) ids.push(id);
      }
      return { ok: true, open: ids };
    },
    idOf: (id) => id,
    async cancel(batch) {
      const r = await call('POST', `${V3}/orders/batch_cancel`, '', JSON.stringify({ order_ids: batch }));
      const answer = parseJsonRecord(r.body);
      const rows = Array.isArray(answer?.results) ? answer.results.filter(isRecord) : [];
      if (r.status !== 200 || rows.length === 0)
        return { ok: false, reason: coinbaseReason(r.status, answer) };
      return {
        ok: true,
        rows: rows.map((row) => ({
          id: typeof row.order_id === 'string' ? row.order_id : undefined,
          cancelled: row.success === true,
          reason: typeof row.failure_reason === 'string' ? row.failure_reason : 'refused',
        })),
      };
    },
  });
}
