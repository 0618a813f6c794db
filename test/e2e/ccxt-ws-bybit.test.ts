import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Credential } from '../../src/exchanges/adapter.js';
import { bybitWsAuthSignature } from '../../src/exchanges/bybit/index.js';
import type { Policy } from '../../src/policy/policy-types.js';
import { type Harness, startHarness } from '../gateway/harness.js';
import { lockdownProcess } from '../lockdown/lockdown-helpers.js';
import { ccxtPro, plantCanary, WS_E2E_POLICY } from './ws-e2e.js';

const CANARY_SECRET = `canary${'Q7'.repeat(29)}`;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    exchanges: ['bybit'],
    plantKeys: plantCanary('bybit', CANARY_SECRET),
  });
}, 60_000);
afterAll(() => h.close());

let n = 0;
async function client(policy: Policy = WS_E2E_POLICY) {
  return h.issue('bybit', `ws-${++n}`, { policy });
}

// biome-ignore lint/suspicious/noExplicitAny: CCXT Pro's classes are untyped here
const pro = (credential: Credential): any => ccxtPro('bybit', h.url, credential);

type Frame = Record<string, unknown>;

/** A raw Bybit WebSocket (`/v5/private` or `/v5/trade`) that keeps every frame it received. */
async function raw(path = '/bybit/v5/trade'): Promise<{
  ws: WebSocket;
  frames: string[];
  /** Send a frame and wait for the next answer that is no push (no `topic`). */
  request(frame: object): Promise<Frame>;
  closed: Promise<number>;
}> {
  const ws = new WebSocket(`${h.url.replace(/^http/, 'ws')}${path}`);
  const frames: string[] = [];
  const waiting: Array<(v: Frame) => void> = [];
  ws.on('message', (d) => {
    const text = d.toString();
    frames.push(text);
    const v = JSON.parse(text) as Frame;
    if (v.topic !== undefined) return;
    waiting.shift()?.(v);
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
    request: (frame) =>
      new Promise((resolve) => {
        waiting.push(resolve);
        ws.send(JSON.stringify(frame));
      }),
  };
}

/** Bybit's auth frame, signed like CCXT Pro's authenticate (expires = now + 10 s). */
function auth(credential: Credential, expires = Date.now() + 10_000) {
  const e = String(expires);
  return { op: 'auth', args: [credential.apiKey, e, bybitWsAuthSignature(e, credential.secret)] };
}

const limitBuy = (symbol: string, qty: string, price: string) => ({
  category: 'spot',
  symbol,
  side: 'Buy',
  orderType: 'Limit',
  qty,
  price,
});
const header = () => ({ 'X-BAPI-TIMESTAMP': String(Date.now()), 'X-BAPI-RECV-WINDOW': '5000' });

const wsLog = () => h.sandbox.log.filter((e) => e.method === 'WS' && e.exchange === 'bybit');

describe('CCXT Pro bybit through /bybit/v5/private and /bybit/v5/trade', () => {
  it('watchOrders and watchBalance receive the pushes of an order placed with createOrderWs', async () => {
    const issued = await client();
    const ex = pro(issued.credential);
    try {
      // CCXT needs this once for a plain ws:// URL (a gateway without TLS); wss:// needs nothing.
      await ex.loadHttpProxyAgent();
      await ex.loadMarkets();
      // Once, before the two watches: each asks it over REST, and two identical signed GETs in one
      // millisecond are one replayed request to the gateway.
      await ex.isUnifiedEnabled();
      const orders = ex.watchOrders('BTC/USDT');
      const balance = ex.watchBalance();
      // Let the subscriptions be answered before the order is placed.
      await new Promise((r) => setTimeout(r, 500));
      const placed = await ex.createOrderWs('BTC/USDT', 'limit', 'buy', 0.001, 59_000);
      expect(placed.id).toBeDefined();
      const seen = await orders;
      expect(seen.map((o: { id: string }) => o.id)).toContain(placed.id);
      const b = await balance;
      expect(b.USDT).toBeDefined();
      expect(wsLog().some((e) => e.query.startsWith('op=order.create') && e.status === 200)).toBe(true);
      expect(wsLog().some((e) => e.query === 'op=auth' && e.status === 200)).toBe(true);
    } finally {
      await ex.close();
    }
  }, 30_000);

  it('an off-list symbol, an over-cap notional and a fund-moving op are denied in Bybit shape and never reach the sandbox', async () => {
    const issued = await client();
    const c = await raw();
    try {
      const beforeAuth = wsLog().length;
      const early = await c.request({
        reqId: 'e1',
        header: header(),
        op: 'order.create',
        args: [limitBuy('BTCUSDT', '0.001', '59000')],
      });
      expect(early).toMatchObject({ reqId: 'e1', op: 'order.create', retCode: expect.any(Number) });
      expect(String(early.retMsg)).toContain('[auth_missing]');
      expect(wsLog().length).toBe(beforeAuth);
      expect(await c.request(auth(issued.credential))).toMatchObject({ op: 'auth', retCode: 0 });
      const before = wsLog().length;
      const offList = await c.request({
        reqId: 'a1',
        header: header(),
        op: 'order.create',
        args: [limitBuy('ETHUSDT', '0.01', '2900')],
      });
      expect(offList).toMatchObject({ reqId: 'a1', op: 'order.create', retCode: 10005 });
      expect(String(offList.retMsg)).toContain('[policy_denied]');
      const overCap = await c.request({
        reqId: '7',
        header: header(),
        op: 'order.create',
        args: [limitBuy('BTCUSDT', '1', '59000')],
      });
      expect(overCap).toMatchObject({ reqId: '7', op: 'order.create' });
      expect(String(overCap.retMsg)).toContain('maxOrderNotional');
      const withdraw = await c.request({
        reqId: '8',
        op: 'withdraw.create',
        args: [{ coin: 'BTC', amount: '1' }],
      });
      expect(withdraw).toMatchObject({ reqId: '8', op: 'withdraw.create' });
      expect(String(withdraw.retMsg)).toContain('action unknown');
      expect(await c.request({ reqId: 'p', op: 'ping' })).toMatchObject({ reqId: 'p', op: 'pong' });
      expect(wsLog().length).toBe(before);
      // Positive control on the same connection: the allowed order executes.
      const ok = await c.request({
        reqId: '10',
        header: header(),
        op: 'order.create',
        args: [limitBuy('BTCUSDT', '0.001', '59000')],
      });
      expect(ok).toMatchObject({
        reqId: '10',
        op: 'order.create',
        retCode: 0,
        data: { orderId: expect.any(String) },
      });
      expect(wsLog().length).toBe(before + 1);
      const all = [...c.frames, JSON.stringify(h.sandbox.log), JSON.stringify(h.audit.records)].join('\n');
      expect(all).not.toContain(CANARY_SECRET);
      const audited = h.audit.records.filter((r) => r.clientId === issued.client.id);
      expect(audited.some((r) => r.endpoint === 'POST /v5/order/create' && r.decision === 'deny')).toBe(true);
      expect(audited.some((r) => r.endpoint === 'POST /v5/order/create' && r.decision === 'allow')).toBe(
        true,
      );
      expect(audited.some((r) => r.endpoint === 'WS auth' && r.decision === 'allow')).toBe(true);
    } finally {
      c.ws.close();
    }
  });

  it('on /v5/private: a public topic is refused, a bad, expired or replayed auth is denied, in Bybit shape', async () => {
    const issued = await client();
    const before = wsLog().length;
    const c = await raw('/bybit/v5/private');
    const early = await c.request({ req_id: 's0', op: 'subscribe', args: ['order'] });
    expect(early).toMatchObject({ success: false, req_id: 's0', op: 'subscribe' });
    expect(String(early.ret_msg)).toContain('[auth_missing]');
    const frame = auth(issued.credential);
    const badSig = await c.request({ ...frame, args: [frame.args[0], frame.args[1], 'a'.repeat(64)] });
    expect(badSig).toMatchObject({ success: false, op: 'auth' });
    expect(String(badSig.ret_msg)).toContain('[auth_bad_signature]');
    const expired = await c.request(auth(issued.credential, Date.now() - 1000));
    expect(String(expired.ret_msg)).toContain('[auth_stale]');
    expect(await c.request(frame)).toMatchObject({ success: true, op: 'auth' });
    const pub = await c.request({ req_id: 's1', op: 'subscribe', args: ['orderbook.50.BTCUSDT'] });
    expect(pub).toMatchObject({ success: false, req_id: 's1', op: 'subscribe' });
    expect(String(pub.ret_msg)).toContain('[request_rejected]');
    expect(await c.request({ req_id: 's2', op: 'subscribe', args: ['order', 'wallet'] })).toMatchObject({
      success: true,
      req_id: 's2',
      op: 'subscribe',
    });
    const replay = await raw('/bybit/v5/private');
    const replayed = await replay.request(frame);
    expect(String(replayed.ret_msg)).toContain('[auth_replayed]');
    // auth and the one subscribe reached the sandbox; nothing else.
    expect(wsLog().length).toBe(before + 2);
    c.ws.close();
    replay.ws.close();
  });

  it('freezing the client closes its socket within a second and its next auth is denied', async () => {
    const issued = await client();
    const c = await raw('/bybit/v5/private');
    expect(await c.request(auth(issued.credential))).toMatchObject({ success: true, op: 'auth' });
    const frozenAt = Date.now();
    await h.clients.freeze(issued.client.name);
    expect(await c.closed).toBe(1008);
    expect(Date.now() - frozenAt).toBeLessThan(1000);
    const again = await raw('/bybit/v5/private');
    const denied = await again.request(auth(issued.credential, Date.now() + 9000));
    expect(String(denied.ret_msg)).toContain('[client_frozen]');
    expect(await again.closed).toBe(1008);
    const records = h.audit.records.filter((r) => r.endpoint === 'WS /v5/private');
    expect(records.some((r) => r.action === 'ws-close' && r.clientId === issued.client.id)).toBe(true);
  });

  // Last: the lockdown freezes every client of the key.
  it('a lockdown of the key closes every socket of its clients', async () => {
    const a = await client();
    const b = await client();
    const sa = await raw('/bybit/v5/private');
    const sb = await raw('/bybit/v5/trade');
    expect(await sa.request(auth(a.credential))).toMatchObject({ success: true });
    expect(await sb.request(auth(b.credential))).toMatchObject({ retCode: 0 });
    const p = await lockdownProcess(h);
    try {
      await p.service.lockdown({ scope: { kind: 'key', ref: h.keyLabel('bybit') }, reason: 'test' });
      expect(await Promise.all([sa.closed, sb.closed])).toEqual([1008, 1008]);
    } finally {
      await p.close();
    }
  });
});
