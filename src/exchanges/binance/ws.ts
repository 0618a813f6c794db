/**
 * Binance's WebSocket API through keywarden: `/binance/ws-api/v3`. Each signed request (and the
 * `userDataStream.subscribe.signature` that starts the user data stream) is verified against
 * the client's keywarden credential with Binance's own algorithm, runs the pipeline as its REST
 * equivalent, and is re-signed with the real key. `session.logon` is refused: it authenticates
 * a whole connection, which would let later requests through unsigned by the client.
 */
import { type AdapterInput, KeywardenError, parsedRequest, signedRequest, wireOf } from '../../core/index.js';
import type { Classification, ExchangeAdapter, ExchangeRequest } from '../adapter.js';
import { dropRawParams } from '../http-text.js';
import { type Params, parseParams } from '../params.js';
import type { WsAdapter, WsId } from '../ws-adapter.js';
import { binanceSignature } from './auth.js';
import { paramsOf } from './parse.js';
import { binanceWsUsageHeaders } from './rate-rules.js';
import {
  BINANCE_WS_FRAME_FIELDS,
  binanceWsFrame,
  binanceWsMethodOf,
  parseBinanceWsFrame,
  WS_ONLY_PREFIX,
} from './ws-frames.js';

const FRAME_FIELDS: readonly string[] = BINANCE_WS_FRAME_FIELDS;

const WS_API = '/ws-api/v3';
const WS_ONLY = WS_ONLY_PREFIX;
/** Parameters a WebSocket-only read may carry besides the auth ones. */
const WS_ONLY_PARAMS: Readonly<Record<string, readonly string[]>> = {
  'userDataStream.subscribe.signature': [],
  'userDataStream.unsubscribe': ['subscriptionId'],
};
const AUTH = new Set(['timestamp', 'recvWindow', 'signature']);

/** Production and testnet REST hosts → their WebSocket API hosts; any other base (the sandbox) keeps its host. */
const WS_HOSTS: Readonly<Record<string, string>> = {
  'https://api.binance.com': 'wss://ws-api.binance.com:443',
  'https://testnet.binance.vision': 'wss://ws-api.testnet.binance.vision',
  'https://demo-api.binance.com': 'wss://demo-ws-api.binance.com',
};

function upstreamUrl(baseUrl: string, path: string): string {
  const base = baseUrl.replace(/\/+$/, '');
  const known = WS_HOSTS[base];
  if (known) return `${known}${path}`;
  return `${base.replace(/^http/, 'ws')}${path}`;
}

function classifyWsOnly(input: AdapterInput<Params>, rest: ExchangeAdapter<Params>): Classification {
  const request = wireOf(input);
  if (!request.path.startsWith(WS_ONLY)) return rest.classify(input);
  const method = request.path.slice(WS_ONLY.length);
  const out: Classification = { action: 'read', endpoint: `WS ${method}`, orders: [] };
  const allowed = Object.hasOwn(WS_ONLY_PARAMS, method) ? WS_ONLY_PARAMS[method] : undefined;
  const p = paramsOf(input);
  if (!allowed) return { ...out, action: 'unknown' };
  if (!p.ok) return { ...out, rejected: p.message };
  for (const [k] of p.params)
    if (!AUTH.has(k) && !allowed.includes(k))
      return { ...out, rejected: `${method}: unknown parameter "${k}"` };
  return out;
}

/** Sign the WebSocket way: `apiKey` and `timestamp` join the parameters, all sorted, the signature over them. */
function signWs(): ExchangeAdapter<Params>['sign'] {
  return (request, credential, ctx) => {
    const parsed = parseParams(request.query);
    // The query is the one keywarden stripped after parsing it: it always parses.
    if (!parsed.ok) throw new KeywardenError('internal', 'unparsable WebSocket payload');
    const pairs = parsed.params.filter(
      ([k]) => k !== 'signature' && k !== 'timestamp' && !FRAME_FIELDS.includes(k),
    );
    pairs.push(['apiKey', credential.apiKey], ['timestamp', String(Math.floor(ctx.clock.now()))]);
    pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const payload = pairs.map(([k, v]) => `${k}=${v}`).join('&');
    // binanceSignature percent-encodes Ed25519/RSA signatures for a query string; the frame carries it decoded.
    const signature = decodeURIComponent(binanceSignature(payload, credential.secret));
    return signedRequest({
      ...request,
      query: `${payload}&signature=${encodeURIComponent(signature)}`,
      body: '',
      headers: {},
    });
  };
}

function requestAdapterOf(rest: ExchangeAdapter<Params>): ExchangeAdapter<Params> {
  return {
    ...rest,
    parse(request: ExchangeRequest) {
      const r = rest.parse(request);
      if (!r.ok) return r;
      // `apiKey` and the like are signed (they stay in the raw query the verifier reads) but are no order fields.
      const params = r.request.params.filter(([k]) => !FRAME_FIELDS.includes(k));
      return { ok: true, request: parsedRequest(r.request.raw, params) };
    },
    stripAuth(input) {
      const s = rest.stripAuth(input);
      return { ...s, query: dropRawParams(s.query, FRAME_FIELDS) };
    },
    classify: (input) => classifyWsOnly(input, rest),
    sign: signWs(),
  };
}

/** The Binance WebSocket members; `rest` is the Binance REST adapter. */
export function binanceWs(rest: ExchangeAdapter<Params>): WsAdapter {
  return {
    paths: [WS_API],
    upstreamUrl,
    parseFrame(text) {
      const r = parseBinanceWsFrame(text);
      if (r.ok) return { kind: 'request', id: r.id, method: r.method, request: r.request };
      return { kind: 'refused', id: r.id, errorKind: 'bad_request', message: r.message };
    },
    requestAdapter: requestAdapterOf(rest) as ExchangeAdapter,
    // The user data stream subscription is per connection; everything else is signed per frame.
    sessionState: (path) => path.startsWith(`${WS_ONLY}userDataStream.`),
    // Binance's WebSocket API announces a close (its 24 h limit, maintenance) with this event.
    shutdownNotice: (text) => /"e"\s*:\s*"serverShutdown"/.test(text),
    upstreamFrame(upstreamId, outgoing) {
      const method = binanceWsMethodOf(outgoing.method, outgoing.path);
      if (method === undefined) throw new Error('no WebSocket method for this request');
      return binanceWsFrame(upstreamId, method, outgoing.query);
    },
    parseUpstream(text) {
      const m = /^\{"id":(\d{1,15}),"status":(\d{3})[,}]/.exec(text);
      if (m) return { kind: 'response', id: Number(m[1]), status: Number(m[2]) };
      try {
        const v = JSON.parse(text) as { id?: unknown; status?: unknown };
        if (typeof v.id === 'number' && typeof v.status === 'number')
          return { kind: 'response', id: v.id, status: v.status };
      } catch {
        // Not JSON: relayed as an event would be; Binance sends none.
      }
      return { kind: 'event' };
    },
    usageHeaders: binanceWsUsageHeaders,
    responseFrame(text, id: WsId) {
      const v = JSON.parse(text) as Record<string, unknown>;
      return JSON.stringify({ ...v, id });
    },
    errorFrame(id, answer) {
      let error: unknown;
      try {
        error = JSON.parse(answer.body);
      } catch {
        error = { code: -1000, msg: 'keywarden could not serve this request' };
      }
      // A rate refusal names when to retry as Binance's WebSocket API does: `data.retryAfter`, ms epoch.
      const retry = Number(answer.headers['retry-after']);
      if ((answer.status === 429 || answer.status === 418) && Number.isFinite(retry) && retry > 0) {
        const serverTime = Date.now();
        error = { ...(error as object), data: { serverTime, retryAfter: serverTime + retry * 1000 } };
      }
      return JSON.stringify({ id, status: answer.status, error });
    },
  };
}
