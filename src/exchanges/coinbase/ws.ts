/**
 * Coinbase Advanced Trade's user channel through keywarden: `/coinbase/ws-user` for
 * `wss://advanced-trade-ws-user.coinbase.com`. A frame is `{type, channel, product_ids, jwt}`.
 *
 * The client's `jwt` is verified as Coinbase verifies a WebSocket JWT (signature by the client's
 * keywarden key, `sub`/`kid`, `nbf`/`exp`, the 2-minute lifetime), stricter in one way: a JWT
 * that names a REST request (`uri`) is refused. Coinbase reuses one WebSocket JWT for its 2
 * minutes (so does CCXT): no replay key. The subscribe runs the pipeline as a read
 * (`GET /ws-user/subscribe/<channel>?product_ids=…`) and goes upstream with a fresh JWT the sign
 * stage made with the real key. Coinbase answers a subscribe with a `subscriptions` channel
 * message and no request id: every upstream frame is relayed as an event.
 *
 * Relayed: `subscribe`/`unsubscribe` of `user`, `futures_balance_summary` and `heartbeats`.
 * Refused: the public channels (as Coinbase's own user endpoint refuses them; bots subscribe at
 * `wss://advanced-trade-ws.coinbase.com`, which needs no key). Coinbase offers no WebSocket
 * order entry.
 */
import { createHmac } from 'node:crypto';
import { parsedRequest, rawRequest, signedRequest, wireOf } from '../../core/index.js';
import type { Classification, ExchangeAdapter, ExchangeRequest } from '../adapter.js';
import { headerValue, withoutHeaders } from '../http-text.js';
import { isRecord, parseStrictJson } from '../strict-json.js';
import type { WsAdapter, WsFrame } from '../ws-adapter.js';
import { buildJwt, decodeJwt, verifyWsJwt } from './jwt.js';
import { loadSigningKey } from './signing-key.js';

const WS_PATH = '/ws-user';
const PREFIX = '/ws-user/';
export const COINBASE_WS_JWT_HEADER = 'x-coinbase-ws-jwt';
/** Legacy HMAC keys sign the WebSocket way: HMAC-SHA256(secret, timestamp + channel + product ids). */
const LEGACY_HEADERS = ['x-coinbase-ws-api-key', 'x-coinbase-ws-timestamp', 'x-coinbase-ws-signature'];

export const COINBASE_WS_PRIVATE_CHANNELS = ['user', 'futures_balance_summary', 'heartbeats'] as const;
const PUBLIC_CHANNELS = ['ticker', 'ticker_batch', 'level2', 'l2_data', 'market_trades', 'candles', 'status'];
const PRODUCT_ID = /^[A-Z0-9]{1,20}-[A-Z0-9]{1,20}$/;
const MAX_PRODUCTS = 50;

function refused(message: string): WsFrame {
  return { kind: 'refused', id: null, errorKind: 'bad_request', message };
}

/** Read one client frame into its REST-equivalent request. */
export function parseCoinbaseWsFrame(text: string): WsFrame {
  const parsed = parseStrictJson(text);
  if (!parsed.ok || !isRecord(parsed.value)) return refused('frame is not a JSON object');
  const f = parsed.value;
  for (const k of Object.keys(f))
    if (!['type', 'channel', 'product_ids', 'jwt'].includes(k))
      return refused(`unknown frame field "${k.slice(0, 40)}" (keywarden relays JWT subscriptions only)`);
  const { type, channel, jwt } = f;
  if (type !== 'subscribe' && type !== 'unsubscribe') return refused('type must be subscribe or unsubscribe');
  if (typeof channel !== 'string') return refused('channel is required');
  if (PUBLIC_CHANNELS.includes(channel))
    return refused(
      `public channel "${channel}" is not relayed by keywarden: subscribe at wss://advanced-trade-ws.coinbase.com directly`,
    );
  if (!(COINBASE_WS_PRIVATE_CHANNELS as readonly string[]).includes(channel))
    return refused('unknown channel');
  const ids = f.product_ids ?? [];
  if (
    !Array.isArray(ids) ||
    ids.length > MAX_PRODUCTS ||
    !ids.every((p) => typeof p === 'string' && PRODUCT_ID.test(p))
  )
    return refused(`product_ids must be at most ${MAX_PRODUCTS} product ids such as BTC-USD`);
  if (jwt !== undefined && (typeof jwt !== 'string' || jwt.length > 4096))
    return refused('jwt must be a string');
  return {
    kind: 'request',
    id: null,
    method: type,
    request: {
      method: 'GET',
      path: `${PREFIX}${type}/${channel}`,
      query: ids.length === 0 ? '' : `product_ids=${ids.join(',')}`,
      body: '',
      headers: jwt === undefined ? {} : { [COINBASE_WS_JWT_HEADER]: jwt },
    },
  };
}

function partsOf(request: ExchangeRequest): { type: string; channel: string; productIds: string[] } {
  const [type = '', channel = ''] = request.path.slice(PREFIX.length).split('/');
  const q = request.query.startsWith('product_ids=') ? request.query.slice('product_ids='.length) : '';
  return { type, channel, productIds: q === '' ? [] : q.split(',') };
}

export function classifyCoinbaseWs(request: ExchangeRequest): Classification {
  const endpoint = `WS ${request.path.slice(PREFIX.length)}`;
  const { type, channel } = partsOf(request);
  const known =
    request.path.startsWith(PREFIX) &&
    (type === 'subscribe' || type === 'unsubscribe') &&
    (COINBASE_WS_PRIVATE_CHANNELS as readonly string[]).includes(channel) &&
    (request.query === '' || /^product_ids=[A-Z0-9,-]{1,2100}$/.test(request.query));
  return known
    ? { action: 'read', endpoint, orders: [] }
    : { action: 'unknown', endpoint, orders: [], rejected: 'not a Coinbase user-channel subscription' };
}

function upstreamUrl(baseUrl: string, path: string): string {
  const base = baseUrl.replace(/\/+$/, '');
  if (base === 'https://api.coinbase.com') return 'wss://advanced-trade-ws-user.coinbase.com';
  return `${base.replace(/^http/, 'ws')}${path}`;
}

function requestAdapterOf(rest: ExchangeAdapter): ExchangeAdapter<undefined> {
  const { ws: _ws, answerLocally: _none, ...base } = rest;
  const jwtOf = (r: Readonly<ExchangeRequest>) => headerValue(r.headers, COINBASE_WS_JWT_HEADER);
  return {
    ...base,
    parse: (request) => ({ ok: true, request: parsedRequest(rawRequest(request), undefined) }),
    clientKeyId(request) {
      const t = jwtOf(wireOf(request));
      const jwt = t === undefined ? undefined : decodeJwt(t);
      const id = jwt?.header.kid ?? jwt?.claims.sub;
      return typeof id === 'string' ? id : undefined;
    },
    verifyClient: (request, verifier, ctx) =>
      verifyWsJwt(
        jwtOf(wireOf(request)),
        {
          apiKey: verifier.apiKey,
          publicKeyPem: verifier.secret,
          nowSeconds: Math.floor(ctx.clock.now() / 1000),
        },
        true,
      ),
    stripAuth(request) {
      const r = wireOf(request);
      return { ...r, headers: withoutHeaders(r.headers, [COINBASE_WS_JWT_HEADER]) };
    },
    classify: (request) => classifyCoinbaseWs(wireOf(request)),
    sign(request, credential, ctx) {
      const key = loadSigningKey(credential);
      const nowSeconds = Math.floor(ctx.clock.now() / 1000);
      if (key.kind === 'hmac') {
        const { channel, productIds } = partsOf(request);
        const ts = String(nowSeconds);
        const signature = createHmac('sha256', key.secret)
          .update(`${ts}${channel}${productIds.join(',')}`)
          .digest('hex');
        const [k, t, s] = LEGACY_HEADERS as [string, string, string];
        return signedRequest({ ...request, headers: { [k]: credential.apiKey, [t]: ts, [s]: signature } });
      }
      const jwt = buildJwt({ apiKey: credential.apiKey, key, nowSeconds });
      return signedRequest({ ...request, headers: { [COINBASE_WS_JWT_HEADER]: jwt } });
    },
  };
}

function upstreamFrame(request: ExchangeRequest): string {
  const { type, channel, productIds } = partsOf(request);
  const h = request.headers;
  const [k, t, s] = LEGACY_HEADERS as [string, string, string];
  const auth =
    h[COINBASE_WS_JWT_HEADER] !== undefined
      ? { jwt: h[COINBASE_WS_JWT_HEADER] }
      : { api_key: h[k], timestamp: h[t], signature: h[s] };
  return JSON.stringify({ type, product_ids: productIds, channel, ...auth });
}

/** The Coinbase WebSocket members; `rest` is the Coinbase REST adapter. */
export function coinbaseWs(rest: ExchangeAdapter): WsAdapter {
  return {
    paths: [WS_PATH],
    upstreamUrl,
    parseFrame: parseCoinbaseWsFrame,
    requestAdapter: requestAdapterOf(rest) as ExchangeAdapter,
    // Every relayed frame is a (un)subscription of the connection.
    sessionState: (path) => path.startsWith(PREFIX),
    upstreamFrame: (_id, outgoing) => upstreamFrame(outgoing),
    upstreamSession: () => ({ frame: async (_id, outgoing) => upstreamFrame(outgoing), unanswered: true }),
    parseUpstream: () => ({ kind: 'event' }),
    responseFrame: () => undefined,
    errorFrame(_id, answer) {
      let message =
        answer.status === 401 ? 'authentication failure' : 'keywarden could not serve this request';
      try {
        const v = JSON.parse(answer.body) as { message?: unknown };
        if (typeof v.message === 'string') message = v.message;
      } catch {
        // Coinbase's 401 is plain text.
      }
      const code = answer.headers['x-keywarden-code'];
      if (code !== undefined && !message.includes(`[${code}]`))
        message = `${message} (keywarden denied [${code}])`;
      return JSON.stringify({ type: 'error', message });
    },
  };
}
