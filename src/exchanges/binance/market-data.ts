/** What the gateway reads from Binance before judging an order: the last price and the resting order an amend changes. */
import type { ExchangeRequest, ExchangeResponse, OrderIntent, RestingOrder } from '../adapter.js';
import { parseJsonRecord } from '../json-fields.js';
import { encodeParams, type Params, toNumber } from '../params.js';
import { getRequest } from '../upstream-request.js';
import { binanceMarketId, binanceSymbol } from './symbols.js';

export function tickerRequest(symbol: string): ExchangeRequest {
  return getRequest('/api/v3/ticker/price', `symbol=${encodeURIComponent(binanceMarketId(symbol))}`);
}

export function parseTicker(response: ExchangeResponse): number | undefined {
  if (response.status !== 200) return undefined;
  return toNumber(parseJsonRecord(response.body)?.price);
}

export function restingOrderRequest(order: OrderIntent): ExchangeRequest | undefined {
  const raw = order.rawSymbol;
  const ref = order.orderRef;
  if (raw === undefined || !ref) return undefined;
  const params: Params = [['symbol', raw]];
  if (ref.orderId !== undefined) params.push(['orderId', ref.orderId]);
  else if (ref.clientOrderId !== undefined) params.push(['origClientOrderId', ref.clientOrderId]);
  else return undefined;
  return getRequest('/api/v3/order', encodeParams(params));
}

export function parseRestingOrder(response: ExchangeResponse): RestingOrder | undefined {
  if (response.status !== 200) return undefined;
  const o = parseJsonRecord(response.body);
  if (!o || typeof o.symbol !== 'string') return undefined;
  if (o.status !== 'NEW' && o.status !== 'PARTIALLY_FILLED') return undefined;
  const symbol = binanceSymbol(o.symbol);
  const side = o.side === 'BUY' ? 'buy' : o.side === 'SELL' ? 'sell' : undefined;
  const orig = toNumber(o.origQty);
  const executed = toNumber(o.executedQty) ?? 0;
  if (!symbol || !side || orig === undefined) return undefined;
  const price = toNumber(o.price);
  return {
    symbol,
    rawSymbol: o.symbol,
    market: 'spot',
    side,
    quantity: Math.max(0, orig - executed),
    ...(price !== undefined && price > 0 ? { price } : {}),
  };
}
