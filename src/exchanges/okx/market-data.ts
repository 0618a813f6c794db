/**
 * What the gateway reads from OKX before judging an order: the last price, a derivative's
 * contract spec and the resting order an amend changes.
 */
import type { MarketType } from '../../core/index.js';
import type {
  ContractSpec,
  ExchangeRequest,
  ExchangeResponse,
  OrderIntent,
  RestingOrder,
} from '../adapter.js';
import { parseJsonRecord } from '../json-fields.js';
import { toNumber } from '../params.js';
import { isRecord, textField } from '../strict-json.js';
import { getRequest } from '../upstream-request.js';
import { okxInstId, okxInstType, okxMarket, okxSymbol } from './okx-symbols.js';

/** The first row of a successful OKX answer (`{"code":"0","data":[{...}]}`). */
function firstRow(response: ExchangeResponse): Record<string, unknown> | undefined {
  if (response.status !== 200) return undefined;
  const parsed = parseJsonRecord(response.body);
  if (parsed?.code !== '0' || !Array.isArray(parsed.data)) return undefined;
  const first: unknown = parsed.data[0];
  return isRecord(first) ? first : undefined;
}

export function tickerRequest(symbol: string): ExchangeRequest {
  return getRequest('/api/v5/market/ticker', `instId=${encodeURIComponent(okxInstId(symbol))}`);
}

export function parseTicker(response: ExchangeResponse): number | undefined {
  const first = firstRow(response);
  return first ? toNumber(textField(first, 'last')) : undefined;
}

export function instrumentRequest(symbol: string, market: MarketType): ExchangeRequest {
  return getRequest(
    '/api/v5/public/instruments',
    `instType=${okxInstType(market)}&instId=${encodeURIComponent(okxInstId(symbol))}`,
  );
}

export function parseInstrument(response: ExchangeResponse): ContractSpec | undefined {
  const first = firstRow(response);
  if (!first) return undefined;
  const ctVal = toNumber(textField(first, 'ctVal'));
  const ctMult = toNumber(textField(first, 'ctMult')) ?? 1;
  const ctType = textField(first, 'ctType');
  if (ctVal === undefined || !(ctVal > 0) || !(ctMult > 0)) return undefined;
  if (ctType !== 'linear' && ctType !== 'inverse') return undefined;
  return { contractSize: ctVal * ctMult, inverse: ctType === 'inverse' };
}

export function restingOrderRequest(order: OrderIntent): ExchangeRequest | undefined {
  const ref = order.orderRef;
  if (!order.rawSymbol || !ref) return undefined;
  const id =
    ref.orderId !== undefined
      ? `ordId=${encodeURIComponent(ref.orderId)}`
      : ref.clientOrderId !== undefined
        ? `clOrdId=${encodeURIComponent(ref.clientOrderId)}`
        : undefined;
  if (id === undefined) return undefined;
  return getRequest('/api/v5/trade/order', `instId=${encodeURIComponent(order.rawSymbol)}&${id}`);
}

export function parseRestingOrder(response: ExchangeResponse): RestingOrder | undefined {
  const first = firstRow(response);
  if (!first) return undefined;
  const instId = textField(first, 'instId');
  const side = textField(first, 'side');
  const symbol = instId === undefined ? undefined : okxSymbol(instId);
  if (!instId || !symbol || (side !== 'buy' && side !== 'sell')) return undefined;
  const state = textField(first, 'state');
  if (state !== 'live' && state !== 'partially_filled') return undefined;
  const sz = toNumber(textField(first, 'sz'));
  const filled = toNumber(textField(first, 'accFillSz')) ?? 0;
  const px = toNumber(textField(first, 'px'));
  const resting: RestingOrder = { symbol, rawSymbol: instId, market: okxMarket(instId), side };
  if (sz !== undefined) resting.quantity = Math.max(0, sz - filled);
  if (px !== undefined && px > 0) resting.price = px;
  return resting;
}

/** The adapter's market-data members: what the gateway reads before judging an order. */
export const okxMarketData = {
  tickerRequest,
  parseTicker,
  instrumentRequest,
  parseInstrument,
  restingOrderRequest,
  parseRestingOrder,
};
