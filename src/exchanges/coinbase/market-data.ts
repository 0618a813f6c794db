/** The last price the gateway reads from Coinbase (the resting-order reader is in classify.ts). */
import type { ExchangeRequest, ExchangeResponse } from '../adapter.js';
import { parseJsonRecord } from '../json-fields.js';
import { toNumber } from '../params.js';
import { getRequest } from '../upstream-request.js';
import { toProductId, V3 } from './classify.js';

export function tickerRequest(symbol: string): ExchangeRequest {
  return getRequest(`${V3}/market/products/${toProductId(symbol)}`);
}

export function parseTicker(response: ExchangeResponse): number | undefined {
  if (response.status !== 200) return undefined;
  const price = toNumber(parseJsonRecord(response.body)?.price);
  return price !== undefined && price > 0 ? price : undefined;
}
