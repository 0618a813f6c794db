/** Reading KuCoin's answers: success is HTTP 200 with `{"code":"200000","data":...}`. */
import type { ExchangeResponse } from '../adapter.js';
import { parseJsonRecord, refusalLine } from '../json-fields.js';

export const KUCOIN_OK = '200000';

/** The `data` of a successful answer, or undefined. */
export function kucoinData(response: ExchangeResponse): unknown {
  if (response.status !== 200) return undefined;
  const parsed = parseJsonRecord(response.body);
  return parsed?.code === KUCOIN_OK ? parsed.data : undefined;
}

/** `HTTP 401 400005 Invalid KC-API-SIGN.`: a KuCoin refusal in one line. */
export function kucoinReason(response: ExchangeResponse): string {
  return refusalLine(response.status, parseJsonRecord(response.body), 'code', 'msg');
}
