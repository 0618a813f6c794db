/**
 * Emulated Binance WebSocket API (`/ws-api/v3`). A signed request is verified as Binance does:
 * the key by `apiKey`, its IP allow-list, then the signature over the sorted parameters
 * (`apiKey` included) and its freshness, with the verifier the REST emulator uses. The REST
 * emulator then executes it (re-signed inside the sandbox), so both faces share one order book.
 * After `userDataStream.subscribe.signature` the connection receives `executionReport` and
 * `outboundAccountPosition` events of the key's account, `{subscriptionId, event}`-wrapped.
 * Every request spends the REST request weight of its IP (./binance-limits.ts: the executed ones
 * through the REST face, the WebSocket's own methods at their documented weight, a connection 2),
 * and answers carry `rateLimits`; over the limit a request answers status 429 (then 418) with
 * `error.data.retryAfter`, as Binance's WebSocket API does.
 */
import {
  BINANCE_WS_FRAME_FIELDS,
  BINANCE_WS_METHODS,
  binance,
  binanceRateRules,
  parseBinanceWsFrame,
} from '../exchanges/binance/index.js';
import { dropRawParams, type ExchangeResponse, withoutHeaders } from '../exchanges/index.js';
import { binanceWeightLimited } from './binance-limits.js';
import { fmt, orderJson } from './binance-orders.js';
import {
  json,
  type SandboxContext,
  type SandboxEmulator,
  type SandboxKey,
  type SandboxWsEmulator,
  type SandboxWsPeer,
  type SandboxWsSession,
} from './emulator.js';
import type { Order } from './engine.js';
import { ipRefused, verifyWithKey } from './key-auth.js';

const PUBLIC = new Set(['ping', 'time']);

interface Subscription {
  id: number;
  account: string;
  orders: Map<string, string>;
  balances: Map<string, string>;
}

function orderState(o: Order): string {
  return `${o.status}:${o.filled}`;
}

function executionReport(o: Order, now: number) {
  const j = orderJson(o);
  return {
    e: 'executionReport',
    E: now,
    s: j.symbol,
    c: j.clientOrderId,
    S: j.side,
    o: j.type,
    f: j.timeInForce,
    q: j.origQty,
    p: j.price,
    P: fmt(0),
    F: fmt(0),
    g: -1,
    C: '',
    x: o.status === 'canceled' ? 'CANCELED' : o.filled > 0 ? 'TRADE' : 'NEW',
    X: j.status,
    r: 'NONE',
    i: j.orderId,
    l: fmt(o.filled),
    z: fmt(o.filled),
    L: fmt(o.averagePrice ?? 0),
    n: fmt(0),
    N: null,
    T: o.updatedAt,
    t: -1,
    w: o.status === 'open',
    m: false,
    M: false,
    O: o.createdAt,
    Z: j.cummulativeQuoteQty,
    Y: j.cummulativeQuoteQty,
    Q: fmt(0),
  };
}

function session(peer: SandboxWsPeer, ctx: SandboxContext & { emulator: SandboxEmulator }): SandboxWsSession {
  const subs: Subscription[] = [];
  let nextSub = 0;
  const reply = (id: unknown, status: number, body: unknown) =>
    peer.send(
      JSON.stringify(
        status === 200 ? { id, status, result: body, rateLimits: [] } : { id, status, error: body },
      ),
    );
  /** An answer of the REST face (or of the weight gate) as a WebSocket API response frame. */
  const replyFrom = (id: unknown, answer: ExchangeResponse) => {
    const h = answer.headers;
    const rateLimits = [
      ...(h['x-mbx-used-weight-1m'] === undefined
        ? []
        : [
            limitEntry('REQUEST_WEIGHT', 'MINUTE', 1, ctx.limits?.weightPerMinute, h['x-mbx-used-weight-1m']),
          ]),
      ...(h['x-mbx-order-count-10s'] === undefined
        ? []
        : [limitEntry('ORDERS', 'SECOND', 10, 100, h['x-mbx-order-count-10s'])]),
      ...(h['x-mbx-order-count-1d'] === undefined
        ? []
        : [limitEntry('ORDERS', 'DAY', 1, 200_000, h['x-mbx-order-count-1d'])]),
    ];
    const body: unknown = JSON.parse(answer.body);
    if (answer.status === 200) {
      peer.send(JSON.stringify({ id, status: 200, result: body, rateLimits }));
      return;
    }
    const retry = Number(h['retry-after']);
    const now = ctx.clock.now();
    const error =
      (answer.status === 429 || answer.status === 418) && Number.isFinite(retry)
        ? { ...(body as object), data: { serverTime: now, retryAfter: now + retry * 1000 } }
        : body;
    peer.send(JSON.stringify({ id, status: answer.status, error, rateLimits }));
  };
  const sandboxRequest = (request: {
    method: string;
    path: string;
    query: string;
    headers: Record<string, string>;
  }) => ({
    ...request,
    body: '',
    sourceIp: peer.sourceIp,
    host: peer.host,
    prefix: '/binance',
  });
  /** The weight Binance counts for a WebSocket-only method or a refused frame (its REST weight otherwise). */
  const wsWeight = (request: { method: string; path: string; query: string }) =>
    binanceRateRules
      .wsCost?.({ ...request, body: '' }, { connection: '', opens: false })
      .find((c) => c.limit === 'ip-weight-1m')?.units ?? 1;

  function snapshot(sub: Subscription, emit: boolean): void {
    const now = ctx.clock.now();
    const e = ctx.engine;
    for (const o of [...e.openOrders(sub.account), ...e.closedOrders(sub.account)]) {
      const s = orderState(o);
      if (sub.orders.get(o.id) === s) continue;
      sub.orders.set(o.id, s);
      if (emit) peer.send(JSON.stringify({ subscriptionId: sub.id, event: executionReport(o, now) }));
    }
    const changed: Array<{ a: string; f: string; l: string }> = [];
    for (const [asset, b] of e.balances(sub.account)) {
      const s = `${b.free}:${b.locked}`;
      if (sub.balances.get(asset) === s) continue;
      sub.balances.set(asset, s);
      changed.push({ a: asset, f: fmt(b.free), l: fmt(b.locked) });
    }
    if (emit && changed.length > 0)
      peer.send(
        JSON.stringify({
          subscriptionId: sub.id,
          event: { e: 'outboundAccountPosition', E: now, u: now, B: changed },
        }),
      );
  }

  async function execute(
    key: SandboxKey,
    request: { method: string; path: string; query: string },
  ): Promise<ExchangeResponse> {
    // The sandbox hands the verified request to its REST face, signed inside the sandbox with the same key.
    const stripped = {
      method: request.method,
      path: request.path,
      query: dropRawParams(request.query, [...BINANCE_WS_FRAME_FIELDS, 'signature', 'timestamp']),
      body: '',
      headers: {},
    };
    const signed = binance.sign(stripped, key.credential, {
      clock: ctx.clock,
      nonce: { next: () => String(ctx.clock.now()) },
      baseUrl: '',
    });
    return ctx.emulator.handle(
      {
        method: signed.method,
        path: signed.path,
        query: signed.query,
        body: signed.body,
        headers: withoutHeaders(signed.headers, []),
        sourceIp: peer.sourceIp,
        host: peer.host,
        prefix: '/binance',
      },
      ctx,
    );
  }

  return {
    changed() {
      for (const s of subs) snapshot(s, true);
    },
    // Binance announces a close (its 24 h limit, maintenance) on each user data stream subscription.
    shutdownNotice() {
      for (const s of subs)
        peer.send(
          JSON.stringify({ subscriptionId: s.id, event: { e: 'serverShutdown', E: ctx.clock.now() } }),
        );
    },
    async message(text) {
      const f = parseBinanceWsFrame(text);
      if (!f.ok) {
        reply(f.id, 400, {
          code: f.unknownMethod ? -1020 : -1000,
          msg: f.unknownMethod ? 'Unsupported operation.' : f.message,
        });
        return { method: 'WS', query: 'method=invalid', status: 400 };
      }
      const { id, method, request } = f;
      const logged = (status: number) => ({
        method: 'WS',
        query: `method=${method}${request.query === '' ? '' : `&${dropRawParams(request.query, ['signature', 'apiKey'])}`}`,
        status,
      });
      if (!Object.hasOwn(BINANCE_WS_METHODS, method)) {
        reply(id, 400, { code: -1020, msg: 'Unsupported operation.' });
        return logged(400);
      }
      const sb = sandboxRequest(request);
      // Everything but an executed request spends its weight here; an executed one in the REST face.
      let key: SandboxKey | undefined;
      const verify = (): ExchangeResponse => {
        if (PUBLIC.has(method)) return json(200, method === 'time' ? { serverTime: ctx.clock.now() } : {});
        const apiKey = request.headers['x-mbx-apikey'];
        const k = apiKey ? ctx.keyById(apiKey) : undefined;
        if (!k || ipRefused(k, sb))
          return json(401, { code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' });
        const verdict = verifyWithKey(binance, sb, k, ctx);
        if (!verdict.ok) {
          const code =
            verdict.reason === 'bad_signature' ? -1022 : verdict.reason === 'stale_timestamp' ? -1021 : -1102;
          return json(400, { code, msg: verdict.message });
        }
        if (method === 'userDataStream.subscribe.signature') {
          const sub: Subscription = {
            id: nextSub++,
            account: k.account,
            orders: new Map(),
            balances: new Map(),
          };
          snapshot(sub, false);
          subs.push(sub);
          return json(200, { subscriptionId: sub.id });
        }
        if (method === 'userDataStream.unsubscribe') {
          subs.length = 0;
          return json(200, {});
        }
        key = k;
        // Verified; executed below by the REST face, which counts its weight itself.
        return json(200, {});
      };
      // A request the REST face executes is weighed (and refused over the limit) there, once.
      const gated = isWsOnly(method)
        ? await binanceWeightLimited(sb, ctx, verify, wsWeight(request))
        : verify();
      if (!key || gated.status !== 200) {
        replyFrom(id, gated);
        return logged(gated.status);
      }
      const answer = await execute(key, request);
      replyFrom(id, answer);
      return logged(answer.status);
    },
  };
}

/** A WebSocket-only method (or ping/time): no REST face executes it, so its weight is spent here. */
const isWsOnly = (method: string) =>
  PUBLIC.has(method) || BINANCE_WS_METHODS[method]?.path.startsWith('/ws-api/') === true;

function limitEntry(
  type: string,
  interval: string,
  intervalNum: number,
  limit: number | undefined,
  count: string,
) {
  return { rateLimitType: type, interval, intervalNum, limit: limit ?? 0, count: Number(count) };
}

/** Binance: "Connecting to WebSocket API costs 2 weight", on the IP's REST minute. */
const CONNECT_WEIGHT = 2;

export const binanceWsEmulator: SandboxWsEmulator = {
  paths: ['/ws-api/v3'],
  connect(peer, _path, ctx) {
    ctx.limits?.spend(`binance:ip:${peer.sourceIp}`, 60_000, CONNECT_WEIGHT, ctx.clock.now());
    return session(peer, ctx);
  },
};
