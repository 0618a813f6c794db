/** What the gateway reads from Kraken before judging an order: the last price and the resting order an amend changes. */
import type { ExchangeRequest, ExchangeResponse, OrderIntent, RestingOrder } from '../adapter.js';
import { parseJsonRecord } from '../json-fields.js';
import { toNumber } from '../params.js';
import { isRecord } from '../strict-json.js';
import { getRequest, upstreamRequest } from '../upstream-request.js';
import { krakenPairId, krakenSymbol } from './symbols.js';

function post(path: string, body: string): ExchangeRequest {
  return upstreamRequest('POST', path, '', body);
}

export function tickerRequest(symbol: string): ExchangeRequest {
  return getRequest('/0/public/Ticker', `pair=${encodeURIComponent(krakenPairId(symbol))}`);
}

export function parseTicker(response: ExchangeResponse): number | undefined {
  if (response.status !== 200) return undefined;
  const parsed = parseJsonRecord(response.body);
  const result = parsed?.result;
  if (typeof result !== 'object' || result === null) return undefined;
  const first = Object.values(result as Record<string, unknown>)[0];
  const c = typeof first === 'object' && first !== null ? (first as Record<string, unknown>).c : undefined;
  return Array.isArray(c) ? toNumber(c[0]) : undefined;
}

export function restingOrderRequest(order: OrderIntent): ExchangeRequest | undefined {
  const ref = order.orderRef;
  // QueryOrders reads an order by txid; one named by its client id is looked up among the open ones.
  if (ref?.orderId !== undefined)
    return post('/0/private/QueryOrders', `txid=${encodeURIComponent(ref.orderId)}`);
  if (ref?.clientOrderId !== undefined)
    return post('/0/private/OpenOrders', `cl_ord_id=${encodeURIComponent(ref.clientOrderId)}`);
  return undefined;
}

/**
 * The one order a QueryOrders (`{result: {txid: order}}`) or OpenOrders (`{result: {open: {...}}}`)
 * answer describes: its pair, side, remaining volume and limit price (price2 for the *-limit
 * trigger types). Anything else (no order, several, a closed one) reads as undefined.
 */
export function parseRestingOrder(response: ExchangeResponse): RestingOrder | undefined {
  if (response.status !== 200) return undefined;
  const parsed = parseJsonRecord(response.body);
  if (!parsed || (Array.isArray(parsed.error) && parsed.error.length > 0)) return undefined;
  let result = parsed.result;
  if (isRecord(result) && isRecord(result.open)) result = result.open;
  if (!isRecord(result)) return undefined;
  const all = Object.values(result);
  const o = all[0];
  if (all.length !== 1 || !isRecord(o) || !isRecord(o.descr) || o.status !== 'open') return undefined;
  const d = o.descr;
  const pair = typeof d.pair === 'string' ? d.pair : undefined;
  const symbol = pair === undefined ? undefined : krakenSymbol(pair);
  const side = d.type === 'buy' || d.type === 'sell' ? d.type : undefined;
  const vol = toNumber(o.vol);
  if (!symbol || !side || vol === undefined) return undefined;
  const type = typeof d.ordertype === 'string' ? d.ordertype : '';
  const limit = type.endsWith('-limit')
    ? toNumber(d.price2)
    : type === 'limit'
      ? toNumber(d.price)
      : undefined;
  const out: RestingOrder = {
    symbol,
    rawSymbol: pair,
    side,
    quantity: Math.max(0, vol - (toNumber(o.vol_exec) ?? 0)),
  };
  if (limit !== undefined && limit > 0) out.price = limit;
  return out;
}
