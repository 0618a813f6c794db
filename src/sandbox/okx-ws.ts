/**
 * Emulated OKX v5 private WebSocket (`/ws/v5/private`, `/ws/v5/business`). The login is verified
 * as OKX does (okxWsLoginVerify: timestamp in seconds within 30 s, passphrase, then the sign over
 * timestamp + 'GET/users/self/verify'), with the key's IP allow-list. Order ops are executed by
 * the REST emulator (re-signed inside the sandbox with the same key), so both faces share one
 * order book. After a subscription to `orders` or `account` the connection receives the account's
 * order and balance pushes in OKX's shapes (the REST shapes, which OKX's channels share), whether
 * the orders were placed by REST or WebSocket.
 */
import { randomBytes } from 'node:crypto';
import type { ExchangeRequest, ExchangeResponse } from '../exchanges/index.js';
import { isRecord } from '../exchanges/index.js';
import { OKX_WS_OPS, okx, okxWsLoginVerify, parseOkxWsFrame } from '../exchanges/okx/index.js';
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

const CHANNELS = new Set(['orders', 'account', 'positions', 'balance_and_position', 'orders-algo']);
const UID = '44705892343619584';

interface OkxBody {
  code?: string;
  msg?: string;
  data?: unknown[];
}

function session(peer: SandboxWsPeer, ctx: SandboxContext & { emulator: SandboxEmulator }): SandboxWsSession {
  const connId = randomBytes(4).toString('hex');
  let key: SandboxKey | undefined;
  const channels = new Set<string>();
  const seenOrders = new Map<string, string>();
  let seenBalance: string | undefined;
  const send = (v: unknown) => peer.send(JSON.stringify(v));
  const withId = (id: unknown) => (id === null || id === undefined ? {} : { id });

  async function rest(k: SandboxKey, request: ExchangeRequest): Promise<ExchangeResponse> {
    const signed = okx.sign(request, k.credential, {
      clock: ctx.clock,
      nonce: { next: () => String(ctx.clock.now()) },
      baseUrl: '',
    });
    return ctx.emulator.handle(
      { ...signed, headers: { ...signed.headers }, sourceIp: peer.sourceIp, host: peer.host, prefix: '/okx' },
      ctx,
    );
  }
  const get = (k: SandboxKey, path: string, query = '') =>
    rest(k, { method: 'GET', path, query, body: '', headers: {} });
  const dataOf = (r: ExchangeResponse): unknown[] => (JSON.parse(r.body) as OkxBody).data ?? [];

  async function orders(k: SandboxKey, emit: boolean): Promise<void> {
    const all = [
      ...dataOf(await get(k, '/api/v5/trade/orders-pending')),
      ...dataOf(await get(k, '/api/v5/trade/orders-history', 'instType=SPOT')),
    ].filter(isRecord);
    const changed = all.filter((o) => {
      const id = String(o.ordId);
      const s = JSON.stringify(o);
      if (seenOrders.get(id) === s) return false;
      seenOrders.set(id, s);
      return true;
    });
    if (emit && changed.length > 0)
      send({ arg: { channel: 'orders', instType: 'ANY', uid: UID }, data: changed });
  }

  async function balance(k: SandboxKey, emit: boolean): Promise<void> {
    const [account] = dataOf(await get(k, '/api/v5/account/balance')).filter(isRecord);
    if (!account) return;
    const details = Array.isArray(account.details) ? account.details.filter(isRecord) : [];
    const s = JSON.stringify(details.map(({ uTime: _t, ...d }) => d));
    if (s === seenBalance) return;
    seenBalance = s;
    if (emit) send({ arg: { channel: 'account', uid: UID }, eventType: 'event', data: [account] });
  }

  async function pushes(): Promise<void> {
    if (!key) return;
    if (channels.has('orders')) await orders(key, true);
    if (channels.has('account')) await balance(key, true);
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
      const f = parseOkxWsFrame(text);
      if (f.ok && f.kind === 'ping') {
        peer.send('pong');
        return undefined;
      }
      if (!f.ok) {
        send({
          ...withId(f.id),
          event: 'error',
          code: '60012',
          msg: `Invalid request: ${f.message}`,
          connId,
        });
        return log(f.op ?? 'invalid', 400);
      }
      const { id, op, request } = f;
      if (f.kind === 'login') {
        const apiKey = request.headers['ok-access-key'] ?? '';
        const k = ctx.keyById(apiKey);
        const refuse = (code: string, msg: string) => {
          send({ event: 'error', code, msg, connId });
          return log(op, 401);
        };
        if (!k) return refuse('60005', 'Invalid apiKey');
        if (ipRefused(k, { ...request, sourceIp: peer.sourceIp, host: peer.host, prefix: '/okx' }))
          return refuse('60009', 'Login failure');
        if (key) return refuse('60030', 'The WebSocket endpoint does not allow multiple or repeated logins.');
        const failure = okxWsLoginVerify(
          request.headers,
          k.verifySecret,
          k.credential.password,
          ctx.clock.now(),
        );
        if (failure) return refuse(failure.code, failure.msg);
        key = k;
        send({ event: 'login', code: '0', msg: '', connId });
        return log(op, 200);
      }
      if (!key) {
        send({ ...withId(id), event: 'error', code: '60011', msg: 'Please log in', connId });
        return log(op, 401);
      }
      const args = JSON.parse(request.body) as unknown;
      if (op === 'subscribe' || op === 'unsubscribe') {
        const list = (Array.isArray(args) ? args : []).filter(isRecord);
        for (const arg of list) {
          const channel = String(arg.channel);
          if (!CHANNELS.has(channel)) {
            send({
              ...withId(id),
              event: 'error',
              code: '60018',
              msg: `Wrong URL or channel:${channel} doesn't exist.`,
              connId,
            });
            return log(op, 400, `channel=${channel}`);
          }
        }
        for (const arg of list) {
          const channel = String(arg.channel);
          if (op === 'unsubscribe') channels.delete(channel);
          else channels.add(channel);
          send({ ...withId(id), event: op, arg, connId });
          if (op === 'subscribe' && channel === 'orders') await orders(key, false);
          // OKX pushes the account channel's snapshot at once.
          if (op === 'subscribe' && channel === 'account') {
            seenBalance = undefined;
            await balance(key, true);
          }
        }
        return log(op, 200, list.map((a) => `channel=${String(a.channel)}`).join('&'));
      }
      const target = Object.hasOwn(OKX_WS_OPS, op) ? OKX_WS_OPS[op] : undefined;
      if (!target) {
        send({ ...withId(id), event: 'error', code: '60019', msg: `Invalid op: ${op}`, connId });
        return log(op, 400);
      }
      const inTime = String(ctx.clock.now() * 1000);
      const answer = await rest(key, { ...request, headers: { 'content-type': 'application/json' } });
      const body = JSON.parse(answer.body) as OkxBody;
      send({
        ...withId(id),
        op,
        code: body.code ?? '1',
        msg: body.msg ?? '',
        data: body.data ?? [],
        inTime,
        outTime: String(ctx.clock.now() * 1000),
      });
      return log(op, answer.status, `code=${body.code ?? ''}`);
    },
  };
}

export const okxWsEmulator: SandboxWsEmulator = {
  paths: ['/ws/v5/private', '/ws/v5/business'],
  connect: (peer, _path, ctx) => session(peer, ctx),
};
