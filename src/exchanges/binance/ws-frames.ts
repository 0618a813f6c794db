/**
 * Binance WebSocket API frames (`wss://ws-api.binance.com/ws-api/v3`): `{id, method, params}`.
 * A signed request's payload is every parameter but `signature`, `apiKey` included, sorted by
 * name and joined `name=value&…` without percent-encoding (Binance's WebSocket API docs, CCXT
 * Pro's `signParams`). A frame becomes its REST-equivalent request whose query string is exactly
 * that payload, so the REST verifier checks the WebSocket signature unchanged.
 */
import type { ExchangeRequest } from '../adapter.js';
import { isRecord, parseStrictJson } from '../strict-json.js';
import type { WsId } from '../ws-adapter.js';

/** WebSocket API method → the REST endpoint that does the same (its strict schema applies). */
export const BINANCE_WS_METHODS: Readonly<Record<string, { method: string; path: string }>> = {
  ping: { method: 'GET', path: '/api/v3/ping' },
  time: { method: 'GET', path: '/api/v3/time' },
  'order.place': { method: 'POST', path: '/api/v3/order' },
  'order.test': { method: 'POST', path: '/api/v3/order/test' },
  'order.cancel': { method: 'DELETE', path: '/api/v3/order' },
  'order.cancelReplace': { method: 'POST', path: '/api/v3/order/cancelReplace' },
  'order.status': { method: 'GET', path: '/api/v3/order' },
  'openOrders.status': { method: 'GET', path: '/api/v3/openOrders' },
  'openOrders.cancelAll': { method: 'DELETE', path: '/api/v3/openOrders' },
  allOrders: { method: 'GET', path: '/api/v3/allOrders' },
  myTrades: { method: 'GET', path: '/api/v3/myTrades' },
  'account.status': { method: 'GET', path: '/api/v3/account' },
  'account.commission': { method: 'GET', path: '/api/v3/account/commission' },
  'account.rateLimits.orders': { method: 'GET', path: '/api/v3/rateLimit/order' },
  // WebSocket-only: no REST endpoint; classified by the WebSocket adapter (reads).
  'userDataStream.subscribe.signature': {
    method: 'GET',
    path: '/ws-api/v3/userDataStream.subscribe.signature',
  },
  'userDataStream.unsubscribe': { method: 'GET', path: '/ws-api/v3/userDataStream.unsubscribe' },
};

/** Where a WebSocket-only method's REST-equivalent path lives (no REST endpoint has it). */
export const WS_ONLY_PREFIX = '/ws-api/v3/';

const BY_ENDPOINT = new Map(
  Object.entries(BINANCE_WS_METHODS).map(([ws, r]) => [`${r.method} ${r.path}`, ws] as const),
);

/** The WebSocket method of a REST-equivalent request (the inverse of BINANCE_WS_METHODS). */
export function binanceWsMethodOf(method: string, path: string): string | undefined {
  return BY_ENDPOINT.get(`${method.toUpperCase()} ${path}`);
}

/**
 * Values relayed as they are: the signed payload is not percent-encoded, so a value with `&`,
 * `=`, `%` or `+` would read differently as a query string. Binance's symbols, sizes, ids and
 * enums never need them.
 */
const PLAIN_VALUE = /^[A-Za-z0-9._:-]{0,128}$/;

export type BinanceWsParse =
  | { ok: true; id: WsId; method: string; request: ExchangeRequest }
  | { ok: false; id: WsId; message: string; unknownMethod?: boolean };

/** Read one frame; `request` is its REST-equivalent with the payload (and signature) in the query. */
export function parseBinanceWsFrame(text: string): BinanceWsParse {
  const parsed = parseStrictJson(text);
  if (!parsed.ok || !isRecord(parsed.value))
    return { ok: false, id: null, message: 'frame is not a JSON object' };
  const frame = parsed.value;
  const rawId = frame.id;
  const id: WsId =
    typeof rawId === 'string' && rawId.length <= 64
      ? rawId
      : typeof rawId === 'number' && Number.isSafeInteger(rawId)
        ? rawId
        : null;
  if (rawId !== undefined && rawId !== null && id === null)
    return { ok: false, id: null, message: 'id must be an integer or a string of at most 64 characters' };
  for (const k of Object.keys(frame))
    if (k !== 'id' && k !== 'method' && k !== 'params')
      return { ok: false, id, message: `unknown frame field "${k.slice(0, 40)}"` };
  const method = frame.method;
  if (typeof method !== 'string') return { ok: false, id, message: 'method is required' };
  // A method keywarden does not map still runs the pipeline (verified, audited) as an unknown
  // WebSocket-only read, which the policy denies (action "unknown"); it is never relayed.
  if (!/^[A-Za-z][A-Za-z0-9.]{0,60}$/.test(method))
    return { ok: false, id, message: 'malformed method', unknownMethod: true };
  const target = Object.hasOwn(BINANCE_WS_METHODS, method)
    ? BINANCE_WS_METHODS[method]
    : { method: 'GET', path: `${WS_ONLY_PREFIX}${method}` };
  if (!target) return { ok: false, id, message: 'malformed method', unknownMethod: true };
  const params = frame.params ?? {};
  if (!isRecord(params)) return { ok: false, id, message: 'params must be an object' };
  const pairs: Array<[string, string]> = [];
  let signature: string | undefined;
  for (const [k, v] of Object.entries(params)) {
    if (!/^[A-Za-z][A-Za-z0-9]{0,40}$/.test(k)) return { ok: false, id, message: 'malformed parameter name' };
    const value =
      typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
    if (value === undefined)
      return { ok: false, id, message: `parameter "${k}" must be a string, number or boolean` };
    if (k === 'signature') {
      if (value.length > 700) return { ok: false, id, message: 'signature too long' };
      signature = value;
      continue;
    }
    if (!PLAIN_VALUE.test(value))
      return { ok: false, id, message: `parameter "${k}" has characters keywarden does not relay` };
    pairs.push([k, value]);
  }
  pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const payload = pairs.map(([k, v]) => `${k}=${v}`).join('&');
  const apiKey = pairs.find(([k]) => k === 'apiKey')?.[1];
  const query =
    signature === undefined
      ? payload
      : `${payload}${payload === '' ? '' : '&'}signature=${encodeURIComponent(signature)}`;
  return {
    ok: true,
    id,
    method,
    request: {
      method: target.method,
      path: target.path,
      query,
      body: '',
      headers: apiKey === undefined ? {} : { 'x-mbx-apikey': apiKey },
    },
  };
}

/**
 * Parameters of the WebSocket frame that are no field of the REST endpoint: signed (they stay in
 * the payload the signature is checked over) but not classified, and not relayed.
 */
export const BINANCE_WS_FRAME_FIELDS = ['apiKey', 'returnRateLimits'] as const;

/** Parameters whose values Binance's WebSocket API takes as JSON integers. */
const INTEGER_PARAMS = new Set([
  'timestamp',
  'recvWindow',
  'orderId',
  'cancelOrderId',
  'orderListId',
  'limit',
  'startTime',
  'endTime',
  'fromId',
  'strategyId',
  'strategyType',
  'trailingDelta',
  'subscriptionId',
]);

/** The frame for a REST-equivalent request (query = `name=value&…`, signature percent-encoded). */
export function binanceWsFrame(id: WsId, method: string, query: string): string {
  const params: Record<string, string | number> = {};
  for (const part of query === '' ? [] : query.split('&')) {
    const eq = part.indexOf('=');
    const k = part.slice(0, eq);
    const raw = part.slice(eq + 1);
    const v = k === 'signature' ? decodeURIComponent(raw) : raw;
    params[k] = INTEGER_PARAMS.has(k) && /^\d{1,17}$/.test(v) ? Number(v) : v;
  }
  return JSON.stringify({ id, method, params });
}
