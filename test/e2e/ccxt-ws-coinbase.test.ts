import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Credential } from '../../src/exchanges/adapter.js';
import { buildJwt, generateCdpKeyPair, loadSigningKey } from '../../src/exchanges/coinbase/index.js';
import type { Policy } from '../../src/policy/policy-types.js';
import { type Harness, startHarness } from '../gateway/harness.js';
import { ccxtPro } from './ws-e2e.js';

const POLICY: Policy = {
  mode: 'enforce',
  actions: ['public', 'read', 'trade', 'cancel'],
  symbols: { allow: ['BTC/USD'] },
  maxOrderNotional: 1000,
};

let h: Harness;
let canary = '';
beforeAll(async () => {
  h = await startHarness({
    exchanges: ['coinbase'],
    plantKeys: (keys) => {
      for (const k of keys) if (k.exchange === 'coinbase' && k.name === 'full') canary = k.credential.secret;
    },
  });
}, 60_000);
afterAll(() => h.close());

let n = 0;
const client = () => h.issue('coinbase', `cbws-${++n}`, { policy: POLICY });

// biome-ignore lint/suspicious/noExplicitAny: CCXT Pro's classes are untyped here
const pro = (credential: Credential): any => ccxtPro('coinbase', h.url, credential);

/** A WebSocket JWT as Coinbase (and CCXT) make it: no uri; `nowSeconds` and `key` overridable. */
function wsJwt(credential: Credential, options: { nowSeconds?: number; uri?: string; secret?: string } = {}) {
  const key = loadSigningKey({ ...credential, secret: options.secret ?? credential.secret });
  if (key.kind === 'hmac') throw new Error('CDP key expected');
  return buildJwt({
    apiKey: credential.apiKey,
    key,
    nowSeconds: options.nowSeconds ?? Math.floor(Date.now() / 1000),
    ...(options.uri ? { uri: options.uri } : {}),
  });
}

async function raw(): Promise<{
  ws: WebSocket;
  frames: string[];
  next(): Promise<Record<string, unknown>>;
  closed: Promise<number>;
}> {
  const ws = new WebSocket(`${h.url.replace(/^http/, 'ws')}/coinbase/ws-user`);
  const frames: string[] = [];
  const queue: Array<(v: Record<string, unknown>) => void> = [];
  const early: Record<string, unknown>[] = [];
  ws.on('message', (d) => {
    const text = d.toString();
    frames.push(text);
    const v = JSON.parse(text) as Record<string, unknown>;
    const w = queue.shift();
    if (w) w(v);
    else early.push(v);
  });
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return {
    ws,
    frames,
    closed,
    next: () => {
      const v = early.shift();
      return v ? Promise.resolve(v) : new Promise((resolve) => queue.push(resolve));
    },
  };
}

const wsLog = () => h.sandbox.log.filter((e) => e.exchange === 'coinbase' && e.method === 'WS');

describe('CCXT Pro coinbase through /coinbase/ws-user', () => {
  it('watchOrders receives the events of orders placed through the gateway by REST', async () => {
    const issued = await client();
    const ex = pro(issued.credential);
    const rest = await h.ccxt('coinbase', issued.credential);
    try {
      expect(ex.has.watchBalance).toBe(false);
      await ex.loadHttpProxyAgent();
      await ex.loadMarkets();
      rest.setMarkets(ex.markets, ex.currencies);
      // The first answer is the snapshot of open orders.
      await ex.watchOrders();
      const next = ex.watchOrders();
      const placed = await rest.createOrder('BTC/USD', 'limit', 'buy', 0.001, 50_000);
      const seen = await next;
      expect(seen.map((o: { id: string }) => o.id)).toContain(placed.id);
      const cancelled = ex.watchOrders();
      await rest.cancelOrder(placed.id, 'BTC/USD');
      const after = await cancelled;
      expect(
        after.find((o: { id: string; status: string }) => o.id === placed.id && o.status === 'canceled'),
      ).toBeDefined();
      expect(wsLog().some((e) => e.query === 'type=subscribe&channel=user' && e.status === 200)).toBe(true);
      const audited = h.audit.records.filter((r) => r.clientId === issued.client.id);
      expect(audited.some((r) => r.endpoint === 'WS subscribe/user' && r.decision === 'allow')).toBe(true);
    } finally {
      await ex.close();
    }
  }, 30_000);

  it('bad, expired and REST-scoped JWTs, public channels and unknown types are refused in Coinbase shape and never reach the sandbox', async () => {
    const issued = await client();
    const c = await raw();
    try {
      const before = wsLog().length;
      const send = (frame: object) => {
        c.ws.send(JSON.stringify(frame));
        return c.next();
      };
      const sub = (jwt: string) => ({ type: 'subscribe', channel: 'user', product_ids: ['BTC-USD'], jwt });
      const other = generateCdpKeyPair().privatePem;
      expect(await send(sub(wsJwt(issued.credential, { secret: other })))).toEqual({
        type: 'error',
        message: 'authentication failure (keywarden denied [auth_bad_signature])',
      });
      const expired = await send(
        sub(wsJwt(issued.credential, { nowSeconds: Math.floor(Date.now() / 1000) - 600 })),
      );
      expect(expired).toMatchObject({ type: 'error', message: expect.stringContaining('[auth_stale]') });
      const restJwt = await send(
        sub(
          wsJwt(issued.credential, {
            uri: `GET ${h.url.replace(/^http:\/\//, '')}/coinbase/api/v3/brokerage/orders`,
          }),
        ),
      );
      expect(restJwt).toMatchObject({
        type: 'error',
        message: expect.stringContaining('[auth_bad_signature]'),
      });
      const none = await send({ type: 'subscribe', channel: 'user', product_ids: [] });
      expect(none).toMatchObject({ type: 'error', message: expect.stringContaining('[auth_missing]') });
      const ticker = await send({ type: 'subscribe', channel: 'ticker', product_ids: ['BTC-USD'] });
      expect(ticker).toMatchObject({ type: 'error', message: expect.stringContaining('public channel') });
      const order = await send({ type: 'order', channel: 'user', jwt: wsJwt(issued.credential) });
      expect(order).toMatchObject({ type: 'error', message: expect.stringContaining('[bad_request]') });
      expect(wsLog().length).toBe(before);
      // Positive control on the same connection: a good JWT subscribes.
      const ack = await send(sub(wsJwt(issued.credential)));
      expect(ack).toMatchObject({
        channel: 'subscriptions',
        events: [{ subscriptions: { user: expect.any(Array) } }],
      });
      expect(await c.next()).toMatchObject({ channel: 'user', events: [{ type: 'snapshot' }] });
      expect(wsLog().length).toBe(before + 1);
      const all = [...c.frames, JSON.stringify(h.sandbox.log), JSON.stringify(h.audit.records)].join('\n');
      expect(canary).toContain('PRIVATE KEY');
      expect(all).not.toContain(canary.split('\n')[1]);
    } finally {
      c.ws.close();
    }
  });

  it('freezing the client closes its socket within a second', async () => {
    const issued = await client();
    const c = await raw();
    c.ws.send(
      JSON.stringify({ type: 'subscribe', channel: 'user', product_ids: [], jwt: wsJwt(issued.credential) }),
    );
    expect(await c.next()).toMatchObject({ channel: 'subscriptions' });
    // The connection is bound to the client once its subscription was relayed.
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await h.clients.freeze(issued.client.name);
    expect(await c.closed).toBe(1008);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
