/**
 * Cancel every open spot order in one call: DELETE /api/v1/orders?tradeType=TRADE answers the
 * ids it cancelled (`data.cancelledOrderIds`). Anything else is a refusal of the whole call.
 */
import type { CancelAllResult, Credential, SignContext, Transport } from '../adapter.js';
import { stringList } from '../json-fields.js';
import { isRecord } from '../strict-json.js';
import { upstreamRequest } from '../upstream-request.js';
import { kucoinData, kucoinReason } from './answers.js';
import type { KucoinSign } from './sign.js';

export async function kucoinCancelAll(
  sign: KucoinSign,
  credential: Credential,
  send: Transport,
  ctx: SignContext,
): Promise<CancelAllResult> {
  const request = sign(upstreamRequest('DELETE', '/api/v1/orders', 'tradeType=TRADE'), credential, ctx);
  const response = await send(request);
  const data = kucoinData(response);
  if (!isRecord(data)) {
    return {
      cancelled: 0,
      failed: [{ ref: '*', reason: `DELETE /api/v1/orders: ${kucoinReason(response)}` }],
    };
  }
  return { cancelled: stringList(data.cancelledOrderIds).length, failed: [] };
}
