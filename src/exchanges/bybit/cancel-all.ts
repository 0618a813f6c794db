/**
 * Bybit cancels every open spot order in one call: POST /v5/order/cancel-all with
 * `{"category":"spot"}` (no symbol = all spot symbols; ordinary orders, Bybit's default filter).
 * The answer lists the cancelled orders and says `success: "1"`.
 */
import type { CancelAllResult, Credential, SignContext, Transport } from '../adapter.js';
import { parseJson, refusalLine } from '../json-fields.js';
import { isRecord, textField } from '../strict-json.js';
import { upstreamRequest } from '../upstream-request.js';
import { signBybit } from './auth.js';

export async function cancelAllOrders(
  credential: Credential,
  send: Transport,
  ctx: SignContext,
): Promise<CancelAllResult> {
  const response = await send(
    signBybit(
      upstreamRequest('POST', '/v5/order/cancel-all', '', JSON.stringify({ category: 'spot' })),
      credential,
      ctx,
    ),
  );
  const parsed = parseJson(response.body);
  const result = isRecord(parsed) && isRecord(parsed.result) ? parsed.result : undefined;
  if (!isRecord(parsed) || parsed.retCode !== 0 || !result || !Array.isArray(result.list)) {
    const reason = `POST /v5/order/cancel-all: ${refusalLine(response.status, parsed, 'retCode', 'retMsg')}`;
    return { cancelled: 0, failed: [{ ref: '*', reason }] };
  }
  if (textField(result, 'success') === '0')
    return { cancelled: 0, failed: [{ ref: '*', reason: 'POST /v5/order/cancel-all: success "0"' }] };
  return { cancelled: result.list.length, failed: [] };
}
