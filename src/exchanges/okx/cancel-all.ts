/**
 * OKX has no cancel-everything call: list pending orders (GET /api/v5/trade/orders-pending, one
 * page of up to 100, every instrument type) and cancel them in batches of 20 with
 * POST /api/v5/trade/cancel-batch-orders; list again until nothing cancellable is left.
 */
import type { CancelAllResult, Credential, SignContext, Transport } from '../adapter.js';
import { cancelByListing } from '../cancel-listed.js';
import { parseJsonRecord, refusalLine } from '../json-fields.js';
import { isRecord, textField } from '../strict-json.js';
import { upstreamRequest } from '../upstream-request.js';
import { signOkx } from './auth.js';

/** Largest `cancel-batch-orders` call OKX accepts (20 orders). */
const OKX_CANCEL_BATCH = 20;
/** Bounds the list-then-cancel loop: each round lists one page (up to 100 orders) and cancels it. */
const OKX_CANCEL_ROUNDS = 50;

/** `HTTP 200 50113 Invalid Sign`: an OKX refusal in one line. */
function okxReason(status: number, parsed: Record<string, unknown> | undefined): string {
  return refusalLine(status, parsed, 'code', 'msg');
}

export async function cancelAllOrders(
  credential: Credential,
  send: Transport,
  ctx: SignContext,
): Promise<CancelAllResult> {
  const call = (method: string, path: string, body: string) =>
    send(signOkx(upstreamRequest(method, path, '', body), credential, ctx));
  return cancelByListing<{ instId: string; ordId: string }>({
    rounds: OKX_CANCEL_ROUNDS,
    batchSize: OKX_CANCEL_BATCH,
    async list() {
      const listed = await call('GET', '/api/v5/trade/orders-pending', '');
      const page = parseJsonRecord(listed.body);
      if (listed.status !== 200 || page?.code !== '0' || !Array.isArray(page.data)) {
        return { ok: false, reason: `GET /api/v5/trade/orders-pending: ${okxReason(listed.status, page)}` };
      }
      const open: Array<{ instId: string; ordId: string }> = [];
      for (const o of page.data) {
        if (!isRecord(o)) continue;
        const instId = textField(o, 'instId');
        const ordId = textField(o, 'ordId');
        if (instId && ordId) open.push({ instId, ordId });
      }
      return { ok: true, open };
    },
    idOf: (o) => o.ordId,
    async cancel(batch) {
      const r = await call('POST', '/api/v5/trade/cancel-batch-orders', JSON.stringify(batch));
      const answer = parseJsonRecord(r.body);
      const rows = Array.isArray(answer?.data) ? answer.data.filter(isRecord) : [];
      // No per-order rows: the whole call was refused (code 1, auth, rate limit).
      if (r.status !== 200 || rows.length === 0) return { ok: false, reason: okxReason(r.status, answer) };
      return {
        ok: true,
        rows: rows.map((row) => ({
          id: textField(row, 'ordId'),
          cancelled: textField(row, 'sCode') === '0',
          reason: `${textField(row, 'sCode') ?? '?'} ${textField(row, 'sMsg') ?? ''}`.trim(),
        })),
      };
    },
  });
}
