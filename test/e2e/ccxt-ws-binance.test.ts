import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Credential } from '../../src/exchanges/adapter.js';
import { binanceSignature } from '../../src/exchanges/binance/index.js';
import type { Policy } from '../../src/policy/policy-types.js';
import { type Harness, startHarness } from '../gateway/harness.js';
import { lockdownProcess } from '../lockdown/lockdown-helpers.js';
import { ccxtPro, plantCanary, WS_E2E_POLICY } from './ws-e2e.js';

const CANARY_SECRET = `canary${'Q7'.repeat(29)}`;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    exchanges: ['binance'],
    plantKeys: plantCanary('binance', CANARY_SECRET),
  });
}, 60_000);
afterAll(() => h.close());

let n = 0;
async function client(policy: Policy = WS_E2E_POLICY) {
  return h.issue('binance', `ws-${++n}`, { policy });
}

// biome-ignore lint/suspicious/noExplicitAny: CCXT Pro's classes are untyped here
const pro = (credential: Credential): any => ccxtPro('binance', h.url, credential);

/** A raw WebSocket API connection that keeps every frame it received. */
async function raw(headers: Record<string, string> = {}): Promise<{
  ws: WebSocket;
  frames: string[];
  request(frame: object): Promise<Record<string, unknown>>;
  closed: Promise<number>;
}> {
  const ws = new WebSocket(`${h.url.replace(/^http/, 'ws')}/binance/ws-api/v3`, { headers });
  const frames: string[] = [];
  const waiting = new Map<unknown, (v: Record<string, unknown>) => void>();
  ws.on('message', (d) => {
    const text = d.toString();
    frames.push(text);
    const v = JSON.parse(text) as Record<string, unknown>;
    waiting.get(v.id)?.(v);
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
    request: (frame: object & { id?: unknown }) =>
      new Promise((resolve) => {
        waiting.set(frame.id, resolve);
        ws.send(JSON.stringify(frame));
      }),
  };
}

/** Sign like Binance's WebSocket API (and CCXT Pro's signParams): sorted params, apiKey included. */
function signed(credential: Credential, params: Record<string, string | number>) {
  const all: Record<string, string | number> = {
    ...params,
    apiKey: credential.apiKey,
    timestamp: Date.now(),
  };
  const payload = Object.keys(all)
    .sort()
    .map((k) => `${k}=${all[k]}`)
    .join('&');
  return { ...all, signature: binanceSignature(payload, credential.secret) };
}

const limitBuy = (symbol: string, quantity: string, price: string) => ({
  symbol,
  side: 'BUY',
  type: 'LIMIT',
  timeInForce: 'GTC',
  quantity,
  price,
});

const wsLog = () => h.sandbox.log.filter((e) => e.method === 'WS');

describe('CCXT Pro binance through /binance/ws-api/v3', () => {
  it('watchOrders and watchBalance receive the events of an order placed with createOrderWs', async () => {
    const issued = await client();
    const ex = pro(issued.credential);
    try {
      // CCXT needs this once for a plain ws:// URL (a gateway without TLS); wss:// needs nothing.
      await ex.loadHttpProxyAgent();
      await ex.loadMarkets();
      // The user data stream subscription (userDataStream.subscribe.signature) is answered first.
      await ex.authenticate();
      const orders = ex.watchOrders('BTC/USDT');
      const balance = ex.watchBalance();
      const placed = await ex.createOrderWs('BTC/USDT', 'limit', 'buy', 0.001, 59_000);
      expect(placed.id).toBeDefined();
      const seen = await orders;
      expect(seen.map((o: { id: string }) => o.id)).toContain(placed.id);
      const b = await balance;
      expect(b.USDT).toBeDefined();
      expect(wsLog().some((e) => e.query.startsWith('method=order.place') && e.status === 200)).toBe(true);
    } finally {
      await ex.close();
    }
  }, 30_000);

  it('an off-list symbol, an over-cap notional and an unknown method are denied in Binance shape and never reach the sandbox', async () => {
    const issued = await client();
    const c = await raw();
    try {
      const before = wsLog().length;
      const offList = await c.request({
        id: 'a1',
        method: 'order.place',
        params: signed(issued.credential, limitBuy('ETHUSDT', '0.01', '2900')),
      });
      expect(offList).toMatchObject({
        id: 'a1',
        status: 403,
        error: { code: -1002, msg: expect.stringContaining('[policy_denied]') },
      });
      const overCap = await c.request({
        id: 7,
        method: 'order.place',
        params: signed(issued.credential, limitBuy('BTCUSDT', '1', '59000')),
      });
      expect(overCap).toMatchObject({
        id: 7,
        status: 403,
        error: { msg: expect.stringContaining('maxOrderNotional') },
      });
      const withdraw = await c.request({
        id: 8,
        method: 'withdraw',
        params: signed(issued.credential, { coin: 'BTC', amount: '1' }),
      });
      expect(withdraw).toMatchObject({
        id: 8,
        status: 403,
        error: { msg: expect.stringContaining('action unknown') },
      });
      const badSig = await c.request({
        id: 9,
        method: 'order.place',
        params: {
          ...signed(issued.credential, { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001' }),
          signature: '0'.repeat(64),
        },
      });
      expect(badSig).toMatchObject({ id: 9, error: { code: -1022 } });
      expect(wsLog().length).toBe(before);
      // Positive control on the same connection: the allowed order executes.
      const ok = await c.request({
        id: 10,
        method: 'order.place',
        params: signed(issued.credential, limitBuy('BTCUSDT', '0.001', '59000')),
      });
      expect(ok).toMatchObject({ id: 10, status: 200, result: { symbol: 'BTCUSDT' } });
      expect(wsLog().length).toBe(before + 1);
      const all = [...c.frames, JSON.stringify(h.sandbox.log), JSON.stringify(h.audit.records)].join('\n');
      expect(all).not.toContain(CANARY_SECRET);
      const audited = h.audit.records.filter((r) => r.clientId === issued.client.id);
      expect(audited.some((r) => r.endpoint === 'POST /api/v3/order' && r.decision === 'deny')).toBe(true);
      expect(audited.some((r) => r.endpoint === 'POST /api/v3/order' && r.decision === 'allow')).toBe(true);
    } finally {
      c.ws.close();
    }
  });

  it('freezing the client closes its socket within a second and its next order is denied', async () => {
    const issued = await client();
    const c = await raw();
    const first = await c.request({
      id: 1,
      method: 'userDataStream.subscribe.signature',
      params: signed(issued.credential, {}),
    });
    expect(first).toMatchObject({ id: 1, status: 200, result: { subscriptionId: expect.any(Number) } });
    await h.clients.freeze(issued.client.name);
    const code = await c.closed;
    expect(code).toBe(1008);
    const again = await raw();
    const denied = await again.request({
      id: 2,
      method: 'order.place',
      params: signed(issued.credential, {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'MARKET',
        quantity: '0.001',
      }),
    });
    expect(denied).toMatchObject({ id: 2, error: { msg: expect.stringContaining('[client_frozen]') } });
    expect(await again.closed).toBe(1008);
    const records = h.audit.records.filter((r) => r.endpoint === 'WS /ws-api/v3');
    expect(records.some((r) => r.action === 'ws-open')).toBe(true);
    expect(records.some((r) => r.action === 'ws-close' && r.clientId === issued.client.id)).toBe(true);
  });

  it("the upgrade's bearer token authenticates no frame: each frame signs itself", async () => {
    const issued = await client();
    const c = await raw({ authorization: `Bearer ${issued.token}` });
    const before = wsLog().length;
    const unsigned = await c.request({ id: 3, method: 'account.status', params: {} });
    expect(unsigned).toMatchObject({ id: 3, error: { msg: expect.stringContaining('[auth_missing]') } });
    const ok = await c.request({ id: 4, method: 'account.status', params: signed(issued.credential, {}) });
    expect(ok).toMatchObject({ id: 4, status: 200 });
    expect(wsLog().length).toBe(before + 1);
    c.ws.close();
  });

  it('refuses an upgrade on a path the adapter does not list', async () => {
    const ws = new WebSocket(`${h.url.replace(/^http/, 'ws')}/binance/ws/btcusdt@trade`);
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
    const sb = await raw();
    for (const [s, c] of [
      [sa, a],
      [sb, b],
    ] as const)
      expect(
        await s.request({ id: 1, method: 'account.status', params: signed(c.credential, {}) }),
      ).toMatchObject({
        status: 200,
      });
    const p = await lockdownProcess(h);
    try {
      await p.service.lockdown({ scope: { kind: 'key', ref: h.keyLabel('binance') }, reason: 'test' });
      expect(await Promise.all([sa.closed, sb.closed])).toEqual([1008, 1008]);
    } finally {
      await p.close();
    }
  });

  // Last of all: it seals the harness's vault.
  it('sealing the vault closes every socket, and a new upgrade is refused while sealed', async () => {
    const c = await raw();
    h.vault.seal();
    expect(await c.closed).toBe(1008);
    const ws = new WebSocket(`${h.url.replace(/^http/, 'ws')}/binance/ws-api/v3`);
    const status = await new Promise<number | undefined>((resolve) =>
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode)),
    );
    expect(status).toBe(503);
  });
});
