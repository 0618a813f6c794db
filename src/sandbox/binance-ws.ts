/**
 * Emulated Binance WebSocket API (`/ws-api/v3`). A signed request is verified as Binance does:
 * the key by `apiKey`, its IP allow-list, then the signature over the sorted parameters
 * (`apiKey` included) and its freshness, with the verifier the REST emulator uses. The REST
 * emulator then executes it (re-signed inside the sandbox), so both faces share one order book.
 * After `userDataStream.subscribe.signature` the connection receives `executionReport` and
 * `outboundAccountPosition` events of the key's account, `{subscriptionId, event}`-wrapped.
 */
import {
  BINANCE_WS_FRAME_FIELDS,
  BINANCE_WS_METHODS,
  binance,
  parseBinanceWsFrame,
} from '../exchanges/binance/index.js';
import { dropRawParams, type ExchangeResponse, withoutHeaders } from '../exchanges/index.js';
import { fmt, orderJson } from './binance-orders.js';
import type {
  SandboxContext,
  SandboxEmulator,
  SandboxKey,
  SandboxWsEmulator,
  SandboxWsPeer,
  SandboxWsSession,
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
      if (PUBLIC.has(method)) {
        reply(id, 200, method === 'time' ? { serverTime: ctx.clock.now() } : {});
        return logged(200);
      }
      const apiKey = request.headers['x-mbx-apikey'];
      const key = apiKey ? ctx.keyById(apiKey) : undefined;
      if (
        !key ||
        ipRefused(key, { ...request, sourceIp: peer.sourceIp, host: peer.host, prefix: '/binance' })
      ) {
        reply(id, 401, { code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' });
        return logged(401);
      }
      const verdict = verifyWithKey(
        binance,
        { ...request, sourceIp: peer.sourceIp, host: peer.host, prefix: '/binance' },
        key,
        ctx,
      );
      if (!verdict.ok) {
        const [status, code] =
          verdict.reason === 'bad_signature'
            ? [400, -1022]
            : verdict.reason === 'stale_timestamp'
              ? [400, -1021]
              : [400, -1102];
        reply(id, status, { code, msg: verdict.message });
        return logged(status);
      }
      if (method === 'userDataStream.subscribe.signature') {
        const sub: Subscription = {
          id: nextSub++,
          account: key.account,
          orders: new Map(),
          balances: new Map(),
        };
        snapshot(sub, false);
        subs.push(sub);
        reply(id, 200, { subscriptionId: sub.id });
        return logged(200);
      }
      if (method === 'userDataStream.unsubscribe') {
        subs.length = 0;
        reply(id, 200, {});
        return logged(200);
      }
      const answer = await execute(key, request);
      reply(id, answer.status, JSON.parse(answer.body));
      return logged(answer.status);
    },
  };
}

export const binanceWsEmulator: SandboxWsEmulator = {
  paths: ['/ws-api/v3'],
  connect: (peer, _path, ctx) => session(peer, ctx),
};
