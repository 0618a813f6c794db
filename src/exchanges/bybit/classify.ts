/**
 * Bybit v5 classification: the action of each endpoint, and for every endpoint that places,
 * changes or cancels orders, moves funds or changes margin, the strict schema its body must
 * fit (./schemas.ts). A request that does not fit is `rejected` and never forwarded; what the
 * policy sees is read from the parsed value, which is the body forwarded byte for byte.
 */
import type { z } from 'zod';
import { type Action, type AdapterInput, isParsedRequest, wireOf } from '../../core/index.js';
import type { Classification, OrderIntent } from '../adapter.js';
import { parseParams } from '../params.js';
import { checkSchema, num, paramsObject } from '../request-schema.js';
import { isRecord, parseStrictJson } from '../strict-json.js';
import { withdrawalIntent } from '../withdrawal-intent.js';
import { type Read, readAmend, readCancel, readOrder } from './orders.js';
import * as s from './schemas.js';
import { type BybitCategory, bybitInstrument } from './symbols.js';

const EXACT: Record<string, Action> = {
  'GET /v5/account/wallet-balance': 'read',
  'GET /v5/account/info': 'read',
  'GET /v5/account/fee-rate': 'read',
  'GET /v5/asset/transfer/query-account-coins-balance': 'read',
  'GET /v5/asset/transfer/query-account-coin-balance': 'read',
  'GET /v5/asset/coin/query-info': 'read',
  'GET /v5/asset/withdraw/query-record': 'read',
  'GET /v5/asset/deposit/query-record': 'read',
  'GET /v5/asset/deposit/query-address': 'read',
  'GET /v5/order/realtime': 'read',
  'GET /v5/order/history': 'read',
  'GET /v5/execution/list': 'read',
  'GET /v5/position/list': 'read',
  'GET /v5/user/query-api': 'read',
  'POST /v5/order/create': 'trade',
  'POST /v5/order/amend': 'trade',
  'POST /v5/order/create-batch': 'trade',
  'POST /v5/order/amend-batch': 'trade',
  'POST /v5/order/cancel': 'cancel',
  'POST /v5/order/cancel-all': 'cancel',
  'POST /v5/order/cancel-batch': 'cancel',
  'POST /v5/asset/withdraw/create': 'withdraw',
  'POST /v5/asset/withdraw/cancel': 'withdraw',
  'POST /v5/asset/transfer/inter-transfer': 'transfer',
  'POST /v5/asset/transfer/universal-transfer': 'transfer',
  'POST /v5/position/set-leverage': 'margin',
  'POST /v5/account/set-margin-mode': 'margin',
  'POST /v5/spot-margin-trade/switch-mode': 'margin',
  'POST /v5/spot-margin-trade/set-leverage': 'margin',
  'POST /v5/account/upgrade-to-uta': 'account-admin',
};

function actionFor(method: string, path: string): Action {
  const exact = EXACT[`${method} ${path}`];
  if (exact) return exact;
  if (method === 'GET' && (path.startsWith('/v5/market/') || path.startsWith('/v5/announcements/')))
    return 'public';
  // Sub-member and API-key management (create-sub-api, update-api, delete-api, ...).
  if (method === 'POST' && path.startsWith('/v5/user/')) return 'account-admin';
  return 'unknown';
}

/** What Bybit's parse carries through the gateway's stages: the JSON object body (`{}` when empty). */
export type BybitBody = Record<string, unknown>;

/** The body of an adapter input: the one its parse carries, or parsed now from a wire request (undefined: not a JSON object). */
export function bodyOf(input: AdapterInput<BybitBody>): BybitBody | undefined {
  if (isParsedRequest(input)) return input.params;
  if (input.body === '') return {};
  const parsed = parseStrictJson(input.body);
  return parsed.ok && isRecord(parsed.value) ? parsed.value : undefined;
}

type Handler = (body: unknown, c: Classification) => string | undefined;

/** Parse `body` with `schema`, then hand the value on; a refusal names the endpoint and field. */
function using<T>(schema: z.ZodType<T>, then: (value: T, c: Classification) => string | undefined): Handler {
  return (body, c) => {
    const r = checkSchema(schema, body, c.endpoint);
    return r.ok ? then(r.value, c) : r.message;
  };
}

/** Read each item; the first refusal names its batch index. */
function readAll<T>(items: T[], read: (item: T) => Read, c: Classification, batch: boolean) {
  for (const [i, item] of items.entries()) {
    const r = read(item);
    if (!r.ok) return `${c.endpoint}: ${batch ? `request.${i}: ` : ''}${r.message}`;
    c.orders.push(r.intent);
  }
  return undefined;
}

/** Every item of a batch read in the batch's category (Bybit's limit: 10 spot orders, 20 others). */
function readBatch<T>(
  b: { category: BybitCategory; request: T[] },
  read: (item: T, category: BybitCategory) => Read,
  c: Classification,
): string | undefined {
  if (b.category === 'spot' && b.request.length > s.MAX_SPOT_BATCH)
    return `${c.endpoint}: at most ${s.MAX_SPOT_BATCH} spot orders per batch`;
  return readAll(b.request, (x) => read(x, b.category), c, true);
}

/** A spot order with `isLeverage: 1` borrows: the request is a margin request. */
function leveraged(items: Array<{ isLeverage?: 0 | 1 | '0' | '1' | undefined }>, c: Classification): void {
  if (items.some((o) => String(o.isLeverage) === '1')) c.action = 'margin';
}

const HANDLERS: Record<string, Handler> = {
  'POST /v5/order/create': using(s.createOrder, (o, c) => {
    leveraged([o], c);
    return readAll([o], (x) => readOrder(x, o.category), c, false);
  }),
  'POST /v5/order/create-batch': using(s.createBatch, (b, c) => {
    leveraged(b.request, c);
    return readBatch(b, readOrder, c);
  }),
  'POST /v5/order/amend': using(s.amendOrder, (o, c) =>
    readAll([o], (x) => readAmend(x, o.category), c, false),
  ),
  'POST /v5/order/amend-batch': using(s.amendBatch, (b, c) => readBatch(b, readAmend, c)),
  'POST /v5/order/cancel': using(s.cancelOrder, (o, c) => {
    if (o.orderFilter !== undefined && o.category !== 'spot')
      return `${c.endpoint}: field "orderFilter" is not used by ${o.category} orders`;
    return readAll([o], (x) => readCancel(x, o.category), c, false);
  }),
  'POST /v5/order/cancel-batch': using(s.cancelBatch, (b, c) => readBatch(b, readCancel, c)),
  'POST /v5/order/cancel-all': using(s.cancelAll, (o, c) => {
    if (o.symbol === undefined) return undefined;
    const inst = bybitInstrument(o.symbol, o.category);
    if (!inst)
      return `${c.endpoint}: symbol "${o.symbol.slice(0, 40)}" is not a ${o.category} instrument keywarden reads`;
    c.orders.push({ symbol: inst.symbol, rawSymbol: o.symbol, market: inst.market });
    return undefined;
  }),
  'POST /v5/asset/withdraw/create': using(s.withdrawCreate, (w, c) => {
    c.withdrawal = withdrawalIntent({
      coin: w.coin,
      amount: num(w.amount),
      address: w.address,
      network: w.chain,
      tag: w.tag,
    });
    return undefined;
  }),
  'POST /v5/asset/withdraw/cancel': using(s.withdrawCancel, () => undefined),
  'POST /v5/asset/transfer/inter-transfer': using(s.interTransfer, (t, c) => {
    c.withdrawal = withdrawalIntent({ coin: t.coin, amount: num(t.amount) });
    return undefined;
  }),
  'POST /v5/asset/transfer/universal-transfer': using(s.universalTransfer, (t, c) => {
    c.withdrawal = withdrawalIntent({ coin: t.coin, amount: num(t.amount) });
    return undefined;
  }),
  'POST /v5/position/set-leverage': using(s.setLeverage, (l, c) => {
    const inst = bybitInstrument(l.symbol, l.category);
    if (!inst)
      return `${c.endpoint}: symbol "${l.symbol.slice(0, 40)}" is not a ${l.category} instrument keywarden reads`;
    const leverage = Math.max(Number(l.buyLeverage), Number(l.sellLeverage));
    c.leverage = leverage;
    // The symbol and market rules apply to whose leverage changes.
    const order: OrderIntent = { symbol: inst.symbol, rawSymbol: l.symbol, market: inst.market, leverage };
    c.orders.push(order);
    return undefined;
  }),
  'POST /v5/account/set-margin-mode': using(s.setMarginMode, () => undefined),
  'POST /v5/spot-margin-trade/switch-mode': using(s.spotMarginSwitch, () => undefined),
  'POST /v5/spot-margin-trade/set-leverage': using(s.spotMarginLeverage, (l, c) => {
    c.leverage = Number(l.leverage);
    return undefined;
  }),
};

export function classifyBybit(input: AdapterInput<BybitBody>): Classification {
  const request = wireOf(input);
  const method = request.method.toUpperCase();
  const path = request.path.replace(/\/+$/, '');
  const endpoint = `${method} ${path}`;
  const c: Classification = { action: actionFor(method, path), endpoint, orders: [] };
  if (c.action === 'unknown') return c;
  const handler = HANDLERS[endpoint];
  if (method !== 'GET') {
    // Bybit signs and reads a POST's JSON body; a query beside it would ride along unchecked.
    if (request.query !== '')
      return { ...c, rejected: `${endpoint}: a query string is not accepted on POST` };
    if (!handler) return c;
    const body = bodyOf(input);
    const rejected = body === undefined ? `${endpoint}: body must be a JSON object` : handler(body, c);
    if (rejected !== undefined) return { ...c, orders: [], rejected };
    return c;
  }
  const q = parseParams(request.query);
  if (!q.ok) return { ...c, rejected: `${endpoint}: ${q.message}` };
  const r = checkSchema(s.queryParams, paramsObject(q.params), endpoint);
  return r.ok ? c : { ...c, rejected: r.message };
}
