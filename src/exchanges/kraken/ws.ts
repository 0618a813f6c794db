/**
 * Kraken WebSocket v2 through keywarden: `/kraken/v2` for `wss://ws-auth.kraken.com/v2`.
 *
 * The bot's token is keywarden's (ws-token.ts), minted when the gateway answers its REST
 * `GetWebSocketsToken`; every frame proves the client with it and runs the pipeline as its
 * REST-equivalent request (ws-frames.ts). Each upstream connection holds a real token that
 * keywarden fetched with the real key (the sign stage signs that `GetWebSocketsToken` per
 * frame; the connection spends one signature only when it has no fresh token); it goes only
 * into upstream frames, and an upstream frame that carried it would reach the client without it.
 *
 * Relayed: `subscribe`/`unsubscribe` of `executions` and `balances` (reads, with their strict
 * parameters) and `ping` (answered by keywarden). Refused: public channels (market data needs no
 * key: bots subscribe at `wss://ws.kraken.com/v2`). Order methods (`add_order`, `amend_order`,
 * `cancel_order`, `batch_add`, …) and unknown methods run the pipeline (verified, audited) and
 * are denied (`request_rejected`) in every policy mode: keywarden takes Kraken orders over REST,
 * where their strict schemas apply.
 */
import {
  type AdapterInput,
  KeywardenError,
  parsedRequest,
  rawRequest,
  signedRequest,
  wireOf,
} from '../../core/index.js';
import type { Classification, ExchangeAdapter, ExchangeRequest } from '../adapter.js';
import { headerValue, withoutHeaders } from '../http-text.js';
import type { WsAdapter, WsUpstreamSession } from '../ws-adapter.js';
import { krakenSignature } from './auth.js';
import { KRAKEN_ERRORS } from './errors.js';
import {
  KRAKEN_WS_PREFIX,
  KRAKEN_WS_TOKEN_HEADER,
  krakenWsAnswer,
  krakenWsMethodOf,
  krakenWsPong,
  parseKrakenWsFrame,
} from './ws-frames.js';
import { INVALID_SESSION, krakenWsTokenKeyId, verifyKrakenWsToken } from './ws-token.js';

const WS_PATH = '/v2';
const TOKEN_PATH = '/0/private/GetWebSocketsToken';
/** How long a connection reuses the real token for new frames (Kraken accepts one for 15 minutes). */
const REAL_TOKEN_REUSE_MS = 10 * 60_000;
/** Where the sign stage puts the signed `GetWebSocketsToken` body for the connection to send. */
const TOKEN_BODY_HEADER = 'x-keywarden-token-body';

/** Parameters each relayed request may carry (all booleans), beyond `token` and `channel`. */
const READ_PARAMS: Readonly<Record<string, readonly string[]>> = {
  'subscribe/executions': ['snap_orders', 'snap_trades', 'order_status', 'rebased', 'ratecounter'],
  'subscribe/balances': ['snapshot', 'rebased'],
  'unsubscribe/executions': [],
  'unsubscribe/balances': [],
};
/** Kraken's WebSocket order entry, denied (see above), by what it would do. */
const ORDER_METHODS: Readonly<Record<string, 'trade' | 'cancel'>> = {
  add_order: 'trade',
  amend_order: 'trade',
  edit_order: 'trade',
  batch_add: 'trade',
  cancel_order: 'cancel',
  cancel_all: 'cancel',
  cancel_on_disconnect: 'cancel',
  batch_cancel: 'cancel',
};

function upstreamUrl(baseUrl: string, path: string): string {
  const base = baseUrl.replace(/\/+$/, '');
  if (base === 'https://api.kraken.com') return `wss://ws-auth.kraken.com${path}`;
  return `${base.replace(/^http/, 'ws')}${path}`;
}

export function classifyKrakenWs(request: ExchangeRequest): Classification {
  const name = request.path.startsWith(KRAKEN_WS_PREFIX) ? request.path.slice(KRAKEN_WS_PREFIX.length) : '';
  const endpoint = `WS ${name}`;
  const allowed = Object.hasOwn(READ_PARAMS, name) ? READ_PARAMS[name] : undefined;
  if (!allowed) {
    const action = Object.hasOwn(ORDER_METHODS, name) ? ORDER_METHODS[name] : undefined;
    return {
      action: action ?? 'unknown',
      endpoint,
      orders: [],
      rejected: action
        ? `${name} is not relayed over WebSocket by keywarden: place and cancel Kraken orders over REST`
        : `unknown method ${name.slice(0, 40)}`,
    };
  }
  const out: Classification = { action: 'read', endpoint, orders: [] };
  let body: unknown;
  try {
    body = JSON.parse(request.body === '' ? '{}' : request.body);
  } catch {
    return { ...out, rejected: 'params must be an object' };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return { ...out, rejected: 'params must be an object' };
  for (const [k, v] of Object.entries(body)) {
    if (!allowed.includes(k)) return { ...out, rejected: `${name}: unknown parameter "${k.slice(0, 40)}"` };
    if (typeof v !== 'boolean') return { ...out, rejected: `${name}: ${k} must be a boolean` };
  }
  return out;
}

function requestAdapterOf(rest: ExchangeAdapter): ExchangeAdapter<undefined> {
  const { answerLocally: _notOverWebSocket, ws: _ws, ...base } = rest;
  const token = (r: AdapterInput<undefined>) => headerValue(wireOf(r).headers, KRAKEN_WS_TOKEN_HEADER);
  return {
    ...base,
    parse: (request) => ({ ok: true, request: parsedRequest(rawRequest(request), undefined) }),
    clientKeyId(request) {
      const t = token(request);
      return t === undefined ? undefined : krakenWsTokenKeyId(t);
    },
    verifyClient: (request, verifier, ctx) => verifyKrakenWsToken(token(request), verifier, ctx.clock.now()),
    stripAuth(request) {
      const r = wireOf(request);
      return { ...r, headers: withoutHeaders(r.headers, [KRAKEN_WS_TOKEN_HEADER]) };
    },
    classify: (request) => classifyKrakenWs(wireOf(request)),
    publicWeight: () => 1,
    sign(request, credential, ctx) {
      // The frame goes as it is; what is signed is the real token request the connection may need.
      const nonce = ctx.nonce.next();
      const body = `nonce=${nonce}`;
      return signedRequest({
        ...request,
        headers: {
          'api-key': credential.apiKey,
          'api-sign': krakenSignature(TOKEN_PATH, nonce, body, credential.secret),
          [TOKEN_BODY_HEADER]: body,
        },
      });
    },
  };
}

/** The token's spellings in a JSON text (`/` may be escaped). */
function spellings(token: string): string[] {
  const escaped = token.replaceAll('/', '\\/');
  return escaped === token ? [token] : [token, escaped];
}

function session(send: (r: ExchangeRequest) => Promise<{ status: number; body: string }>): WsUpstreamSession {
  let token: string | undefined;
  let fetchedAt = 0;
  let fetching: Promise<string> | undefined;

  async function fetchToken(headers: Record<string, string>): Promise<string> {
    const body = headers[TOKEN_BODY_HEADER] ?? '';
    const answer = await send({
      method: 'POST',
      path: TOKEN_PATH,
      query: '',
      body,
      headers: {
        'API-Key': headers['api-key'] ?? '',
        'API-Sign': headers['api-sign'] ?? '',
        'Content-Type': 'application/x-www-form-urlencoded',
      },
    });
    let v: { error?: unknown; result?: { token?: unknown } } = {};
    try {
      v = JSON.parse(answer.body) as typeof v;
    } catch {
      // Reported below.
    }
    const t = v.result?.token;
    if (typeof t !== 'string' || t === '') {
      const why = Array.isArray(v.error) ? v.error.filter((e) => typeof e === 'string').join(', ') : '';
      throw new KeywardenError(
        'upstream_failed',
        `Kraken issued no WebSocket token for the key${why === '' ? '' : `: ${why.slice(0, 200)}`}`,
      );
    }
    return t;
  }

  return {
    async frame(upstreamId, outgoing) {
      if (token === undefined || Date.now() - fetchedAt > REAL_TOKEN_REUSE_MS) {
        fetching ??= fetchToken(outgoing.headers).finally(() => {
          fetching = undefined;
        });
        const t = await fetching;
        if (t !== token) {
          token = t;
          fetchedAt = Date.now();
        }
      }
      const { method, params } = krakenWsMethodOf(outgoing.path, outgoing.body);
      return JSON.stringify({ method, params: { ...params, token }, req_id: upstreamId });
    },
    relay(text) {
      if (token === undefined) return text;
      let out = text;
      for (const s of spellings(token)) out = out.replaceAll(s, '[withheld by keywarden]');
      return out;
    },
  };
}

/** The Kraken WebSocket members; `rest` is the Kraken REST adapter. */
export function krakenWs(rest: ExchangeAdapter): WsAdapter {
  return {
    paths: [WS_PATH],
    upstreamUrl,
    parseFrame(text) {
      const r = parseKrakenWsFrame(text);
      if (r.ok === 'ping') return { kind: 'local', reply: krakenWsPong(r.id, Date.now()) };
      if (r.ok) return { kind: 'request', id: r.id, method: r.method, request: r.request };
      return {
        kind: 'refused',
        id: r.id,
        errorKind: 'bad_request',
        message: r.message,
        ...(r.method === undefined ? {} : { method: r.method }),
      };
    },
    requestAdapter: requestAdapterOf(rest) as ExchangeAdapter,
    // Subscriptions are per connection (and carry its real token); nothing else is relayed.
    sessionState: (path) =>
      path.startsWith(`${KRAKEN_WS_PREFIX}subscribe/`) || path.startsWith(`${KRAKEN_WS_PREFIX}unsubscribe/`),
    upstreamFrame() {
      // Every frame needs the connection's real token: built by its session.
      throw new KeywardenError('internal', 'Kraken frames are built by the upstream session');
    },
    upstreamSession: (send) => session(send),
    parseUpstream(text) {
      try {
        const v = JSON.parse(text) as { req_id?: unknown; method?: unknown; success?: unknown };
        if (typeof v.req_id === 'number' && typeof v.method === 'string')
          return { kind: 'response', id: v.req_id, status: v.success === true ? 200 : 400 };
      } catch {
        // Not JSON: relayed as an event.
      }
      return { kind: 'event' };
    },
    responseFrame(text, id) {
      const v = JSON.parse(text) as Record<string, unknown>;
      if (id === null) delete v.req_id;
      else v.req_id = id;
      return JSON.stringify(v);
    },
    errorFrame(id, answer, method) {
      let errors: string[] = [];
      try {
        const v = JSON.parse(answer.body) as { error?: unknown };
        if (Array.isArray(v.error)) errors = v.error.filter((e): e is string => typeof e === 'string');
      } catch {
        // A generic error below.
      }
      const [first = KRAKEN_ERRORS.internal, detail] = errors;
      // REST's key and signature errors are, on a WebSocket, a token Kraken does not accept.
      const canonical = first.startsWith('EAPI:Invalid') ? INVALID_SESSION : first;
      const error = detail === undefined ? canonical : `${canonical} (${detail.replace(/^EGeneral:/, '')})`;
      return krakenWsAnswer(method, id, Date.now(), { error });
    },
  };
}
