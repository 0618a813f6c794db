/**
 * OKX's private WebSocket through the gateway, end to end: an unmodified CCXT Pro client with
 * the `urls` override `client add --json` prints logs in with its keywarden credential and
 * receives the account and order pushes of orders placed through the gateway; allowed
 * `createOrderWs` executes; an off-list symbol, an over-cap notional and a fund-moving op are
 * denied in OKX's WebSocket error shape and never reach the sandbox (its request log); a frame
 * before login is denied; the exchange secret (a canary) is in no frame, log entry or audit
 * record; freezing the client closes its socket and denies its next login; a lockdown closes
 * every socket of the key.
 */
import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ccxtOverride } from '../../src/cli/sandbox.js';
import type { Credential } from '../../src/exchanges/adapter.js';
import { okxWsLoginHeaders } from '../../src/exchanges/okx/index.js';
import type { Policy } from '../../src/policy/policy-types.js';
import { type Harness, startHarness } from '../gateway/harness.js';
import { lockdownProcess } from '../lockdown/lockdown-helpers.js';
import { ccxtPro, plantCanary, WS_E2E_POLICY } from './ws-e2e.js';

const CANARY_SECRET = `canary${'Q7'.repeat(29)}`;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    exchanges: ['okx'],
    plantKeys: plantCanary('okx', CANARY_SECRET),
  });
}, 60_000);
afterAll(() => h.close());

let n = 0;
async function client(policy: Policy = WS_E2E_POLICY) {
  return h.issue('okx', `ws-${++n}`, { policy });
}

// biome-ignore lint/suspicious/noExplicitAny: CCXT Pro's classes are untyped here
const pro = (credential: Credential): any => ccxtPro('okx', h.url, credential);

type Frame = Record<string, unknown>;

/** A raw OKX private WebSocket that keeps every frame it received. */
async function raw(path = '/okx/ws/v5/private'): Promise<{
  ws: WebSocket;
  frames: string[];
  /** Send a frame and wait for the next answer that is no push (no `arg` with `data`). */
  request(frame: object | string): Promise<Frame>;
  closed: Promise<number>;
}> {
  const ws = new WebSocket(`${h.url.replace(/^http/, 'ws')}${path}`);
  const frames: string[] = [];
  const waiting: Array<(v: Frame) => void> = [];
  ws.on('message', (d) => {
    const text = d.toString();
    frames.push(text);
    const v: Frame = text === 'pong' ? { pong: true } : (JSON.parse(text) as Frame);
    if (v.data !== undefined && v.arg !== undefined) return;
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
        ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
      }),
  };
}

/** OKX's login frame, signed like CCXT Pro's authenticate (timestamp in seconds). */
function login(credential: Credential, now = Date.now()) {
  const hd = okxWsLoginHeaders(credential.apiKey, credential.password ?? '', credential.secret, now);
  return {
    op: 'login',
    args: [
      {
        apiKey: hd['ok-access-key'],
        passphrase: hd['ok-access-passphrase'],
        timestamp: hd['ok-access-timestamp'],
        sign: hd['ok-access-sign'],
      },
    ],
  };
}

const limitBuy = (instId: string, sz: string, px: string) => ({
  instId,
  tdMode: 'cash',
  side: 'buy',
  ordType: 'limit',
  sz,
  px,
});

const wsLog = () => h.sandbox.log.filter((e) => e.method === 'WS' && e.exchange === 'okx');

describe('CCXT Pro okx through /okx/ws/v5/private', () => {
  it('watchOrders and watchBalance receive the pushes of an order placed with createOrderWs', async () => {
    const issued = await client();
    const ex = pro(issued.credential);
    try {
      // CCXT needs this once for a plain ws:// URL (a gateway without TLS); wss:// needs nothing.
      await ex.loadHttpProxyAgent();
      await ex.loadMarkets();
      // The account channel's snapshot answers the subscription.
      const balance = await ex.watchBalance();
      expect(balance.USDT).toBeDefined();
      const orders = ex.watchOrders('BTC/USDT');
      const next = ex.watchBalance();
      // Let the subscription be answered before the order is placed.
      await new Promise((r) => setTimeout(r, 200));
      const placed = await ex.createOrderWs('BTC/USDT', 'limit', 'buy', 0.001, 59_000);
      expect(placed.id).toBeDefined();
      const seen = await orders;
      expect(seen.map((o: { id: string }) => o.id)).toContain(placed.id);
      // The order locked quote funds: the account channel pushed the change.
      const after = await next;
      expect(after.USDT.used).toBeGreaterThan(0);
      expect(wsLog().some((e) => e.query.startsWith('op=batch-orders') && e.status === 200)).toBe(true);
      expect(wsLog().some((e) => e.query === 'op=login' && e.status === 200)).toBe(true);
    } finally {
      await ex.close();
    }
  }, 30_000);

  it('an order placed over REST is pushed on the orders channel', async () => {
    const issued = await client();
    const ex = pro(issued.credential);
    // biome-ignore lint/suspicious/noExplicitAny: CCXT's REST class, untyped here
    const restEx = new (ccxt as any).okx({ ...issued.credential, ...ccxtOverride('okx', `${h.url}/okx`) });
    try {
      await ex.loadHttpProxyAgent();
      await ex.loadMarkets();
      const orders = ex.watchOrders('BTC/USDT');
      await new Promise((r) => setTimeout(r, 300));
      const placed = await restEx.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 58_000);
      const seen = await orders;
      expect(seen.map((o: { id: string }) => o.id)).toContain(placed.id);
    } finally {
      await ex.close();
    }
  }, 30_000);

  it('an off-list symbol, an over-cap notional, a fund-moving op and a public channel are denied in OKX shape and never reach the sandbox', async () => {
    const issued = await client();
    const c = await raw();
    try {
      const beforeLogin = wsLog().length;
      // A frame before login: denied by the gateway, not relayed.
      const early = await c.request({
        id: 'e1',
        op: 'order',
        args: [limitBuy('BTC-USDT', '0.001', '59000')],
      });
      expect(early).toMatchObject({ id: 'e1', op: 'order', code: expect.any(String) });
      expect(String(early.msg)).toContain('[auth_missing]');
      expect(wsLog().length).toBe(beforeLogin);
      expect(await c.request(login(issued.credential))).toMatchObject({ event: 'login', code: '0' });
      const before = wsLog().length;
      const offList = await c.request({
        id: 'a1',
        op: 'order',
        args: [limitBuy('ETH-USDT', '0.01', '2900')],
      });
      expect(offList).toMatchObject({ id: 'a1', op: 'order', code: '50120', data: [] });
      expect(String(offList.msg)).toContain('[policy_denied]');
      const overCap = await c.request({
        id: '7',
        op: 'batch-orders',
        args: [limitBuy('BTC-USDT', '1', '59000')],
      });
      expect(overCap).toMatchObject({ id: '7', op: 'batch-orders' });
      expect(String(overCap.msg)).toContain('maxOrderNotional');
      const withdraw = await c.request({ id: '8', op: 'withdrawal', args: [{ ccy: 'BTC', amt: '1' }] });
      expect(withdraw).toMatchObject({ id: '8', op: 'withdrawal' });
      expect(String(withdraw.msg)).toContain('action unknown');
      const tickers = await c.request({
        id: '9',
        op: 'subscribe',
        args: [{ channel: 'tickers', instId: 'BTC-USDT' }],
      });
      expect(tickers).toMatchObject({ id: '9', event: 'error' });
      expect(String(tickers.msg)).toContain('[request_rejected]');
      const again = await c.request(login(issued.credential));
      expect(again).toMatchObject({ event: 'error' });
      expect(await c.request('ping')).toEqual({ pong: true });
      expect(wsLog().length).toBe(before);
      // Positive control on the same connection: the allowed order executes.
      const ok = await c.request({ id: '10', op: 'order', args: [limitBuy('BTC-USDT', '0.001', '59000')] });
      expect(ok).toMatchObject({ id: '10', op: 'order', code: '0', data: [{ sCode: '0' }] });
      expect(wsLog().length).toBe(before + 1);
      const all = [...c.frames, JSON.stringify(h.sandbox.log), JSON.stringify(h.audit.records)].join('\n');
      expect(all).not.toContain(CANARY_SECRET);
      const audited = h.audit.records.filter((r) => r.clientId === issued.client.id);
      expect(audited.some((r) => r.endpoint === 'POST /api/v5/trade/order' && r.decision === 'deny')).toBe(
        true,
      );
      expect(audited.some((r) => r.endpoint === 'POST /api/v5/trade/order' && r.decision === 'allow')).toBe(
        true,
      );
      expect(audited.some((r) => r.endpoint === 'WS login' && r.decision === 'allow')).toBe(true);
    } finally {
      c.ws.close();
    }
  });

  it('a login with a bad signature, a stale timestamp or a replayed frame is denied and never reaches the sandbox', async () => {
    const issued = await client();
    const before = wsLog().length;
    const bad = await raw();
    const frame = login(issued.credential);
    const badSig = await bad.request({ ...frame, args: [{ ...frame.args[0], sign: 'A'.repeat(44) }] });
    expect(badSig).toMatchObject({ event: 'error' });
    expect(String(badSig.msg)).toContain('[auth_bad_signature]');
    const stale = await bad.request(login(issued.credential, Date.now() - 120_000));
    expect(String(stale.msg)).toContain('[auth_stale]');
    const first = await raw();
    expect(await first.request(frame)).toMatchObject({ event: 'login', code: '0' });
    const replay = await raw();
    const replayed = await replay.request(frame);
    expect(String(replayed.msg)).toContain('[auth_replayed]');
    // Its frames stay unauthenticated.
    const unbound = await replay.request({ id: '1', op: 'subscribe', args: [{ channel: 'account' }] });
    expect(String(unbound.msg)).toContain('[auth_missing]');
    expect(wsLog().length).toBe(before + 1);
    for (const c of [bad, first, replay]) c.ws.close();
  });

  it('freezing the client closes its socket within a second and its next login is denied', async () => {
    const issued = await client();
    const c = await raw();
    expect(await c.request(login(issued.credential))).toMatchObject({ event: 'login', code: '0' });
    expect(
      await c.request({ id: '2', op: 'subscribe', args: [{ channel: 'orders', instType: 'ANY' }] }),
    ).toMatchObject({
      id: '2',
      event: 'subscribe',
    });
    const frozenAt = Date.now();
    await h.clients.freeze(issued.client.name);
    expect(await c.closed).toBe(1008);
    expect(Date.now() - frozenAt).toBeLessThan(1000);
    const again = await raw();
    // A new timestamp: a login is unique per second, and the one above was already used.
    const denied = await again.request(login(issued.credential, Date.now() - 2000));
    expect(String(denied.msg)).toContain('[client_frozen]');
    expect(await again.closed).toBe(1008);
    const records = h.audit.records.filter((r) => r.endpoint === 'WS /ws/v5/private');
    expect(records.some((r) => r.action === 'ws-close' && r.clientId === issued.client.id)).toBe(true);
  });

  it("a REST request cannot claim a WebSocket session: no header or query makes it the client's", async () => {
    const issued = await client();
    const before = h.sandbox.log.length;
    const r = await fetch(`${h.url}/okx/api/v5/account/balance?session=${issued.credential.apiKey}`, {
      headers: { session: issued.credential.apiKey, 'x-keywarden-session': issued.credential.apiKey },
    });
    expect(r.headers.get('x-keywarden-code')).toBe('auth_missing');
    expect(h.sandbox.log.length).toBe(before);
  });

  it('refuses an upgrade on a path the adapter does not list', async () => {
    const ws = new WebSocket(`${h.url.replace(/^http/, 'ws')}/okx/ws/v5/public`);
    const status = await new Promise<number | undefined>((resolve) =>
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode)),
    );
    expect(status).toBe(404);
  });

  // Last: the lockdown freezes every client of the key.
  it('a lockdown of the key closes every socket of its clients', async () => {
    const a = await client();
    const b = await client();
    const sa = await raw();
    const sb = await raw('/okx/ws/v5/business');
    for (const [s, c] of [
      [sa, a],
      [sb, b],
    ] as const)
      expect(await s.request(login(c.credential))).toMatchObject({ event: 'login', code: '0' });
    const p = await lockdownProcess(h);
    try {
      await p.service.lockdown({ scope: { kind: 'key', ref: h.keyLabel('okx') }, reason: 'test' });
      expect(await Promise.all([sa.closed, sb.closed])).toEqual([1008, 1008]);
    } finally {
      await p.close();
    }
  });
});
