/**
 * OKX's private WebSocket through keywarden: `/okx/ws/v5/private` and `/okx/ws/v5/business`.
 * The login frame is verified against the client's keywarden credential with OKX's own login
 * scheme (timestamp in seconds, ±30 s, passphrase, sign, replay), runs the pipeline as a read,
 * and is re-signed with the real key: the upstream connection logs in as the real account. Later
 * frames are unsigned (the gateway binds them to the logged-in client): order ops run as their
 * `/api/v5/trade/...` REST equivalents (strict schemas, policy, audit), subscriptions only to
 * private channels. Public channels are refused: they need no key, so a bot reads them from
 * OKX's `/ws/v5/public` directly.
 */
import { z } from 'zod';
import { type AdapterInput, signedRequest, wireOf } from '../../core/index.js';
import type { Classification, ExchangeAdapter } from '../adapter.js';
import { withoutHeaders } from '../http-text.js';
import { isRecord, parseStrictJson } from '../strict-json.js';
import type { WsAdapter, WsId } from '../ws-adapter.js';
import { OKX_AUTH_HEADERS } from './auth.js';
import type { OkxParse } from './parse.js';
import {
  OKX_WS_LOGIN_PATH,
  OKX_WS_ONLY_PREFIX,
  okxWsFrame,
  okxWsLoginHeaders,
  okxWsLoginKey,
  okxWsLoginReplayKey,
  okxWsLoginVerify,
  parseOkxWsFrame,
} from './ws-frames.js';

const PATHS = ['/ws/v5/private', '/ws/v5/business'];
/**
 * The upgrade path a login arrived on, set by parseFrame on the login's REST-equivalent (it
 * overrides any upgrade header of that name): the login's replay key is per path.
 */
const WS_PATH_HEADER = 'x-keywarden-ws-path';
/** How long a login's signature stays acceptable to OKX (±30 s around its timestamp). */
const LOGIN_REPLAY_WINDOW_MS = 61_000;

/** Private channels a bot may subscribe to (account, orders and positions; algo orders on /business). */
export const OKX_PRIVATE_CHANNELS = [
  'account',
  'positions',
  'balance_and_position',
  'orders',
  'orders-algo',
  'algo-advance',
  'liquidation-warning',
  'account-greeks',
] as const;

const INST_TYPE = z.enum(['ANY', 'SPOT', 'MARGIN', 'SWAP', 'FUTURES', 'OPTION']);
const subscription = z.strictObject({
  channel: z.enum(OKX_PRIVATE_CHANNELS),
  instType: INST_TYPE.optional(),
  instFamily: z.string().max(40).optional(),
  instId: z.string().max(64).optional(),
  ccy: z.string().max(20).optional(),
  algoId: z.string().max(64).optional(),
  extraParams: z.string().max(200).optional(),
});

/** Production and demo REST hosts → their WebSocket hosts; any other base (the sandbox) keeps its host. */
const WS_HOSTS: Readonly<Record<string, string>> = {
  'https://www.okx.com': 'wss://ws.okx.com:8443',
  'https://okx.com': 'wss://ws.okx.com:8443',
  'https://us.okx.com': 'wss://wsus.okx.com:8443',
  'https://eea.okx.com': 'wss://wseea.okx.com:8443',
};

function upstreamUrl(baseUrl: string, path: string): string {
  const base = baseUrl.replace(/\/+$/, '');
  return `${WS_HOSTS[base] ?? base.replace(/^http/, 'ws')}${path}`;
}

function classifySubscription(op: string, body: string): Classification {
  const out: Classification = { action: 'read', endpoint: `WS ${op}`, orders: [] };
  const parsed = parseStrictJson(body);
  if (!parsed.ok || !Array.isArray(parsed.value)) return { ...out, rejected: `${op}: args must be an array` };
  for (const [i, arg] of parsed.value.entries()) {
    const channel = isRecord(arg) ? arg.channel : undefined;
    if (typeof channel === 'string' && !(OKX_PRIVATE_CHANNELS as readonly string[]).includes(channel))
      return {
        ...out,
        rejected: `channel "${channel.slice(0, 40)}" is not a private channel keywarden relays; public channels need no key: subscribe at OKX's /ws/v5/public directly`,
      };
    const r = subscription.safeParse(arg);
    if (!r.success) return { ...out, rejected: `args[${i}]: ${r.error.issues[0]?.message ?? 'invalid'}` };
  }
  return out;
}

function classifyWs(input: AdapterInput<OkxParse>, rest: ExchangeAdapter<OkxParse>): Classification {
  const request = wireOf(input);
  if (request.path === OKX_WS_LOGIN_PATH) return { action: 'read', endpoint: 'WS login', orders: [] };
  if (!request.path.startsWith(OKX_WS_ONLY_PREFIX)) return rest.classify(input);
  const op = request.path.slice(OKX_WS_ONLY_PREFIX.length);
  if (op === 'subscribe' || op === 'unsubscribe') return classifySubscription(op, request.body);
  return { action: 'unknown', endpoint: `WS ${op.replace(/^op\//, '')}`, orders: [] };
}

function requestAdapterOf(rest: ExchangeAdapter<OkxParse>): ExchangeAdapter<OkxParse> {
  return {
    ...rest,
    forwardedHeaders: [],
    // Only the login names a key: every later frame of the connection is the logged-in client's.
    clientKeyId: (input) => okxWsLoginKey(wireOf(input)),
    verifyClient(input, verifier, ctx) {
      const request = wireOf(input);
      if (request.path !== OKX_WS_LOGIN_PATH)
        return { ok: false, reason: 'missing_credentials', message: '60011 Please log in' };
      const failure = okxWsLoginVerify(request.headers, verifier.secret, verifier.password, ctx.clock.now());
      if (failure) return failure.result;
      const path = request.headers[WS_PATH_HEADER];
      // OKX's login signs only its timestamp (seconds): CCXT logs /private and /business in with
      // the same frame when both open in one second. Each path takes it once, from one source IP
      // (docs/gateway.md "OKX and Bybit log the connection in once" says why this and no more).
      return {
        ok: true,
        replayKey: okxWsLoginReplayKey(request),
        replayWindowMs: LOGIN_REPLAY_WINDOW_MS,
        ...(path !== undefined && PATHS.includes(path) ? { replayPaths: { path, all: PATHS } } : {}),
      };
    },
    stripAuth: (input) => {
      const r = wireOf(input);
      return { ...r, headers: withoutHeaders(r.headers, [...OKX_AUTH_HEADERS, WS_PATH_HEADER]) };
    },
    classify: (input) => classifyWs(input, rest),
    sign(request, credential, ctx) {
      if (request.path === OKX_WS_LOGIN_PATH)
        return signedRequest({
          ...request,
          headers: okxWsLoginHeaders(
            credential.apiKey,
            credential.password ?? '',
            credential.secret,
            ctx.clock.now(),
          ),
        });
      // A frame of the logged-in upstream connection carries no signature of its own.
      if (request.path.startsWith(OKX_WS_ONLY_PREFIX) || request.method === 'POST')
        return signedRequest({ ...request, headers: {} });
      // REST reads the gateway makes itself (an amend's resting order) are signed as REST.
      return rest.sign(request, credential, ctx);
    },
  };
}

interface OkxAnswer {
  id?: unknown;
  event?: unknown;
  op?: unknown;
  code?: unknown;
  data?: unknown;
}

/**
 * OKX's rate refusals: 50011 (a REST or WebSocket limit, HTTP 429 over REST), 50061 (the
 * sub-account's order rate), 60014 (WebSocket "Requests too frequent"), as the frame's `code` or
 * an order's `sCode`. They become status 429, so the rate budgets stop the key as over REST.
 */
const RATE_CODES = new Set(['50011', '50061', '60014']);

function rateRefused(v: OkxAnswer): boolean {
  if (typeof v.code === 'string' && RATE_CODES.has(v.code)) return true;
  return (
    Array.isArray(v.data) &&
    v.data.some((d: unknown) => isRecord(d) && typeof d.sCode === 'string' && RATE_CODES.has(d.sCode))
  );
}

/** An order op's code: 0 all placed, 2 some placed (stands: partly executed), 1 and others refused. */
function statusOf(v: OkxAnswer): number {
  const code = v.code;
  // Some placed: stands as partly executed, whatever refused the others.
  if (code === '2') return 409;
  if (rateRefused(v)) return 429;
  return code === '0' || code === undefined ? 200 : code === '2' ? 409 : 400;
}

/** The OKX WebSocket members; `rest` is the OKX REST adapter. */
export function okxWs(rest: ExchangeAdapter<OkxParse>): WsAdapter {
  return {
    paths: PATHS,
    upstreamUrl,
    loginPath: OKX_WS_LOGIN_PATH,
    // OKX closes a link with nothing pushed for 30 s; the client's own pings are answered here.
    keepalive: { text: 'ping', intervalMs: 20_000 },
    parseFrame(text, path) {
      const r = parseOkxWsFrame(text);
      if (!r.ok)
        return {
          kind: 'refused',
          id: r.id,
          errorKind: 'bad_request',
          message: r.message,
          ...(r.op ? { method: r.op } : {}),
        };
      if (r.kind === 'ping') return { kind: 'local', reply: 'pong' };
      const request =
        r.kind === 'login'
          ? { ...r.request, headers: { ...r.request.headers, [WS_PATH_HEADER]: path ?? '' } }
          : r.request;
      return { kind: r.kind, id: r.id, method: r.op, request };
    },
    requestAdapter: requestAdapterOf(rest) as ExchangeAdapter,
    sessionState: (path) =>
      path === OKX_WS_LOGIN_PATH ||
      path === `${OKX_WS_ONLY_PREFIX}subscribe` ||
      path === `${OKX_WS_ONLY_PREFIX}unsubscribe`,
    upstreamFrame: (upstreamId, outgoing) => okxWsFrame(upstreamId, outgoing),
    parseUpstream(text) {
      if (text === 'pong') return { kind: 'ignored' };
      let v: OkxAnswer;
      try {
        v = JSON.parse(text) as OkxAnswer;
      } catch {
        return { kind: 'event' };
      }
      if (!isRecord(v)) return { kind: 'event' };
      const id = typeof v.id === 'string' && /^\d{1,15}$/.test(v.id) ? Number(v.id) : undefined;
      if (v.event === 'login') return { kind: 'login', status: v.code === '0' ? 200 : 401 };
      if (id !== undefined && (v.event !== undefined || v.op !== undefined))
        return {
          kind: 'response',
          id,
          status: v.event === 'error' ? (rateRefused(v) ? 429 : 400) : statusOf(v),
        };
      // An error without an id answers the login in flight, if any (else it is relayed).
      if (v.event === 'error') return { kind: 'login', status: 401 };
      return { kind: 'event' };
    },
    responseFrame(text, id: WsId) {
      const v = JSON.parse(text) as Record<string, unknown>;
      if (!Object.hasOwn(v, 'id')) return text;
      const { id: _upstream, ...rest } = v;
      return JSON.stringify(id === null ? rest : { id, ...rest });
    },
    errorFrame(id, answer, method) {
      let code = '50000';
      let msg = 'keywarden could not serve this request';
      try {
        const e = JSON.parse(answer.body) as { code?: unknown; msg?: unknown };
        if (typeof e.code === 'string') code = e.code;
        if (typeof e.msg === 'string') msg = e.msg;
      } catch {
        // The default above.
      }
      const withId = id === null ? {} : { id };
      // OKX answers a login or subscription with an error event, an op with {id, op, code, msg, data}.
      if (method === undefined || method === 'login' || method === 'subscribe' || method === 'unsubscribe')
        return JSON.stringify({ ...withId, event: 'error', code, msg, connId: '' });
      return JSON.stringify({ ...withId, op: method, code, msg, data: [] });
    },
  };
}
