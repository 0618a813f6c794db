/** Public prices: GET /api/v1/market/orderbook/level1?symbol=BTC-USDT answers `data.price` (the last trade). */
import type { ExchangeRequest, ExchangeResponse } from '../adapter.js';
import { toNumber } from '../params.js';
import { isRecord, textField } from '../strict-json.js';
import { getRequest } from '../upstream-request.js';
import { kucoinData } from './answers.js';
import { kucoinMarketId } from './symbols.js';

export function kucoinTickerRequest(symbol: string): ExchangeRequest {
  return getRequest(
    '/api/v1/market/orderbook/level1',
    `symbol=${encodeURIComponent(kucoinMarketId(symbol))}`,
  );
}

export function kucoinParseTicker(response: ExchangeResponse): number | undefined {
  const data = kucoinData(response);
  if (!isRecord(data)) return undefined;
  const price = toNumber(textField(data, 'price'));
  return price !== undefined && price > 0 ? price : undefined;
}
