/**
 * Bitget spot symbols and public prices. Spot symbols are the pair run together (`BTCUSDT`);
 * which suffix is the quote is read from the quotes Bitget lists spot pairs in. The ticker is
 * GET /api/v2/spot/market/tickers?symbol=… whose `data[0].lastPr` is the last trade price.
 */
import type { ExchangeRequest, ExchangeResponse } from '../adapter.js';
import { parseJsonRecord } from '../json-fields.js';
import { toNumber } from '../params.js';
import { isRecord, textField } from '../strict-json.js';
import { getRequest } from '../upstream-request.js';
import { BITGET_OK } from './errors.js';

/** Longest first, so `BTCUSDT` is BTC/USDT and never BTCUSD/T. */
const QUOTES = ['USDT', 'USDC', 'USDE', 'EUR', 'BRL', 'TRY', 'BTC', 'ETH', 'BGB'];
const BASE = /^[A-Z0-9]{1,24}$/;

/** `BTCUSDT` → `BTC/USDT`; undefined when no known quote ends it. */
export function bitgetSymbol(raw: string): string | undefined {
  const quote = QUOTES.find((q) => raw.endsWith(q) && raw.length > q.length);
  if (quote === undefined) return undefined;
  const base = raw.slice(0, -quote.length);
  return BASE.test(base) ? `${base}/${quote}` : undefined;
}

/** `BTC/USDT` → `BTCUSDT`. */
export function bitgetMarketId(symbol: string): string {
  return symbol.split(':')[0]?.replace('/', '') ?? '';
}

export function tickerRequest(symbol: string): ExchangeRequest {
  return getRequest('/api/v2/spot/market/tickers', `symbol=${encodeURIComponent(bitgetMarketId(symbol))}`);
}

/** The `data` of a successful Bitget answer (`{"code":"00000","data":…}`). */
export function okData(response: ExchangeResponse): unknown {
  if (response.status !== 200) return undefined;
  const parsed = parseJsonRecord(response.body);
  return parsed?.code === BITGET_OK ? parsed.data : undefined;
}

export function parseTicker(response: ExchangeResponse): number | undefined {
  const data = okData(response);
  const first: unknown = Array.isArray(data) ? data[0] : undefined;
  if (!isRecord(first)) return undefined;
  const last = toNumber(textField(first, 'lastPr'));
  return last !== undefined && last > 0 ? last : undefined;
}
