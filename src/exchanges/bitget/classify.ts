/**
 * Bitget v2 spot classification: the endpoint's action and, for every order, the intent read
 * by Bitget's own rules for its order type from the strictly parsed body (schemas.ts). A request
 * that does not fit its endpoint's schema sets `rejected` and is never forwarded. Only spot is
 * understood: futures (`/api/v2/mix/`), margin and everything else private is `unknown`.
 */
import type { Action } from '../../core/index.js';
import type { Classification, OrderIntent } from '../adapter.js';
import { classifyJsonEndpoint, classifyRead, type JsonEndpoint, schemaEndpoint } from '../json-endpoint.js';
import { orderIntentOf } from '../order-intent.js';
import type { Params } from '../params.js';
import { num } from '../request-schema.js';
import { withdrawalIntent } from '../withdrawal-intent.js';
import { bitgetSymbol } from './market-data.js';
import {
  batchCancel,
  batchOrders,
  cancelOrder,
  cancelSymbol,
  type PlaceOrder,
  placeOrder,
  READ_PARAMS,
  transfer,
  withdrawal,
} from './schemas.js';

const READS = new Set([
  '/api/v2/spot/account/info',
  '/api/v2/spot/account/assets',
  '/api/v2/spot/account/bills',
  '/api/v2/spot/account/transferRecords',
  '/api/v2/spot/trade/unfilled-orders',
  '/api/v2/spot/trade/orderInfo',
  '/api/v2/spot/trade/history-orders',
  '/api/v2/spot/trade/fills',
  '/api/v2/spot/trade/current-plan-order',
  '/api/v2/spot/trade/history-plan-order',
  '/api/v2/spot/wallet/withdrawal-records',
  '/api/v2/spot/wallet/deposit-records',
  '/api/v2/spot/wallet/deposit-address',
]);

/** An order's own fields; its symbol is passed on its own (batch items may leave it out). */
type OrderFieldsOf<T> = T extends unknown ? Omit<T, 'symbol'> : never;

type Step = { ok: true; intent: OrderIntent } | { ok: false; message: string };

/** The symbol an order names, understood, or a refusal (an order for a pair keywarden cannot name is not judged). */
function onSymbol(raw: string, at: string): { ok: true; symbol: string } | { ok: false; message: string } {
  const symbol = bitgetSymbol(raw);
  return symbol ? { ok: true, symbol } : { ok: false, message: `${at}: symbol "${raw}" is not understood` };
}

/**
 * One spot order. Bitget's `size` is in base units, except on a market buy, where it is the quote
 * amount to spend (Place-Order: "For Market-Buy orders, it represents the number of quote coins").
 */
function readOrder(o: OrderFieldsOf<PlaceOrder>, raw: string, at: string): Step {
  const named = onSymbol(raw, at);
  if (!named.ok) return named;
  const market = o.orderType === 'market';
  return {
    ok: true,
    intent: orderIntentOf({
      symbol: named.symbol,
      rawSymbol: raw,
      market: 'spot',
      side: o.side,
      type: o.orderType,
      pricing: market ? 'market' : 'limit',
      price: o.orderType === 'limit' ? num(o.price) : undefined,
      priceField: 'price',
      size: num(o.size),
      sizeInQuote: market && o.side === 'buy',
    }),
  };
}

/** A cancel names its symbol (for the audit record and the symbol rules); it is not priced. */
function cancelIntent(raw: string, at: string): Step {
  const named = onSymbol(raw, at);
  if (!named.ok) return named;
  return {
    ok: true,
    intent: orderIntentOf({ symbol: named.symbol, rawSymbol: raw, market: 'spot', sizeInQuote: false }),
  };
}

const exactlyOneId = (o: { orderId?: string | undefined; clientOid?: string | undefined }) =>
  (o.orderId === undefined) !== (o.clientOid === undefined);

function push(c: Classification, step: Step): string | undefined {
  if (!step.ok) return step.message;
  c.orders.push(step.intent);
  return undefined;
}

const ENDPOINTS: Record<string, JsonEndpoint> = {
  'POST /api/v2/spot/trade/place-order': schemaEndpoint('trade', placeOrder, (o, c) =>
    push(c, readOrder(o, o.symbol, 'order')),
  ),
  'POST /api/v2/spot/trade/batch-orders': schemaEndpoint('trade', batchOrders, (b, c) => {
    for (const [i, o] of b.orderList.entries()) {
      const at = `orderList[${i}]`;
      // Bitget reads an item's own symbol over the request's: both are judged, so they must agree.
      if (o.symbol !== undefined && o.symbol !== b.symbol) return `${at}: symbol differs from the request's`;
      const problem = push(c, readOrder(o, b.symbol, at));
      if (problem) return problem;
    }
    return undefined;
  }),
  'POST /api/v2/spot/trade/cancel-order': schemaEndpoint('cancel', cancelOrder, (o, c) => {
    if (!exactlyOneId(o)) return 'body: exactly one of orderId and clientOid names the order';
    return push(c, cancelIntent(o.symbol, 'body'));
  }),
  'POST /api/v2/spot/trade/batch-cancel-order': schemaEndpoint('cancel', batchCancel, (b, c) => {
    for (const [i, o] of b.orderList.entries()) {
      const at = `orderList[${i}]`;
      if (!exactlyOneId(o)) return `${at}: exactly one of orderId and clientOid names the order`;
      if (o.symbol !== undefined && o.symbol !== b.symbol) return `${at}: symbol differs from the request's`;
    }
    return push(c, cancelIntent(b.symbol, 'body'));
  }),
  'POST /api/v2/spot/trade/cancel-symbol-order': schemaEndpoint('cancel', cancelSymbol, (o, c) =>
    push(c, cancelIntent(o.symbol, 'body')),
  ),
  'POST /api/v2/spot/wallet/withdrawal': schemaEndpoint('withdraw', withdrawal, (o, c) => {
    if (o.transferType === 'on_chain' && o.innerToType !== undefined)
      return 'body: field "innerToType" is only for internal transfers';
    c.withdrawal = withdrawalIntent({
      coin: o.coin,
      amount: num(o.size),
      address: o.address,
      network: o.chain,
      tag: o.tag,
    });
    return undefined;
  }),
  'POST /api/v2/spot/wallet/transfer': schemaEndpoint('transfer', transfer, (o, c) => {
    if (o.fromType === o.toType) return 'body: fromType and toType are the same account';
    const isolated = o.fromType === 'isolated_margin' || o.toType === 'isolated_margin';
    if (isolated !== (o.symbol !== undefined))
      return 'body: field "symbol" goes with an isolated-margin transfer, and only there';
    c.withdrawal = withdrawalIntent({ coin: o.coin, amount: num(o.amount) });
    return undefined;
  }),
};

/** Public market data needs no key; everything else private that is not listed is unknown. */
function publicOrUnknown(method: string, path: string): Action {
  if (method !== 'GET') return 'unknown';
  if (
    path.startsWith('/api/v2/spot/market/') ||
    path.startsWith('/api/v2/spot/public/') ||
    path.startsWith('/api/v2/mix/market/') ||
    path.startsWith('/api/v2/public/') ||
    path === '/api/v2/margin/currencies'
  )
    return 'public';
  return 'unknown';
}

/** Classify a parsed Bitget request: `query` its parsed query, `body` its parsed JSON body (undefined when empty). */
export function bitgetClassify(method: string, path: string, query: Params, body: unknown): Classification {
  const name = `${method} ${path}`;
  const known = ENDPOINTS[name];
  if (known) {
    return classifyJsonEndpoint(name, known, query, body);
  }
  if (method === 'GET' && READS.has(path)) return classifyRead(name, query, READ_PARAMS);
  return { action: publicOrUnknown(method, path), endpoint: name, orders: [] };
}
