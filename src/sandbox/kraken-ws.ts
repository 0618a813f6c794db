/**
 * Emulated Kraken WebSocket v2 (`/v2`, Kraken's `wss://ws-auth.kraken.com/v2`). A private
 * subscription carries a token from REST `GetWebSocketsToken`, checked as Kraken does: issued by
 * this exchange, to a key with the read permission, within its 15 minutes (a subscription once
 * made stays). `executions` streams the key's account's orders (a snapshot of the open ones,
 * then an update per change, whichever face placed them); `balances` its balances. `ping` is
 * answered with `pong`; any other method or channel with Kraken's error shape.
 */
import { randomBytes } from 'node:crypto';
import { isRecord, parseStrictJson } from '../exchanges/index.js';
import { krakenWsAnswer, krakenWsPong } from '../exchanges/kraken/index.js';
import type {
  SandboxContext,
  SandboxEmulator,
  SandboxKey,
  SandboxWsEmulator,
  SandboxWsPeer,
  SandboxWsSession,
} from './emulator.js';
import type { Order } from './engine.js';
import { perEngine } from './engine-state.js';
import { txid } from './kraken-ids.js';

const TOKEN_SECONDS = 900;
/** Kraken's error for a token it does not know or that has expired ("invalid session", per Kraken support quoted in knowm/XChange#3697; CCXT maps it to AuthenticationError). */
const INVALID_SESSION = 'ESession:Invalid session';

const tokens = perEngine(() => new Map<string, { apiKey: string; issuedAt: number }>());

/** REST `GetWebSocketsToken`: a random token for the key, `expires` in seconds. */
export function issueKrakenWsToken(key: SandboxKey, ctx: SandboxContext): { token: string; expires: number } {
  const token = randomBytes(32).toString('base64').replace(/=+$/, '');
  tokens(ctx.engine).set(token, { apiKey: key.credential.apiKey, issuedAt: ctx.clock.now() });
  return { token, expires: TOKEN_SECONDS };
}

/** Every token this engine's Kraken issued (tests check none reaches a keywarden client). */
export function krakenWsTokensIssued(engine: SandboxContext['engine']): string[] {
  return [...tokens(engine).keys()];
}

interface Subscription {
  channel: 'executions' | 'balances';
  account: string;
  seen: Map<string, string>;
  sequence: number;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '000Z');
}

function orderEvent(o: Order, changed: boolean) {
  const status =
    o.status === 'canceled'
      ? 'canceled'
      : o.status === 'filled'
        ? 'filled'
        : o.filled > 0
          ? 'partially_filled'
          : 'new';
  return {
    order_id: txid(o, 'O'),
    ...(o.clientOrderId !== undefined ? { cl_ord_id: o.clientOrderId } : {}),
    order_userref: 0,
    symbol: o.symbol,
    side: o.side,
    order_type: o.type,
    order_qty: o.quantity,
    ...(o.type === 'limit' && o.price !== undefined ? { limit_price: o.price } : {}),
    time_in_force: 'GTC',
    cum_qty: o.filled,
    cum_cost: o.filled * (o.averagePrice ?? 0),
    avg_price: o.averagePrice ?? 0,
    fee_usd_equiv: 0,
    fee_ccy_pref: 'fciq',
    exec_type: changed ? status : 'new',
    order_status: status,
    timestamp: iso(o.updatedAt),
  };
}

function session(peer: SandboxWsPeer, ctx: SandboxContext & { emulator: SandboxEmulator }): SandboxWsSession {
  const subs: Subscription[] = [];
  const send = (v: unknown) => peer.send(JSON.stringify(v));

  function emit(sub: Subscription, initial: boolean): void {
    const e = ctx.engine;
    const now = ctx.clock.now();
    if (sub.channel === 'executions') {
      const data: unknown[] = [];
      const orders = initial
        ? e.openOrders(sub.account)
        : [...e.openOrders(sub.account), ...e.closedOrders(sub.account)];
      for (const o of orders) {
        const s = `${o.status}:${o.filled}`;
        if (sub.seen.get(o.id) === s) continue;
        const known = sub.seen.has(o.id);
        sub.seen.set(o.id, s);
        data.push(orderEvent(o, known || o.status !== 'open'));
      }
      if (initial) for (const o of e.closedOrders(sub.account)) sub.seen.set(o.id, `${o.status}:${o.filled}`);
      if (initial || data.length > 0)
        send({
          channel: 'executions',
          type: initial ? 'snapshot' : 'update',
          data,
          sequence: ++sub.sequence,
        });
      return;
    }
    const data: unknown[] = [];
    for (const [asset, b] of e.balances(sub.account)) {
      const total = b.free + b.locked;
      const s = String(total);
      if (sub.seen.get(asset) === s) continue;
      sub.seen.set(asset, s);
      data.push(
        initial
          ? {
              asset,
              asset_class: 'currency',
              balance: total,
              wallets: [{ type: 'spot', id: 'main', balance: total }],
            }
          : {
              asset,
              asset_class: 'currency',
              balance: total,
              fee: 0,
              type: 'trade',
              subtype: '',
              category: 'trade',
              wallet_type: 'spot',
              wallet_id: 'main',
              timestamp: iso(now),
            },
      );
    }
    if (initial || data.length > 0)
      send({ channel: 'balances', type: initial ? 'snapshot' : 'update', data, sequence: ++sub.sequence });
  }

  return {
    changed() {
      for (const s of subs) emit(s, false);
    },
    async message(text) {
      const now = ctx.clock.now();
      const parsed = parseStrictJson(text);
      const frame = parsed.ok && isRecord(parsed.value) ? parsed.value : undefined;
      const id = typeof frame?.req_id === 'number' ? frame.req_id : null;
      const method = typeof frame?.method === 'string' ? frame.method : undefined;
      const params = frame && isRecord(frame.params) ? frame.params : {};
      const channel = typeof params.channel === 'string' ? params.channel : '';
      const logged = (status: number) => ({
        method: 'WS',
        query: `method=${method ?? 'invalid'}${channel === '' ? '' : `&channel=${channel}`}`,
        status,
      });
      const error = (message: string) => {
        peer.send(krakenWsAnswer(method, id, now, { error: message }));
        return logged(400);
      };
      if (method === 'ping') {
        peer.send(krakenWsPong(id, now));
        return logged(200);
      }
      if (method !== 'subscribe' && method !== 'unsubscribe') return error('EGeneral:Invalid arguments');
      if (channel !== 'executions' && channel !== 'balances')
        return error('EGeneral:Invalid arguments:channel');
      const token = typeof params.token === 'string' ? params.token : undefined;
      const issued = token === undefined ? undefined : tokens(ctx.engine).get(token);
      const key = issued ? ctx.keyById(issued.apiKey) : undefined;
      if (!issued || !key || issued.issuedAt + TOKEN_SECONDS * 1000 <= now) return error(INVALID_SESSION);
      if (!key.permissions.read) return error('EAccount:Invalid permissions');
      if (method === 'unsubscribe') {
        for (let i = subs.length - 1; i >= 0; i--) if (subs[i]?.channel === channel) subs.splice(i, 1);
        peer.send(krakenWsAnswer(method, id, now, { result: { channel } }));
        return logged(200);
      }
      const sub: Subscription = { channel, account: key.account, seen: new Map(), sequence: 0 };
      peer.send(
        krakenWsAnswer(method, id, now, {
          result:
            channel === 'executions'
              ? { channel, maxratecount: 180, snapshot: true }
              : { channel, snapshot: true },
        }),
      );
      subs.push(sub);
      emit(sub, true);
      return logged(200);
    },
  };
}

export const krakenWsEmulator: SandboxWsEmulator = {
  paths: ['/v2'],
  connect: (peer, _path, ctx) => session(peer, ctx),
};
