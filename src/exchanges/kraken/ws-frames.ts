/**
 * Kraken WebSocket v2 frames (`wss://ws-auth.kraken.com/v2`): `{method, params, req_id}`, the
 * token in `params.token`. A request frame becomes its REST-equivalent request under
 * `/ws/v2/…` (no REST endpoint has these paths): `subscribe`/`unsubscribe` of a channel at
 * `/ws/v2/<method>/<channel>`, any other method at `/ws/v2/<method>`; the params but `token`
 * (and `channel`) as its JSON body, the token in the `x-kraken-ws-token` header.
 */
import type { ExchangeRequest } from '../adapter.js';
import { isRecord, parseStrictJson } from '../strict-json.js';
import type { WsId } from '../ws-adapter.js';

export const KRAKEN_WS_PREFIX = '/ws/v2/';
/** Where the frame's token travels in its REST-equivalent request. */
export const KRAKEN_WS_TOKEN_HEADER = 'x-kraken-ws-token';

/** Private channels relayed: the account's orders and fills, and its balances. */
export const KRAKEN_WS_PRIVATE_CHANNELS = ['executions', 'balances'] as const;
/** Kraken's public channels (and `level3`, market data behind a token): refused, see docs/gateway.md. */
export const KRAKEN_WS_PUBLIC_CHANNELS = [
  'ticker',
  'book',
  'level3',
  'ohlc',
  'trade',
  'instrument',
  'status',
  'heartbeat',
] as const;

export type KrakenWsParse =
  | { ok: true; id: WsId; method: string; request: ExchangeRequest }
  | { ok: 'ping'; id: WsId }
  | { ok: false; id: WsId; method?: string; message: string };

function isChannel<T extends readonly string[]>(list: T, v: string): v is T[number] {
  return list.includes(v);
}

/** Read one client frame. */
export function parseKrakenWsFrame(text: string): KrakenWsParse {
  const parsed = parseStrictJson(text);
  if (!parsed.ok || !isRecord(parsed.value))
    return { ok: false, id: null, message: 'EGeneral:Invalid arguments: frame is not a JSON object' };
  const frame = parsed.value;
  const rawId = frame.req_id;
  const id: WsId = typeof rawId === 'number' && Number.isSafeInteger(rawId) && rawId >= 0 ? rawId : null;
  if (rawId !== undefined && id === null)
    return {
      ok: false,
      id: null,
      message: 'EGeneral:Invalid arguments: req_id must be a non-negative integer',
    };
  const method = frame.method;
  if (typeof method !== 'string' || !/^[a-z][a-z_]{0,40}$/.test(method))
    return { ok: false, id, message: 'EGeneral:Invalid arguments: method is required' };
  for (const k of Object.keys(frame))
    if (k !== 'method' && k !== 'params' && k !== 'req_id')
      return {
        ok: false,
        id,
        method,
        message: `EGeneral:Invalid arguments: unknown field "${k.slice(0, 40)}"`,
      };
  if (method === 'ping') return { ok: 'ping', id };
  const params = frame.params ?? {};
  if (!isRecord(params))
    return { ok: false, id, method, message: 'EGeneral:Invalid arguments: params must be an object' };
  const { token, ...rest } = params;
  if (token !== undefined && typeof token !== 'string')
    return { ok: false, id, method, message: 'EGeneral:Invalid arguments: token must be a string' };
  let path = `${KRAKEN_WS_PREFIX}${method}`;
  let body: Record<string, unknown> = rest;
  if (method === 'subscribe' || method === 'unsubscribe') {
    const { channel, ...others } = rest;
    if (typeof channel !== 'string')
      return { ok: false, id, method, message: 'EGeneral:Invalid arguments: channel is required' };
    if (isChannel(KRAKEN_WS_PUBLIC_CHANNELS, channel))
      return {
        ok: false,
        id,
        method,
        message: `EGeneral:Invalid arguments: public channel "${channel}" is not relayed by keywarden: subscribe at wss://ws.kraken.com/v2 directly`,
      };
    if (!isChannel(KRAKEN_WS_PRIVATE_CHANNELS, channel))
      return { ok: false, id, method, message: 'EGeneral:Invalid arguments: unknown channel' };
    path = `${path}/${channel}`;
    body = others;
  }
  return {
    ok: true,
    id,
    method,
    request: {
      method: 'POST',
      path,
      query: '',
      body: JSON.stringify(body),
      headers: {
        'content-type': 'application/json',
        ...(token === undefined ? {} : { [KRAKEN_WS_TOKEN_HEADER]: token }),
      },
    },
  };
}

/** The `{method, params}` an upstream frame carries for a REST-equivalent request (the inverse of the above, token aside). */
export function krakenWsMethodOf(
  path: string,
  body: string,
): { method: string; params: Record<string, unknown> } {
  const rest = path.startsWith(KRAKEN_WS_PREFIX) ? path.slice(KRAKEN_WS_PREFIX.length) : '';
  const [method = '', channel] = rest.split('/');
  const parsed = body === '' ? {} : (JSON.parse(body) as Record<string, unknown>);
  return { method, params: channel === undefined ? parsed : { channel, ...parsed } };
}

function isoMicros(nowMs: number): string {
  return new Date(nowMs).toISOString().replace('Z', '000Z');
}

/** Kraken v2's answer to `ping`. */
export function krakenWsPong(id: WsId, nowMs: number): string {
  const at = isoMicros(nowMs);
  return JSON.stringify({
    method: 'pong',
    ...(id === null ? {} : { req_id: id }),
    time_in: at,
    time_out: at,
  });
}

/** Kraken v2's answer shape: `{method, success, error | result, req_id, time_in, time_out}`. */
export function krakenWsAnswer(
  method: string | undefined,
  id: WsId,
  nowMs: number,
  outcome: { error: string } | { result: unknown },
): string {
  const at = isoMicros(nowMs);
  return JSON.stringify({
    ...(method === undefined ? {} : { method }),
    ...('error' in outcome
      ? { error: outcome.error, success: false }
      : { result: outcome.result, success: true }),
    ...(id === null ? {} : { req_id: id }),
    time_in: at,
    time_out: at,
  });
}
