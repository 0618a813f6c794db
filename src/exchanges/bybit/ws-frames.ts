/**
 * Bybit v5 WebSocket frames: `/v5/private` (`{req_id, op, args}`: auth, subscribe, unsubscribe,
 * ping) and `/v5/trade` (`{reqId, header, op, args}`: auth, ping, order.create, …). A connection
 * authenticates once (`op: auth`, args `[apiKey, expires, signature]` with signature =
 * hex(HMAC-SHA256(secret, 'GET/realtime' + expires)), expires in ms); later frames are unsigned.
 * Each frame becomes its REST-equivalent request: the order ops the `/v5/order/...` endpoint that
 * does the same (its strict schema applies), auth and subscriptions WebSocket-only paths.
 */
import { createHmac } from 'node:crypto';
import { safeEqual } from '../../core/index.js';
import type { ExchangeRequest, VerifyResult } from '../adapter.js';
import { headerValue } from '../http-text.js';
import { isRecord, parseStrictJson } from '../strict-json.js';
import type { WsId } from '../ws-adapter.js';
import { BYBIT_MAX_RECV_WINDOW } from './auth.js';

export const BYBIT_WS_PRIVATE = '/v5/private';
export const BYBIT_WS_TRADE = '/v5/trade';
/** The auth's REST-equivalent path (no REST endpoint has it). */
export const BYBIT_WS_AUTH_PATH = '/ws/v5/auth';
/** Where WebSocket-only ops live: `/ws/v5/subscribe`, `/ws/v5/unsubscribe`, `/ws/v5/op/<unknown op>`. */
export const BYBIT_WS_ONLY_PREFIX = '/ws/v5/';
/** What the auth signs before its expiry (Bybit's docs: 'GET/realtime' + expires). */
export const BYBIT_WS_AUTH_PREHASH = 'GET/realtime';
/**
 * The furthest in the future an auth's `expires` may lie. Bybit documents none (UNCONFIRMED);
 * keywarden caps it like a recv window, so a captured login is not replayable for long.
 */
export const BYBIT_WS_MAX_EXPIRES_AHEAD_MS = BYBIT_MAX_RECV_WINDOW;

/** Trade ops (on `/v5/trade`) → the REST endpoint that does the same; args[0] is its body. */
export const BYBIT_WS_OPS: Readonly<Record<string, string>> = {
  'order.create': '/v5/order/create',
  'order.amend': '/v5/order/amend',
  'order.cancel': '/v5/order/cancel',
  'order.create-batch': '/v5/order/create-batch',
  'order.amend-batch': '/v5/order/amend-batch',
  'order.cancel-batch': '/v5/order/cancel-batch',
};
const OP_BY_PATH = new Map(Object.entries(BYBIT_WS_OPS).map(([op, p]) => [p, op] as const));

/** The auth's fields as headers of its REST-equivalent request. */
const AUTH_KEY = 'x-bapi-api-key';
const AUTH_EXPIRES = 'x-bapi-expires';
const AUTH_SIGN = 'x-bapi-sign';
export const BYBIT_WS_AUTH_HEADERS = [AUTH_KEY, AUTH_EXPIRES, AUTH_SIGN];
/** The trade frame's `header` fields keywarden relays, as REST-equivalent headers (lower case). */
const TRADE_HEADERS: Readonly<Record<string, string>> = {
  'x-bapi-timestamp': 'X-BAPI-TIMESTAMP',
  'x-bapi-recv-window': 'X-BAPI-RECV-WINDOW',
  referer: 'Referer',
};

export type BybitWsParse =
  | { ok: true; kind: 'ping'; id: WsId; trade: boolean }
  | { ok: true; kind: 'login' | 'request'; id: WsId; op: string; request: ExchangeRequest }
  | { ok: false; id: WsId; op?: string; message: string };

function idOf(raw: unknown): WsId | undefined {
  if (raw === undefined || raw === null) return null;
  if (typeof raw === 'string' && raw.length <= 64 && /^[\x21-\x7e]*$/.test(raw)) return raw;
  if (typeof raw === 'number' && Number.isSafeInteger(raw)) return raw;
  return undefined;
}

const post = (path: string, body: string, headers: Record<string, string> = {}): ExchangeRequest => ({
  method: 'POST',
  path,
  query: '',
  body,
  headers: { 'content-type': 'application/json', ...headers },
});

/** Read one client frame on `path` (`/v5/private` or `/v5/trade`). */
export function parseBybitWsFrame(text: string, path: string): BybitWsParse {
  const trade = path === BYBIT_WS_TRADE;
  const idField = trade ? 'reqId' : 'req_id';
  const parsed = parseStrictJson(text);
  if (!parsed.ok || !isRecord(parsed.value))
    return { ok: false, id: null, message: 'frame is not a JSON object' };
  const frame = parsed.value;
  const id = idOf(frame[idField]);
  if (id === undefined)
    return { ok: false, id: null, message: `${idField} must be a string of at most 64 characters` };
  const op = frame.op;
  if (typeof op !== 'string' || !/^[a-z][a-z.-]{0,40}$/.test(op))
    return { ok: false, id, message: 'malformed op' };
  for (const k of Object.keys(frame))
    if (k !== idField && k !== 'op' && k !== 'args' && !(trade && k === 'header'))
      return { ok: false, id, op, message: `frame field "${k.slice(0, 40)}" is not relayed by keywarden` };
  if (op === 'ping') return { ok: true, kind: 'ping', id, trade };
  const args = frame.args;
  if (!Array.isArray(args) || args.length === 0 || args.length > 20)
    return { ok: false, id, op, message: 'args must be an array of 1 to 20 items' };
  if (op === 'auth') {
    const [apiKey, expires, signature] = args;
    if (args.length !== 3 || typeof apiKey !== 'string' || apiKey === '' || apiKey.length > 100)
      return { ok: false, id, op, message: 'auth takes [apiKey, expires, signature]' };
    const exp = typeof expires === 'number' ? String(expires) : expires;
    if (typeof exp !== 'string' || typeof signature !== 'string' || signature.length > 200)
      return { ok: false, id, op, message: 'auth takes [apiKey, expires, signature]' };
    return {
      ok: true,
      kind: 'login',
      id,
      op,
      request: {
        method: 'GET',
        path: BYBIT_WS_AUTH_PATH,
        query: '',
        body: '',
        headers: { [AUTH_KEY]: apiKey, [AUTH_EXPIRES]: exp, [AUTH_SIGN]: signature },
      },
    };
  }
  if (!trade && (op === 'subscribe' || op === 'unsubscribe'))
    return {
      ok: true,
      kind: 'request',
      id,
      op,
      request: post(`${BYBIT_WS_ONLY_PREFIX}${op}`, JSON.stringify({ args })),
    };
  const target = trade && Object.hasOwn(BYBIT_WS_OPS, op) ? BYBIT_WS_OPS[op] : undefined;
  // An op keywarden does not map (or not on this path) runs the pipeline as an unknown
  // WebSocket-only request, which the policy denies (action "unknown"): audited, never relayed.
  if (!target)
    return {
      ok: true,
      kind: 'request',
      id,
      op,
      request: post(`${BYBIT_WS_ONLY_PREFIX}op/${op}`, JSON.stringify({ args })),
    };
  if (args.length !== 1 || !isRecord(args[0]))
    return { ok: false, id, op, message: `${op} takes exactly one object in args` };
  const headers: Record<string, string> = {};
  const header = frame.header ?? {};
  if (!isRecord(header)) return { ok: false, id, op, message: 'header must be an object' };
  for (const [k, v] of Object.entries(header)) {
    const name = k.toLowerCase();
    if (!Object.hasOwn(TRADE_HEADERS, name))
      return { ok: false, id, op, message: `header "${k.slice(0, 40)}" is not relayed by keywarden` };
    const value = typeof v === 'number' ? String(v) : v;
    if (typeof value !== 'string' || !/^[\x21-\x7e]{1,64}$/.test(value))
      return { ok: false, id, op, message: `header "${k.slice(0, 40)}" must be a short string` };
    headers[name] = value;
  }
  const recv = headers['x-bapi-recv-window'];
  if (recv !== undefined && (!/^\d{1,9}$/.test(recv) || Number(recv) > BYBIT_MAX_RECV_WINDOW))
    return { ok: false, id, op, message: `X-BAPI-RECV-WINDOW must be at most ${BYBIT_MAX_RECV_WINDOW}` };
  const ts = headers['x-bapi-timestamp'];
  if (ts !== undefined && !/^\d{1,16}$/.test(ts))
    return { ok: false, id, op, message: 'X-BAPI-TIMESTAMP must be milliseconds' };
  return { ok: true, kind: 'request', id, op, request: post(target, JSON.stringify(args[0]), headers) };
}

/** The op of a REST-equivalent request (the inverse of parseBybitWsFrame), if it has one. */
export function bybitWsOpOf(path: string): string | undefined {
  if (path === BYBIT_WS_AUTH_PATH) return 'auth';
  if (path === `${BYBIT_WS_ONLY_PREFIX}subscribe`) return 'subscribe';
  if (path === `${BYBIT_WS_ONLY_PREFIX}unsubscribe`) return 'unsubscribe';
  return OP_BY_PATH.get(path);
}

/** The upstream frame for a REST-equivalent request, under `id`. */
export function bybitWsFrame(id: number, request: ExchangeRequest): string {
  const op = bybitWsOpOf(request.path);
  if (op === undefined) throw new Error('no Bybit WebSocket op for this request');
  const h = (n: string) => headerValue(request.headers, n);
  // No id: the answer is matched as the connection's login (/v5/private and /v5/trade name ids differently).
  if (op === 'auth')
    return JSON.stringify({ op, args: [h(AUTH_KEY), Number(h(AUTH_EXPIRES)), h(AUTH_SIGN)] });
  const body = JSON.parse(request.body) as unknown;
  if (op === 'subscribe' || op === 'unsubscribe')
    return JSON.stringify({ req_id: String(id), op, args: (body as { args?: unknown }).args });
  const header: Record<string, string> = {};
  for (const [name, wire] of Object.entries(TRADE_HEADERS)) {
    const v = h(name);
    if (v !== undefined) header[wire] = v;
  }
  return JSON.stringify({ reqId: String(id), header, op, args: [body] });
}

/** The auth headers of a REST-equivalent auth (sign stage: with the real key), expiring in 10 s like CCXT's. */
export function bybitWsAuthHeaders(apiKey: string, secret: string, nowMs: number): Record<string, string> {
  const expires = String(Math.floor(nowMs) + 10_000);
  return { [AUTH_KEY]: apiKey, [AUTH_EXPIRES]: expires, [AUTH_SIGN]: bybitWsAuthSignature(expires, secret) };
}

export function bybitWsAuthSignature(expires: string, secret: string): string {
  return createHmac('sha256', secret).update(`${BYBIT_WS_AUTH_PREHASH}${expires}`).digest('hex');
}

export interface BybitWsAuthFailure {
  retMsg: string;
  result: Extract<VerifyResult, { ok: false }>;
}

const fail = (retMsg: string, reason: BybitWsAuthFailure['result']['reason']): BybitWsAuthFailure => ({
  retMsg,
  result: { ok: false, reason, message: retMsg },
});

/**
 * Bybit's auth checks: `expires` in milliseconds and still ahead, then the signature. `maxAheadMs`
 * caps how far ahead (keywarden's cap; the sandbox, like Bybit, passes none).
 */
export function bybitWsAuthVerify(
  headers: Record<string, string>,
  secret: string,
  nowMs: number,
  maxAheadMs?: number,
): BybitWsAuthFailure | undefined {
  const expires = headerValue(headers, AUTH_EXPIRES) ?? '';
  const sign = (headerValue(headers, AUTH_SIGN) ?? '').toLowerCase();
  if (!/^\d{1,16}$/.test(expires)) return fail('Params Error: expires', 'malformed');
  const at = Number(expires);
  if (at <= nowMs) return fail('Params Error: auth expired', 'stale_timestamp');
  if (maxAheadMs !== undefined && at > nowMs + maxAheadMs)
    return fail(`Params Error: expires more than ${maxAheadMs} ms ahead`, 'stale_timestamp');
  if (!safeEqual(sign, bybitWsAuthSignature(expires, secret))) return fail('Invalid sign', 'bad_signature');
  return undefined;
}

/** The api key a REST-equivalent auth names. */
export function bybitWsAuthKey(request: ExchangeRequest): string | undefined {
  return request.path === BYBIT_WS_AUTH_PATH
    ? headerValue(request.headers, AUTH_KEY) || undefined
    : undefined;
}

/** What makes one auth unique for the replay cache, and until when Bybit would take it again. */
export function bybitWsAuthReplay(
  request: ExchangeRequest,
  nowMs: number,
): { key: string; windowMs: number } {
  const expires = Number(headerValue(request.headers, AUTH_EXPIRES) ?? '0');
  return {
    key: `ws-auth ${(headerValue(request.headers, AUTH_SIGN) ?? '').toLowerCase()}`,
    windowMs: Math.max(1000, expires - nowMs + 1000),
  };
}
