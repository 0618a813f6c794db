/**
 * KuCoin spot classification: the endpoint's action, and for every order the intent read by
 * KuCoin's own rules for its order type from the strictly parsed body (schemas.ts). A request
 * that does not fit its endpoint's schema sets `rejected` and is never forwarded.
 */
import type { z } from 'zod';
import type { Action } from '../../core/index.js';
import type { Classification, OrderIntent } from '../adapter.js';
import {
  classifyJsonEndpoint,
  classifyRead,
  type JsonEndpoint,
  queryProblem,
  schemaEndpoint,
} from '../json-endpoint.js';
import { orderIntentOf } from '../order-intent.js';
import { getParam, type Params } from '../params.js';
import { checkSchema, num } from '../request-schema.js';
import { withdrawalIntent } from '../withdrawal-intent.js';
import {
  CANCEL_ALL_PARAMS,
  clientOid,
  innerTransfer,
  orderId,
  type PlaceOrder,
  placeOrder,
  READ_PARAMS,
  symbol as symbolSchema,
  universalTransfer,
  withdrawalV1,
  withdrawalV3,
} from './schemas.js';
import { kucoinSymbol } from './symbols.js';

/** Reads that take no path id (GET). */
const READS = new Set([
  '/api/v1/accounts',
  '/api/v1/accounts/ledgers',
  '/api/v1/orders',
  '/api/v1/limit/orders',
  '/api/v1/fills',
  '/api/v1/limit/fills',
  '/api/v1/user/api-key',
  '/api/v2/user-info',
  '/api/v1/withdrawals',
  '/api/v1/withdrawals/quotas',
  '/api/v1/deposits',
  '/api/v1/deposit-addresses',
  '/api/v2/deposit-addresses',
  '/api/v3/deposit-addresses',
  '/api/v1/base-fee',
  '/api/v1/trade-fees',
  // CCXT's loadMarkets asks which symbols are marginable (a listing; it borrows nothing).
  '/api/v3/margin/symbols',
  '/api/v1/isolated/symbols',
  // CCXT asks whether the account trades on KuCoin's high-frequency account before its first order.
  '/api/v1/hf/accounts/opened',
  // CCXT asks whether the account is unified before its first private call.
  '/api/ua/v1/account/mode',
]);

/** `DELETE|GET /api/v1/orders/{id}` and `/api/v1/order/client-order/{clientOid}`. */
const BY_ORDER_ID = /^\/api\/v1\/orders\/([^/]+)$/;
const BY_CLIENT_OID = /^\/api\/v1\/order\/client-order\/([^/]+)$/;
const WITHDRAWAL_BY_ID = /^\/api\/v1\/withdrawals\/([^/]+)$/;
const ACCOUNT_BY_ID = /^\/api\/v1\/accounts\/([A-Za-z0-9]{1,40})$/;

/** The order a checked body places, or why it is refused (a combination KuCoin itself rejects). */
function readPlace(o: PlaceOrder): OrderIntent | string {
  const order = { symbol: kucoinSymbol(o.symbol), rawSymbol: o.symbol, side: o.side };
  if (o.type === 'limit') {
    if (o.cancelAfter !== undefined && o.timeInForce !== 'GTT')
      return 'order: field "cancelAfter" needs timeInForce GTT';
    if (o.postOnly === true && (o.timeInForce === 'IOC' || o.timeInForce === 'FOK'))
      return 'order: postOnly is invalid with timeInForce IOC or FOK';
    if (o.visibleSize !== undefined && o.iceberg !== true)
      return 'order: field "visibleSize" is only for iceberg orders';
    const [price, size] = [num(o.price), num(o.size)];
    return orderIntentOf({ ...order, type: 'limit', pricing: 'limit', price, size, sizeInQuote: false });
  }
  // A market order is sized by exactly one of size (base) and funds (quote).
  if ((o.size === undefined) === (o.funds === undefined))
    return 'order: a market order takes exactly one of "size" and "funds"';
  const size = num(o.size ?? o.funds);
  return orderIntentOf({
    ...order,
    type: 'market',
    pricing: 'market',
    size,
    sizeInQuote: o.funds !== undefined,
  });
}

type WithdrawalBody = {
  currency: string;
  amount: string;
  chain?: string | undefined;
  memo?: string | undefined;
};

/** A withdrawal endpoint: its checked body names the coin, amount, network, tag and (per version) the address. */
function withdrawalEndpoint<T extends WithdrawalBody>(schema: z.ZodType<T>, addressOf: (o: T) => string) {
  return schemaEndpoint('withdraw', schema, (o, c) => {
    c.withdrawal = withdrawalIntent({
      coin: o.currency,
      amount: num(o.amount),
      address: addressOf(o),
      network: o.chain,
      tag: o.memo,
    });
    return undefined;
  });
}

const BODY_ENDPOINTS: Record<string, JsonEndpoint> = {
  'POST /api/v1/orders': {
    action: 'trade',
    check(body, c) {
      const checked = checkSchema(placeOrder, body, 'order');
      if (!checked.ok) return checked.message;
      const read = readPlace(checked.value);
      if (typeof read === 'string') return read;
      c.orders.push(read);
      return undefined;
    },
  },
  // v3 names the destination `toAddress`, v1 `address`; both are the same withdrawal otherwise.
  'POST /api/v3/withdrawals': withdrawalEndpoint(withdrawalV3, (o) => o.toAddress),
  'POST /api/v1/withdrawals': withdrawalEndpoint(withdrawalV1, (o) => o.address),
  'POST /api/v3/accounts/universal-transfer': schemaEndpoint('transfer', universalTransfer, (o, c) => {
    c.withdrawal = withdrawalIntent({ coin: o.currency, amount: num(o.amount) });
    return undefined;
  }),
  'POST /api/v2/accounts/inner-transfer': schemaEndpoint('transfer', innerTransfer, (o, c) => {
    c.withdrawal = withdrawalIntent({ coin: o.currency, amount: num(o.amount) });
    return undefined;
  }),
};

/** An id taken from the path, checked like a body field would be. */
function idProblem(schema: z.ZodType<string>, id: string, what: string): string | undefined {
  return schema.safeParse(id).success ? undefined : `${what} in the path: not a KuCoin id`;
}

function pathId(method: string, path: string, query: Params, hasBody: boolean): Classification | undefined {
  const rules: Array<[RegExp, string, z.ZodType<string>, string]> = [
    [BY_ORDER_ID, '/api/v1/orders/{id}', orderId, 'order id'],
    [BY_CLIENT_OID, '/api/v1/order/client-order/{id}', clientOid, 'clientOid'],
    [WITHDRAWAL_BY_ID, '/api/v1/withdrawals/{id}', orderId, 'withdrawal id'],
    [ACCOUNT_BY_ID, '/api/v1/accounts/{id}', orderId, 'account id'],
  ];
  for (const [re, name, schema, what] of rules) {
    const m = re.exec(path);
    if (!m) continue;
    const endpoint = `${method} ${name}`;
    const withdrawal = name.startsWith('/api/v1/withdrawals');
    let action: Action;
    if (method === 'GET' && !withdrawal) action = 'read';
    else if (method === 'DELETE' && name !== '/api/v1/accounts/{id}')
      // Cancelling a withdrawal needs KuCoin's withdrawal permission: gated with withdrawals.
      action = withdrawal ? 'withdraw' : 'cancel';
    else return { action: 'unknown', endpoint, orders: [] };
    const c: Classification = { action, endpoint, orders: [] };
    const problem =
      // Matched as sent: an encoded id (`%2F`) is not one KuCoin would read the same way.
      idProblem(schema, m[1] ?? '', what) ??
      (hasBody ? 'the request must not have a body' : undefined) ??
      (query.length > 0 ? 'query parameters are not accepted on this endpoint' : undefined);
    if (problem !== undefined) c.rejected = problem;
    return c;
  }
  return undefined;
}

function cancelAll(query: Params, hasBody: boolean): Classification {
  const c: Classification = { action: 'cancel', endpoint: 'DELETE /api/v1/orders', orders: [] };
  const problem =
    (hasBody ? 'the request must not have a body' : undefined) ?? queryProblem(query, CANCEL_ALL_PARAMS);
  if (problem !== undefined) {
    c.rejected = problem;
    return c;
  }
  const tradeType = getParam(query, 'tradeType');
  if (tradeType !== undefined && tradeType !== 'TRADE') {
    c.rejected = 'query parameter "tradeType": only TRADE (spot) is accepted';
    return c;
  }
  const raw = getParam(query, 'symbol');
  if (raw !== undefined) {
    if (!symbolSchema.safeParse(raw).success) {
      c.rejected = 'query parameter "symbol": expected a KuCoin symbol such as BTC-USDT';
      return c;
    }
    c.orders.push(orderIntentOf({ symbol: kucoinSymbol(raw), rawSymbol: raw, sizeInQuote: false }));
  }
  return c;
}

const PUBLIC_EXACT = new Set([
  '/api/v1/symbols',
  '/api/v2/symbols',
  '/api/v1/currencies',
  '/api/v3/currencies',
  '/api/v1/timestamp',
  '/api/v1/status',
  '/api/v1/prices',
  '/api/v1/markets',
]);

function otherAction(method: string, path: string): Action {
  if (method === 'GET') {
    if (path.startsWith('/api/v1/market/') || PUBLIC_EXACT.has(path)) return 'public';
    if (/^\/api\/v[123]\/(symbols|currencies)\/[A-Za-z0-9-]{1,41}$/.test(path)) return 'public';
  }
  // Borrowing, repaying, margin orders and their reads.
  if (/^\/api\/v[13]\/(hf\/)?(margin|isolated)\//.test(path)) return 'margin';
  // Sub-accounts, API keys, brokers: never what a trading bot needs.
  if (/^\/api\/v[123]\/(sub|sub-accounts|sub-accounts\/|broker|user)(\/|$)/.test(path))
    return 'account-admin';
  return 'unknown';
}

/**
 * Classify a parsed KuCoin request. `query` are its parsed query parameters and `body` its
 * parsed JSON body (undefined when empty).
 */
export function kucoinClassify(method: string, path: string, query: Params, body: unknown): Classification {
  const endpoint = `${method} ${path}`;
  const known = BODY_ENDPOINTS[endpoint];
  if (known) {
    return classifyJsonEndpoint(endpoint, known, query, body);
  }
  const hasBody = body !== undefined;
  if (method === 'DELETE' && path === '/api/v1/orders') return cancelAll(query, hasBody);
  // Before the path ids: /api/v1/accounts/ledgers is a read, not account `ledgers`.
  if (method === 'GET' && READS.has(path)) return classifyRead(endpoint, query, READ_PARAMS);
  const byId = pathId(method, path, query, hasBody);
  if (byId) return byId;
  return { action: otherAction(method, path), endpoint, orders: [] };
}
