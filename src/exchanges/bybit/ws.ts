/**
 * Bybit's private WebSocket through keywarden: `/bybit/v5/private` (private topics) and
 * `/bybit/v5/trade` (order entry). The auth frame is verified against the client's keywarden
 * credential with Bybit's own scheme (expires ahead, signature, replay), runs the pipeline as a
 * read, and is re-signed with the real key: the upstream connection authenticates as the real
 * account. Later frames are unsigned (the gateway binds them to the authenticated client): trade
 * ops run as their `/v5/order/...` REST equivalents (strict schemas, policy, audit),
 * subscriptions only to private topics. Public topics are refused: they need no key and live on
 * other hosts (`/v5/public/<category>`), so a bot reads them from Bybit directly.
 */
import { type AdapterInput, signedRequest, wireOf } from '../../core/index.js';
import type { Classification, ExchangeAdapter } from '../adapter.js';
import { withoutHeaders } from '../http-text.js';
import { isRecord, parseStrictJson } from '../strict-json.js';
import type { WsAdapter, WsId } from '../ws-adapter.js';
import { BYBIT_AUTH_HEADERS } from './auth.js';
import type { BybitBody } from './classify.js';
import { bybitWsUsageHeaders } from './rate-rules.js';
import {
  BYBIT_WS_AUTH_HEADERS,
  BYBIT_WS_AUTH_PATH,
  BYBIT_WS_MAX_EXPIRES_AHEAD_MS,
  BYBIT_WS_ONLY_PREFIX,
  BYBIT_WS_PRIVATE,
  BYBIT_WS_TRADE,
  bybitWsAuthHeaders,
  bybitWsAuthKey,
  bybitWsAuthReplay,
  bybitWsAuthVerify,
  bybitWsFrame,
  parseBybitWsFrame,
} from './ws-frames.js';

/** Private topics a bot may subscribe to, optionally per category (`order.spot`, `position.linear`). */
const PRIVATE_TOPIC =
  /^(?:(?:order|execution|execution\.fast|position)(?:\.(?:spot|linear|inverse|option))?|wallet|greeks|dcp)$/;

/** Production, testnet and demo REST hosts → their private WebSocket hosts; any other base (the sandbox) keeps its host. */
const WS_HOSTS: Readonly<Record<string, string>> = {
  'https://api.bybit.com': 'wss://stream.bybit.com',
  'https://api.bytick.com': 'wss://stream.bytick.com',
  'https://api-testnet.bybit.com': 'wss://stream-testnet.bybit.com',
  'https://api-demo.bybit.com': 'wss://stream-demo.bybit.com',
};

function upstreamUrl(baseUrl: string, path: string): string {
  const base = baseUrl.replace(/\/+$/, '');
  return `${WS_HOSTS[base] ?? base.replace(/^http/, 'ws')}${path}`;
}

function classifySubscription(op: string, body: string): Classification {
  const out: Classification = { action: 'read', endpoint: `WS ${op}`, orders: [] };
  const parsed = parseStrictJson(body);
  const topics = parsed.ok && isRecord(parsed.value) ? parsed.value.args : undefined;
  if (!Array.isArray(topics)) return { ...out, rejected: `${op}: args must be an array` };
  for (const topic of topics) {
    if (typeof topic !== 'string') return { ...out, rejected: `${op}: topics must be strings` };
    if (!PRIVATE_TOPIC.test(topic))
      return {
        ...out,
        rejected: `topic "${topic.slice(0, 40)}" is not a private topic keywarden relays; public topics need no key: subscribe at Bybit's /v5/public/<category> directly`,
      };
  }
  return out;
}

function classifyWs(input: AdapterInput<BybitBody>, rest: ExchangeAdapter<BybitBody>): Classification {
  const request = wireOf(input);
  if (request.path === BYBIT_WS_AUTH_PATH) return { action: 'read', endpoint: 'WS auth', orders: [] };
  if (!request.path.startsWith(BYBIT_WS_ONLY_PREFIX)) return rest.classify(input);
  const op = request.path.slice(BYBIT_WS_ONLY_PREFIX.length);
  if (op === 'subscribe' || op === 'unsubscribe') return classifySubscription(op, request.body);
  return { action: 'unknown', endpoint: `WS ${op.replace(/^op\//, '')}`, orders: [] };
}

function requestAdapterOf(rest: ExchangeAdapter<BybitBody>): ExchangeAdapter<BybitBody> {
  return {
    ...rest,
    // The trade frame's `header` fields, relayed in its upstream frame.
    forwardedHeaders: ['x-bapi-recv-window', 'referer'],
    // Only the auth names a key: every later frame of the connection is the authenticated client's.
    clientKeyId: (input) => bybitWsAuthKey(wireOf(input)),
    verifyClient(input, verifier, ctx) {
      const request = wireOf(input);
      if (request.path !== BYBIT_WS_AUTH_PATH)
        return { ok: false, reason: 'missing_credentials', message: 'Request not authorized' };
      const now = ctx.clock.now();
      const failure = bybitWsAuthVerify(request.headers, verifier.secret, now, BYBIT_WS_MAX_EXPIRES_AHEAD_MS);
      if (failure) return failure.result;
      const replay = bybitWsAuthReplay(request, now);
      return { ok: true, replayKey: replay.key, replayWindowMs: replay.windowMs };
    },
    stripAuth(input) {
      const r = wireOf(input);
      return {
        ...r,
        headers: withoutHeaders(r.headers, [
          ...BYBIT_WS_AUTH_HEADERS,
          ...BYBIT_AUTH_HEADERS.filter((h) => h !== 'x-bapi-recv-window'),
        ]),
      };
    },
    classify: (input) => classifyWs(input, rest),
    sign(request, credential, ctx) {
      const now = ctx.clock.now();
      if (request.path === BYBIT_WS_AUTH_PATH)
        return signedRequest({
          ...request,
          headers: bybitWsAuthHeaders(credential.apiKey, credential.secret, now),
        });
      // A frame of the authenticated upstream connection: its header's timestamp is keywarden's clock.
      if (request.path.startsWith(BYBIT_WS_ONLY_PREFIX) || request.method === 'POST')
        return signedRequest({
          ...request,
          headers: { ...request.headers, 'x-bapi-timestamp': String(now) },
        });
      // REST reads the gateway makes itself (an amend's resting order) are signed as REST.
      return rest.sign(request, credential, ctx);
    },
  };
}

interface BybitAnswer {
  op?: unknown;
  reqId?: unknown;
  req_id?: unknown;
  retCode?: unknown;
  ret_msg?: unknown;
  success?: unknown;
}

/**
 * Bybit's rate refusals on `/v5/trade` (guideline.mdx): 10006 (the UID's limit), 10429 (system
 * frequency protection), 10403 (the IP's 3000 a second). They become status 429, so the rate
 * budgets stop the key as a REST 429 does.
 */
const RATE_CODES = new Set([10006, 10429, 10403]);

const numericId = (v: unknown): number | undefined =>
  typeof v === 'string' && /^\d{1,15}$/.test(v) ? Number(v) : undefined;

/** The method name parseFrame gives a frame: the op, prefixed on /v5/trade (its error shape differs). */
const TRADE_PREFIX = 'trade ';

/** The Bybit WebSocket members; `rest` is the Bybit REST adapter. */
export function bybitWs(rest: ExchangeAdapter<BybitBody>): WsAdapter {
  return {
    paths: [BYBIT_WS_PRIVATE, BYBIT_WS_TRADE],
    upstreamUrl,
    loginPath: BYBIT_WS_AUTH_PATH,
    // Bybit asks for a ping every 20 s; the client's own pings are answered here.
    keepalive: { text: '{"op":"ping"}', intervalMs: 20_000 },
    parseFrame(text, path) {
      const trade = path === BYBIT_WS_TRADE;
      const r = parseBybitWsFrame(text, path ?? BYBIT_WS_PRIVATE);
      const method = (op: string) => (trade ? `${TRADE_PREFIX}${op}` : op);
      if (!r.ok)
        return {
          kind: 'refused',
          id: r.id,
          errorKind: 'bad_request',
          message: r.message,
          method: method(r.op ?? ''),
        };
      if (r.kind === 'ping') {
        const idField = trade ? { reqId: r.id } : { req_id: r.id };
        const pong = trade
          ? { ...idField, retCode: 0, retMsg: 'OK', op: 'pong', data: [], connId: '' }
          : { success: true, ret_msg: 'pong', conn_id: '', ...idField, op: 'ping' };
        return { kind: 'local', reply: JSON.stringify(pong) };
      }
      return { kind: r.kind, id: r.id, method: method(r.op), request: r.request };
    },
    requestAdapter: requestAdapterOf(rest) as ExchangeAdapter,
    sessionState: (path) =>
      path === BYBIT_WS_AUTH_PATH ||
      path === `${BYBIT_WS_ONLY_PREFIX}subscribe` ||
      path === `${BYBIT_WS_ONLY_PREFIX}unsubscribe`,
    upstreamFrame: (upstreamId, outgoing) => bybitWsFrame(upstreamId, outgoing),
    parseUpstream(text) {
      let v: BybitAnswer;
      try {
        v = JSON.parse(text) as BybitAnswer;
      } catch {
        return { kind: 'event' };
      }
      if (!isRecord(v)) return { kind: 'event' };
      const okAnswer = v.success === true || v.retCode === 0;
      if (v.op === 'auth') return { kind: 'login', status: okAnswer ? 200 : 401 };
      if (v.op === 'pong' || v.ret_msg === 'pong' || v.op === 'ping') return { kind: 'ignored' };
      const id = numericId(v.reqId) ?? numericId(v.req_id);
      const refused = typeof v.retCode === 'number' && RATE_CODES.has(v.retCode) ? 429 : 400;
      if (id !== undefined) return { kind: 'response', id, status: okAnswer ? 200 : refused };
      return { kind: 'event' };
    },
    usageHeaders: bybitWsUsageHeaders,
    responseFrame(text, id: WsId) {
      const v = JSON.parse(text) as Record<string, unknown>;
      const field = Object.hasOwn(v, 'reqId') ? 'reqId' : Object.hasOwn(v, 'req_id') ? 'req_id' : undefined;
      if (field === undefined) return text;
      const { [field]: _upstream, ...rest } = v;
      return JSON.stringify(id === null ? rest : { [field]: id, ...rest });
    },
    errorFrame(id, answer, method = '') {
      let retCode = 10016;
      let retMsg = 'keywarden could not serve this request';
      try {
        const e = JSON.parse(answer.body) as { retCode?: unknown; retMsg?: unknown };
        if (typeof e.retCode === 'number') retCode = e.retCode;
        if (typeof e.retMsg === 'string') retMsg = e.retMsg;
      } catch {
        // The default above.
      }
      // /v5/trade answers {reqId, retCode, retMsg, op, data, header, connId}; /v5/private {success, ret_msg, op, conn_id, req_id}.
      if (method.startsWith(TRADE_PREFIX)) {
        const op = method.slice(TRADE_PREFIX.length);
        return JSON.stringify({
          ...(id === null ? {} : { reqId: id }),
          retCode,
          retMsg,
          op,
          data: {},
          header: {},
          connId: '',
        });
      }
      return JSON.stringify({
        success: false,
        ret_msg: retMsg,
        conn_id: '',
        ...(id === null ? {} : { req_id: id }),
        op: method,
        request: { op: method },
      });
    },
  };
}
