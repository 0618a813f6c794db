/**
 * Emulated Coinbase Advanced Trade user WebSocket (`/ws-user`, Coinbase's
 * `wss://advanced-trade-ws-user.coinbase.com`). A subscribe carries a CDP JWT, verified as
 * Coinbase does (signature by the key's public key, `sub`/`kid`, `nbf`/`exp`, the 2-minute
 * lifetime; no `uri` needed, and a JWT may be reused within its life), the key needing the view
 * scope. `user` answers with a `subscriptions` message, then a snapshot of the account's open
 * orders and an update per order change, whichever face placed them; `heartbeats` and
 * `futures_balance_summary` are acknowledged. Errors are `{type: "error", message}`.
 */
import { decodeJwt, toProductId, verifyWsJwt } from '../exchanges/coinbase/index.js';
import { isRecord, parseStrictJson } from '../exchanges/index.js';
import type {
  SandboxContext,
  SandboxEmulator,
  SandboxWsEmulator,
  SandboxWsPeer,
  SandboxWsSession,
} from './emulator.js';
import type { Order } from './engine.js';

const CHANNELS = new Set(['user', 'heartbeats', 'futures_balance_summary']);

interface Subscription {
  account: string;
  products: string[];
  seen: Map<string, string>;
}

function fmt(n: number): string {
  const s = n.toFixed(10).replace(/0+$/, '').replace(/\.$/, '');
  return s === '-0' ? '0' : s;
}

function orderEvent(o: Order) {
  const status = o.status === 'canceled' ? 'CANCELLED' : o.status === 'filled' ? 'FILLED' : 'OPEN';
  return {
    order_id: o.id,
    client_order_id: o.clientOrderId ?? '',
    cumulative_quantity: fmt(o.filled),
    leaves_quantity: fmt(o.status === 'open' ? o.quantity - o.filled : 0),
    avg_price: fmt(o.averagePrice ?? 0),
    total_fees: fmt(o.filled * (o.averagePrice ?? 0) * 0.001),
    status,
    product_id: toProductId(o.symbol),
    creation_time: new Date(o.createdAt).toISOString(),
    order_side: o.side.toUpperCase(),
    order_type: o.type === 'limit' ? 'Limit' : 'Market',
    ...(o.type === 'limit' && o.price !== undefined ? { limit_price: fmt(o.price) } : {}),
    filled_value: fmt(o.filled * (o.averagePrice ?? 0)),
  };
}

function session(peer: SandboxWsPeer, ctx: SandboxContext & { emulator: SandboxEmulator }): SandboxWsSession {
  const subs: Subscription[] = [];
  let sequence = 0;
  const message = (channel: string, events: unknown[]) =>
    peer.send(
      JSON.stringify({
        channel,
        client_id: '',
        timestamp: new Date(ctx.clock.now()).toISOString(),
        sequence_num: sequence++,
        events,
      }),
    );

  function orders(sub: Subscription, initial: boolean): void {
    const e = ctx.engine;
    const all = initial
      ? e.openOrders(sub.account)
      : [...e.openOrders(sub.account), ...e.closedOrders(sub.account)];
    const changed: unknown[] = [];
    for (const o of all) {
      if (sub.products.length > 0 && !sub.products.includes(toProductId(o.symbol))) continue;
      const s = `${o.status}:${o.filled}`;
      if (sub.seen.get(o.id) === s) continue;
      sub.seen.set(o.id, s);
      changed.push(orderEvent(o));
    }
    if (initial) for (const o of e.closedOrders(sub.account)) sub.seen.set(o.id, `${o.status}:${o.filled}`);
    if (initial || changed.length > 0)
      message('user', [{ type: initial ? 'snapshot' : 'update', orders: changed }]);
  }

  return {
    changed() {
      for (const s of subs) orders(s, false);
    },
    async message(text) {
      const parsed = parseStrictJson(text);
      const f = parsed.ok && isRecord(parsed.value) ? parsed.value : undefined;
      const type = typeof f?.type === 'string' ? f.type : 'invalid';
      const channel = typeof f?.channel === 'string' ? f.channel : '';
      const logged = (status: number) => ({
        method: 'WS',
        query: `type=${type}${channel === '' ? '' : `&channel=${channel}`}`,
        status,
      });
      const error = (status: number, text: string) => {
        peer.send(JSON.stringify({ type: 'error', message: text }));
        return logged(status);
      };
      if (!f || (type !== 'subscribe' && type !== 'unsubscribe'))
        return error(400, 'Failed to parse message');
      if (!CHANNELS.has(channel)) return error(400, 'channel not available on this endpoint');
      const jwt = typeof f.jwt === 'string' ? f.jwt : undefined;
      const decoded = jwt === undefined ? undefined : decodeJwt(jwt);
      const keyId = decoded?.header.kid ?? decoded?.claims.sub;
      const key = typeof keyId === 'string' ? ctx.keyById(keyId) : undefined;
      if (!key) return error(401, 'authentication failure');
      const verdict = verifyWsJwt(
        jwt,
        {
          apiKey: key.credential.apiKey,
          publicKeyPem: key.verifySecret,
          nowSeconds: Math.floor(ctx.clock.now() / 1000),
        },
        false,
      );
      if (!verdict.ok) return error(401, 'authentication failure');
      if (!key.permissions.read) return error(403, 'missing required scope: view');
      const products = Array.isArray(f.product_ids)
        ? f.product_ids.filter((p): p is string => typeof p === 'string')
        : [];
      if (type === 'unsubscribe') {
        if (channel === 'user') subs.length = 0;
        message('subscriptions', [{ subscriptions: {} }]);
        return logged(200);
      }
      message('subscriptions', [
        { subscriptions: { [channel]: channel === 'user' ? ['sandbox-user'] : products } },
      ]);
      if (channel === 'user') {
        const sub: Subscription = { account: key.account, products, seen: new Map() };
        subs.push(sub);
        orders(sub, true);
      }
      return logged(200);
    },
  };
}

export const coinbaseWsEmulator: SandboxWsEmulator = {
  paths: ['/ws-user'],
  connect: (peer, _path, ctx) => session(peer, ctx),
};
