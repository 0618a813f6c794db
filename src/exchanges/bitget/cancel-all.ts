/**
 * Cancel every open spot order (lockdown --cancel-orders). Bitget v2 spot has no account-wide
 * cancel: list GET /api/v2/spot/trade/unfilled-orders (every symbol, up to 100 a page), then
 * POST /api/v2/spot/trade/batch-cancel-order per symbol with up to 50 orders, whose answer names
 * each order in `successList` or `failureList`; list again until nothing cancellable is left.
 * (cancel-symbol-order would cancel a whole symbol but answers no count.)
 */
import type { CancelAllResult, Credential, ExchangeRequest, SignContext, Transport } from '../adapter.js';
import { type CancelRow, cancelByListing } from '../cancel-listed.js';
import { parseJsonRecord, refusalLine } from '../json-fields.js';
import { isRecord, textField } from '../strict-json.js';
import { upstreamRequest } from '../upstream-request.js';
import { BITGET_OK } from './errors.js';

const BATCH = 50;
const ROUNDS = 50;

type Sign = (request: ExchangeRequest, credential: Credential, ctx: SignContext) => ExchangeRequest;

interface Open {
  symbol: string;
  orderId: string;
}

export async function bitgetCancelAll(
  credential: Credential,
  send: Transport,
  ctx: SignContext,
  sign: Sign,
): Promise<CancelAllResult> {
  const call = (method: string, path: string, query: string, body: string) =>
    send(sign(upstreamRequest(method, path, query, body), credential, ctx));

  async function cancelSymbol(symbol: string, orders: Open[]): Promise<CancelRow[]> {
    const body = JSON.stringify({ symbol, orderList: orders.map((o) => ({ orderId: o.orderId })) });
    const r = await call('POST', '/api/v2/spot/trade/batch-cancel-order', '', body);
    const answer = parseJsonRecord(r.body);
    const data = answer?.data;
    if (r.status !== 200 || answer?.code !== BITGET_OK || !isRecord(data)) {
      const reason = refusalLine(r.status, answer, 'code', 'msg');
      return orders.map((o) => ({ id: o.orderId, cancelled: false, reason }));
    }
    const rows = (list: unknown, cancelled: boolean): CancelRow[] =>
      (Array.isArray(list) ? list.filter(isRecord) : []).map((row) => ({
        id: textField(row, 'orderId'),
        cancelled,
        reason:
          `${textField(row, 'errorCode') ?? ''} ${textField(row, 'errorMsg') ?? ''}`.trim() || 'refused',
      }));
    return [...rows(data.successList, true), ...rows(data.failureList, false)];
  }

  return cancelByListing<Open>({
    rounds: ROUNDS,
    batchSize: BATCH,
    async list() {
      const listed = await call('GET', '/api/v2/spot/trade/unfilled-orders', 'limit=100', '');
      const page = parseJsonRecord(listed.body);
      if (listed.status !== 200 || page?.code !== BITGET_OK || !Array.isArray(page.data)) {
        const reason = refusalLine(listed.status, page, 'code', 'msg');
        return { ok: false, reason: `GET /api/v2/spot/trade/unfilled-orders: ${reason}` };
      }
      const open: Open[] = [];
      for (const o of page.data) {
        if (!isRecord(o)) continue;
        const symbol = textField(o, 'symbol');
        const orderId = textField(o, 'orderId');
        if (symbol && orderId) open.push({ symbol, orderId });
      }
      // Grouped by symbol, so a batch of 50 mostly holds one symbol's orders.
      open.sort((a, b) => a.symbol.localeCompare(b.symbol));
      return { ok: true, open };
    },
    idOf: (o) => o.orderId,
    async cancel(batch) {
      const bySymbol = new Map<string, Open[]>();
      for (const o of batch) bySymbol.set(o.symbol, [...(bySymbol.get(o.symbol) ?? []), o]);
      const rows: CancelRow[] = [];
      for (const [symbol, orders] of bySymbol) rows.push(...(await cancelSymbol(symbol, orders)));
      return { ok: true, rows };
    },
  });
}
