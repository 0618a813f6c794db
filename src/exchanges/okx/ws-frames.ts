/**
 * OKX v5 WebSocket frames (`wss://ws.okx.com:8443/ws/v5/private`, `/business`): `{id, op, args}`.
 * A connection logs in once (`op: login`, args `{apiKey, passphrase, timestamp, sign}` with
 * sign = base64(HMAC-SHA256(secret, timestamp + 'GET' + '/users/self/verify')), timestamp in
 * Unix seconds); later frames are unsigned. Each frame becomes its REST-equivalent request: the
 * order ops the `/api/v5/trade/...` endpoint that does the same (its strict schema applies), the
 * login and subscriptions WebSocket-only paths under `/ws/v5/`.
 */
import { safeEqual } from '../../core/index.js';
import type { ExchangeRequest, VerifyResult } from '../adapter.js';
import { headerValue } from '../http-text.js';
import { hmacSha256Base64 } from '../passphrase-auth.js';
import { isRecord, parseStrictJson } from '../strict-json.js';
import type { WsId } from '../ws-adapter.js';

/** The login's REST-equivalent path (no REST endpoint has it). */
export const OKX_WS_LOGIN_PATH = '/ws/v5/login';
/** Where WebSocket-only ops live: `/ws/v5/subscribe`, `/ws/v5/unsubscribe`, `/ws/v5/op/<unknown op>`. */
export const OKX_WS_ONLY_PREFIX = '/ws/v5/';
/** What the login signs after its timestamp (OKX's docs: timestamp + 'GET' + '/users/self/verify'). */
export const OKX_WS_LOGIN_PREHASH = 'GET/users/self/verify';
/** OKX refuses a login whose timestamp is more than 30 s from its clock (60006). */
export const OKX_WS_LOGIN_TOLERANCE_MS = 30_000;
/** The login's fields, carried as the REST auth headers of its REST-equivalent request. */
const LOGIN_HEADERS = {
  apiKey: 'ok-access-key',
  passphrase: 'ok-access-passphrase',
  timestamp: 'ok-access-timestamp',
  sign: 'ok-access-sign',
} as const;
type LoginField = keyof typeof LOGIN_HEADERS;
const LOGIN_FIELDS = Object.keys(LOGIN_HEADERS) as LoginField[];

/** Order-entry ops → the REST endpoint that does the same; `batch` ops carry the args array as the body. */
export const OKX_WS_OPS: Readonly<Record<string, { path: string; batch: boolean }>> = {
  order: { path: '/api/v5/trade/order', batch: false },
  'batch-orders': { path: '/api/v5/trade/batch-orders', batch: true },
  'cancel-order': { path: '/api/v5/trade/cancel-order', batch: false },
  'batch-cancel-orders': { path: '/api/v5/trade/cancel-batch-orders', batch: true },
  'amend-order': { path: '/api/v5/trade/amend-order', batch: false },
  'batch-amend-orders': { path: '/api/v5/trade/amend-batch-orders', batch: true },
  'mass-cancel': { path: '/api/v5/trade/mass-cancel', batch: false },
};
const OP_BY_PATH = new Map(Object.entries(OKX_WS_OPS).map(([op, t]) => [t.path, op] as const));

/** OKX's batch ops take at most 20 items; a subscribe this many channels. */
const MAX_ARGS = 20;

export type OkxWsParse =
  | { ok: true; kind: 'ping' }
  | { ok: true; kind: 'login' | 'request'; id: WsId; op: string; request: ExchangeRequest }
  | { ok: false; id: WsId; op?: string; message: string };

function idOf(raw: unknown): WsId | undefined {
  if (raw === undefined || raw === null) return null;
  if (typeof raw === 'string' && /^[A-Za-z0-9]{1,32}$/.test(raw)) return raw;
  if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0) return raw;
  return undefined;
}

const post = (path: string, body: string): ExchangeRequest => ({
  method: 'POST',
  path,
  query: '',
  body,
  headers: { 'content-type': 'application/json' },
});

/** Read one client frame. The text `ping` is OKX's application-level keepalive. */
export function parseOkxWsFrame(text: string): OkxWsParse {
  if (text === 'ping') return { ok: true, kind: 'ping' };
  const parsed = parseStrictJson(text);
  if (!parsed.ok || !isRecord(parsed.value))
    return { ok: false, id: null, message: 'frame is not a JSON object' };
  const frame = parsed.value;
  const id = idOf(frame.id);
  if (id === undefined) return { ok: false, id: null, message: 'id must be 1-32 letters and digits' };
  const op = frame.op;
  if (typeof op !== 'string' || !/^[a-z][a-z-]{0,40}$/.test(op))
    return { ok: false, id, message: 'malformed op' };
  for (const k of Object.keys(frame))
    if (k !== 'id' && k !== 'op' && k !== 'args')
      // expTime is an order deadline keywarden would have to enforce itself; it is not relayed.
      return { ok: false, id, op, message: `frame field "${k.slice(0, 40)}" is not relayed by keywarden` };
  const args = frame.args;
  if (!Array.isArray(args) || args.length === 0 || args.length > MAX_ARGS || !args.every(isRecord))
    return { ok: false, id, op, message: `args must be an array of 1 to ${MAX_ARGS} objects` };
  if (op === 'login') {
    const a = args[0] as Record<string, unknown>;
    if (args.length !== 1) return { ok: false, id, op, message: 'one login per frame' };
    const headers: Record<string, string> = {};
    for (const k of Object.keys(a))
      if (!LOGIN_FIELDS.includes(k as LoginField))
        return { ok: false, id, op, message: `unknown login field "${k.slice(0, 40)}"` };
    for (const f of LOGIN_FIELDS) {
      const v = a[f];
      if (typeof v !== 'string' || v.length === 0 || v.length > 200)
        return { ok: false, id, op, message: `login field "${f}" must be a non-empty string` };
      headers[LOGIN_HEADERS[f]] = v;
    }
    return {
      ok: true,
      kind: 'login',
      id,
      op,
      request: { method: 'GET', path: OKX_WS_LOGIN_PATH, query: '', body: '', headers },
    };
  }
  if (op === 'subscribe' || op === 'unsubscribe')
    return {
      ok: true,
      kind: 'request',
      id,
      op,
      request: post(`${OKX_WS_ONLY_PREFIX}${op}`, JSON.stringify(args)),
    };
  const target = Object.hasOwn(OKX_WS_OPS, op) ? OKX_WS_OPS[op] : undefined;
  // An op keywarden does not map runs the pipeline as an unknown WebSocket-only request, which
  // the policy denies (action "unknown"): verified, audited, never relayed.
  if (!target)
    return {
      ok: true,
      kind: 'request',
      id,
      op,
      request: post(`${OKX_WS_ONLY_PREFIX}op/${op}`, JSON.stringify(args)),
    };
  if (!target.batch && args.length !== 1)
    return { ok: false, id, op, message: `${op} takes exactly one item in args` };
  return {
    ok: true,
    kind: 'request',
    id,
    op,
    request: post(target.path, JSON.stringify(target.batch ? args : args[0])),
  };
}

/** The op of a REST-equivalent request (the inverse of parseOkxWsFrame), if it has one. */
export function okxWsOpOf(path: string): string | undefined {
  if (path === OKX_WS_LOGIN_PATH) return 'login';
  if (path === `${OKX_WS_ONLY_PREFIX}subscribe`) return 'subscribe';
  if (path === `${OKX_WS_ONLY_PREFIX}unsubscribe`) return 'unsubscribe';
  return OP_BY_PATH.get(path);
}

/** The upstream frame for a REST-equivalent request, under `id`. */
export function okxWsFrame(id: number, request: ExchangeRequest): string {
  const op = okxWsOpOf(request.path);
  if (op === undefined) throw new Error('no OKX WebSocket op for this request');
  if (op === 'login') {
    const login: Record<string, string> = {};
    for (const f of LOGIN_FIELDS) login[f] = headerValue(request.headers, LOGIN_HEADERS[f]) ?? '';
    return JSON.stringify({ op, args: [login] });
  }
  const body = JSON.parse(request.body) as unknown;
  const batch = op === 'subscribe' || op === 'unsubscribe' || OKX_WS_OPS[op]?.batch === true;
  return JSON.stringify({ id: String(id), op, args: batch ? body : [body] });
}

/** The login headers of a REST-equivalent login request (sign stage: with the real key). */
export function okxWsLoginHeaders(
  apiKey: string,
  passphrase: string,
  secret: string,
  nowMs: number,
): Record<string, string> {
  const timestamp = String(Math.floor(nowMs / 1000));
  return {
    [LOGIN_HEADERS.apiKey]: apiKey,
    [LOGIN_HEADERS.passphrase]: passphrase,
    [LOGIN_HEADERS.timestamp]: timestamp,
    [LOGIN_HEADERS.sign]: hmacSha256Base64(secret, `${timestamp}${OKX_WS_LOGIN_PREHASH}`),
  };
}

export interface OkxWsLoginFailure {
  code: string;
  msg: string;
  result: Extract<VerifyResult, { ok: false }>;
}

const fail = (
  code: string,
  msg: string,
  reason: OkxWsLoginFailure['result']['reason'],
): OkxWsLoginFailure => ({ code, msg, result: { ok: false, reason, message: `${code} ${msg}` } });

/**
 * OKX's login checks in its order: timestamp format (60004), freshness (60006), passphrase
 * (60024), signature (60007). Shared by the gateway (client logins) and the sandbox.
 */
export function okxWsLoginVerify(
  headers: Record<string, string>,
  secret: string,
  passphrase: string | undefined,
  nowMs: number,
): OkxWsLoginFailure | undefined {
  const h = (f: LoginField) => headerValue(headers, LOGIN_HEADERS[f]) ?? '';
  const ts = h('timestamp');
  if (!/^\d{1,11}(\.\d{1,3})?$/.test(ts)) return fail('60004', 'Invalid timestamp', 'malformed');
  if (Math.abs(Number(ts) * 1000 - nowMs) > OKX_WS_LOGIN_TOLERANCE_MS)
    return fail('60006', 'Timestamp request expired', 'stale_timestamp');
  if (!safeEqual(h('passphrase'), passphrase ?? ''))
    return fail('60024', 'Wrong passphrase', 'bad_passphrase');
  if (!safeEqual(h('sign'), hmacSha256Base64(secret, `${ts}${OKX_WS_LOGIN_PREHASH}`)))
    return fail('60007', 'Invalid sign', 'bad_signature');
  return undefined;
}

/** The api key a REST-equivalent login names. */
export function okxWsLoginKey(request: ExchangeRequest): string | undefined {
  return request.path === OKX_WS_LOGIN_PATH
    ? headerValue(request.headers, LOGIN_HEADERS.apiKey) || undefined
    : undefined;
}

/** What makes one login unique for the replay cache: its signature. */
export function okxWsLoginReplayKey(request: ExchangeRequest): string {
  return `ws-login ${headerValue(request.headers, LOGIN_HEADERS.sign) ?? ''}`;
}
