/**
 * Emulated Bybit v5 private WebSocket: `/v5/private` (auth, private topics) and `/v5/trade`
 * (auth, order entry). The auth is verified as Bybit does (bybitWsAuthVerify: `expires` ahead of
 * the clock, signature over 'GET/realtime' + expires), with the key's IP allow-list. Trade ops are
 * executed by the REST emulator (re-signed inside the sandbox with the same key), so both faces
 * share one order book. After a subscription to `order` or `wallet` the connection receives the
 * account's pushes in Bybit's shapes (the REST list items, which Bybit's topics share), whether the
 * orders were placed by REST or WebSocket.
 */
import { randomUUID } from 'node:crypto';
import { BYBIT_WS_OPS, bybit, bybitWsAuthVerify, parseBybitWsFrame } from '../exchanges/bybit/index.js';
import type { ExchangeRequest, ExchangeResponse } from '../exchanges/index.js';
import { isRecord } from '../exchanges/index.js';
import type {
  SandboxContext,
  SandboxEmulator,
  SandboxKey,
  SandboxWsEmulator,
  SandboxWsLog,
  SandboxWsPeer,
  SandboxWsSession,
} from './emulator.js';
import { ipRefused } from './key-auth.js';

const TOPICS = new Set(['order', 'execution', 'wallet', 'position', 'order.spot', 'execution.spot']);

interface BybitBody {
  retCode?: number;
  retMsg?: string;
  result?: unknown;
  retExtInfo?: unknown;
}

function session(
  peer: SandboxWsPeer,
  path: string,
  ctx: SandboxContext & { emulator: SandboxEmulator },
): SandboxWsSession {
  const trade = path === '/v5/trade';
  const connId = randomUUID();
  let key: SandboxKey | undefined;
  const topics = new Set<string>();
  const seenOrders = new Map<string, string>();
  let seenWallet: string | undefined;
  const send = (v: unknown) => peer.send(JSON.stringify(v));
  const idOf = (id: unknown) =>
    id === null || id === undefined ? {} : trade ? { reqId: id } : { req_id: id };
  /** An answer in the path's shape: /v5/trade {retCode, retMsg, op, connId}, /v5/private {success, ret_msg, op, conn_id}. */
  const answer = (id: unknown, op: string, retCode: number, retMsg: string, extra: object = {}) =>
    send(
      trade
        ? { ...idOf(id), retCode, retMsg, op, ...extra, connId }
        : { success: retCode === 0, ret_msg: retMsg, conn_id: connId, ...idOf(id), op },
    );

  async function rest(k: SandboxKey, request: ExchangeRequest): Promise<ExchangeResponse> {
    const signed = bybit.sign(request, k.credential, {
      clock: ctx.clock,
      nonce: { next: () => String(ctx.clock.now()) },
      baseUrl: '',
    });
    return ctx.emulator.handle(
      {
        ...signed,
        headers: { ...signed.headers },
        sourceIp: peer.sourceIp,
        host: peer.host,
        prefix: '/bybit',
      },
      ctx,
    );
  }
  const listOf = async (k: SandboxKey, p: string, query: string): Promise<Record<string, unknown>[]> => {
    const r = await rest(k, { method: 'GET', path: p, query, body: '', headers: {} });
    const result = (JSON.parse(r.body) as BybitBody).result;
    return isRecord(result) && Array.isArray(result.list) ? result.list.filter(isRecord) : [];
  };

  async function orders(k: SandboxKey, emit: boolean): Promise<void> {
    const all = [
      ...(await listOf(k, '/v5/order/realtime', 'category=spot')),
      ...(await listOf(k, '/v5/order/history', 'category=spot')),
    ];
    const changed = all
      .filter((o) => {
        const id = String(o.orderId);
        const s = JSON.stringify(o);
        if (seenOrders.get(id) === s) return false;
        seenOrders.set(id, s);
        return true;
      })
      .map((o) => ({ category: 'spot', ...o }));
    if (emit && changed.length > 0)
      send({ id: randomUUID(), topic: 'order', creationTime: ctx.clock.now(), data: changed });
  }

  async function wallet(k: SandboxKey, emit: boolean): Promise<void> {
    const list = await listOf(k, '/v5/account/wallet-balance', 'accountType=UNIFIED');
    const s = JSON.stringify(list);
    if (s === seenWallet) return;
    seenWallet = s;
    if (emit) send({ id: randomUUID(), topic: 'wallet', creationTime: ctx.clock.now(), data: list });
  }

  async function pushes(): Promise<void> {
    if (!key) return;
    if (topics.has('order') || topics.has('order.spot')) await orders(key, true);
    if (topics.has('wallet')) await wallet(key, true);
  }

  const log = (op: string, status: number, detail = ''): SandboxWsLog => ({
    method: 'WS',
    query: `op=${op}${detail === '' ? '' : `&${detail}`}`,
    status,
  });

  return {
    changed() {
      pushes().catch(() => undefined);
    },
    async message(text) {
      const f = parseBybitWsFrame(text, path);
      if (!f.ok) {
        answer(f.id, f.op ?? '', 10001, `error:${f.message}`);
        return log(f.op ?? 'invalid', 400);
      }
      if (f.kind === 'ping') {
        send(
          trade
            ? { ...idOf(f.id), op: 'pong', args: [String(ctx.clock.now())], connId }
            : { success: true, ret_msg: 'pong', conn_id: connId, ...idOf(f.id), op: 'ping' },
        );
        return undefined;
      }
      const { id, op, request } = f;
      if (f.kind === 'login') {
        const k = ctx.keyById(request.headers['x-bapi-api-key'] ?? '');
        const refuse = (retCode: number, msg: string) => {
          answer(id, op, retCode, msg);
          return log(op, 401);
        };
        if (!k) return refuse(10003, 'Invalid apikey');
        if (ipRefused(k, { ...request, sourceIp: peer.sourceIp, host: peer.host, prefix: '/bybit' }))
          return refuse(10010, "Unmatched IP, please check your API key's bound IP addresses.");
        if (key) return refuse(10001, 'Repeat auth');
        const failure = bybitWsAuthVerify(request.headers, k.verifySecret, ctx.clock.now());
        if (failure) return refuse(10004, failure.retMsg);
        key = k;
        answer(id, op, 0, trade ? 'OK' : '');
        return log(op, 200);
      }
      if (!key) {
        answer(id, op, 10003, 'Request not authorized');
        return log(op, 401);
      }
      if (!trade && (op === 'subscribe' || op === 'unsubscribe')) {
        const list = ((JSON.parse(request.body) as { args?: unknown[] }).args ?? []).map(String);
        const bad = list.find((t) => !TOPICS.has(t));
        if (bad !== undefined) {
          answer(id, op, 10001, `error:handler not found,topic:${bad}`);
          return log(op, 400, `topic=${bad}`);
        }
        for (const t of list) {
          if (op === 'unsubscribe') topics.delete(t);
          else topics.add(t);
          if (op === 'subscribe' && (t === 'order' || t === 'order.spot')) await orders(key, false);
          if (op === 'subscribe' && t === 'wallet') await wallet(key, false);
        }
        answer(id, op, 0, '');
        return log(op, 200, list.map((t) => `topic=${t}`).join('&'));
      }
      const target = trade && Object.hasOwn(BYBIT_WS_OPS, op) ? BYBIT_WS_OPS[op] : undefined;
      if (!target) {
        answer(id, op, 10001, `error:invalid op ${op}`);
        return log(op, 400);
      }
      const recv = request.headers['x-bapi-recv-window'];
      const r = await rest(key, {
        ...request,
        headers: { 'content-type': 'application/json', ...(recv ? { 'x-bapi-recv-window': recv } : {}) },
      });
      const body = JSON.parse(r.body) as BybitBody;
      answer(id, op, body.retCode ?? 10016, body.retMsg ?? '', {
        data: body.result ?? {},
        retExtInfo: body.retExtInfo ?? {},
        header: { 'X-Bapi-Limit': '10', 'X-Bapi-Limit-Status': '9', Timenow: String(ctx.clock.now()) },
      });
      return log(op, r.status, `retCode=${body.retCode ?? ''}`);
    },
  };
}

export const bybitWsEmulator: SandboxWsEmulator = {
  paths: ['/v5/private', '/v5/trade'],
  connect: (peer, path, ctx) => session(peer, path, ctx),
};
