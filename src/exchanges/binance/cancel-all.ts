/**
 * Binance has no account-wide cancel: list every open order (GET /api/v3/openOrders without a
 * symbol, weight 80, one call) and send DELETE /api/v3/openOrders once per symbol found.
 */
import type { CancelAllResult, Credential, ExchangeResponse, SignContext, Transport } from '../adapter.js';
import { parseJson, refusalLine } from '../json-fields.js';
import { isRecord } from '../strict-json.js';
import { upstreamRequest } from '../upstream-request.js';
import { signBinance } from './auth.js';

/** `HTTP 400 -2011 Unknown order sent.`: a Binance refusal in one line (its `{code,msg}` shape). */
function binanceReason(response: ExchangeResponse): string {
  return refusalLine(response.status, parseJson(response.body), 'code', 'msg');
}

export async function cancelAllOrders(
  credential: Credential,
  send: Transport,
  ctx: SignContext,
): Promise<CancelAllResult> {
  const signed = (method: string, query: string) =>
    signBinance(upstreamRequest(method, '/api/v3/openOrders', query), credential, ctx);
  const listed = await send(signed('GET', ''));
  const open = parseJson(listed.body);
  if (listed.status !== 200 || !Array.isArray(open))
    return {
      cancelled: 0,
      failed: [{ ref: '*', reason: `GET /api/v3/openOrders: ${binanceReason(listed)}` }],
    };
  const symbols = new Set<string>();
  for (const o of open) {
    const symbol = isRecord(o) ? o.symbol : undefined;
    if (typeof symbol === 'string') symbols.add(symbol);
  }
  const result: CancelAllResult = { cancelled: 0, failed: [] };
  for (const symbol of symbols) {
    const r = await send(signed('DELETE', `symbol=${encodeURIComponent(symbol)}`));
    const cancelled = parseJson(r.body);
    if (r.status !== 200 || !Array.isArray(cancelled)) {
      result.failed.push({ ref: symbol, reason: binanceReason(r) });
      continue;
    }
    // An entry is one cancelled order, or an order list (OCO) whose legs are in `orderReports`.
    for (const entry of cancelled) {
      const legs = isRecord(entry) ? entry.orderReports : undefined;
      result.cancelled += Array.isArray(legs) ? legs.length : 1;
    }
  }
  return result;
}
