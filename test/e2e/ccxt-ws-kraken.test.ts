import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Credential } from '../../src/exchanges/adapter.js';
import type { Policy } from '../../src/policy/policy-types.js';
import { krakenWsTokensIssued } from '../../src/sandbox/kraken-ws.js';
import { type Harness, startHarness } from '../gateway/harness.js';
import { ccxtPro, plantCanary } from './ws-e2e.js';

const CANARY_SECRET = Buffer.from(`canary-kraken-${'Q7'.repeat(25)}`).toString('base64');
const POLICY: Policy = {
  mode: 'enforce',
  actions: ['public', 'read', 'trade', 'cancel'],
  symbols: { allow: ['BTC/USD'] },
  maxOrderNotional: 1000,
};

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    exchanges: ['kraken'],
    plantKeys: plantCanary('kraken', CANARY_SECRET),
  });
}, 60_000);
afterAll(() => h.close());

let n = 0;
const client = (policy: Policy = POLICY) => h.issue('kraken', `kws-${++n}`, { policy });

// biome-ignore lint/suspicious/noExplicitAny: CCXT Pro's classes are untyped here
const pro = (credential: Credential): any => ccxtPro('kraken', h.url, credential);

/** A raw /kraken/v2 connection that keeps every frame it received. */
async function raw(): Promise<{
  ws: WebSocket;
  frames: string[];
  request(frame: Record<string, unknown>): Promise<Record<string, unknown>>;
  closed: Promise<number>;
}> {
  const ws = new WebSocket(`${h.url.replace(/^http/, 'ws')}/kraken/v2`);
  const frames: string[] = [];
  const waiting = new Map<unknown, (v: Record<string, unknown>) => void>();
  ws.on('message', (d) => {
    const text = d.toString();
    frames.push(text);
    const v = JSON.parse(text) as Record<string, unknown>;
    if (v.req_id !== undefined && typeof v.method === 'string') waiting.get(v.req_id)?.(v);
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
        waiting.set(frame.req_id, resolve);
        ws.send(JSON.stringify(frame));
      }),
  };
}

/** The token the gateway hands this client (through CCXT's REST call, as a bot gets it). */
async function tokenFor(credential: Credential): Promise<string> {
  const ex = await h.ccxt('kraken', credential);
  const r = await ex.privatePostGetWebSocketsToken();
  return r.result.token as string;
}

const wsLog = () => h.sandbox.log.filter((e) => e.exchange === 'kraken' && e.method === 'WS');
/** The sandbox's own tokens (what Kraken would have given): keywarden fetched them upstream. */
const realTokensIssued = () =>
  h.sandbox.log.filter((e) => e.exchange === 'kraken' && e.path === '/0/private/GetWebSocketsToken');

describe('CCXT Pro kraken through /kraken/v2', () => {
  it('watchOrders and watchBalance receive the events of orders placed through the gateway by REST', async () => {
    const issued = await client();
    const ex = pro(issued.credential);
    const rest = await h.ccxt('kraken', issued.credential);
    try {
      await ex.loadHttpProxyAgent();
      await ex.loadMarkets();
      rest.setMarkets(ex.markets, ex.currencies);
      const token = await ex.authenticate();
      expect(token).toMatch(/^kwt1\./);
      const balance = await ex.watchBalance();
      expect(balance.USD).toBeDefined();
      const orders = ex.watchOrders();
      // Give the executions subscription its snapshot first.
      await new Promise((r) => setTimeout(r, 200));
      const placed = await rest.createOrder('BTC/USD', 'limit', 'buy', 0.001, 50_000);
      const seen = await orders;
      expect(seen.map((o: { id: string }) => o.id)).toContain(placed.id);
      // A fill moves the balances: the next balances update.
      const usdBefore = Number(balance.USD.total);
      const next = ex.watchBalance();
      await rest.createOrder('BTC/USD', 'market', 'buy', 0.001);
      const updated = await next;
      expect(Number(updated.USD.total)).toBeLessThan(usdBefore);
      expect(wsLog().some((e) => e.query === 'method=subscribe&channel=executions' && e.status === 200)).toBe(
        true,
      );
      expect(wsLog().some((e) => e.query === 'method=subscribe&channel=balances' && e.status === 200)).toBe(
        true,
      );
      // The sandbox issued a real token (to keywarden, with the real key); the bot holds only keywarden's.
      expect(realTokensIssued().length).toBeGreaterThan(0);
      const audited = h.audit.records.filter((r) => r.clientId === issued.client.id);
      expect(
        audited.some((r) => r.endpoint === 'POST /0/private/GetWebSocketsToken' && r.decision === 'allow'),
      ).toBe(true);
      expect(audited.some((r) => r.endpoint === 'WS subscribe/executions' && r.decision === 'allow')).toBe(
        true,
      );
    } finally {
      await ex.close();
    }
  }, 30_000);

  it('order and unknown methods, public channels and bad or expired tokens are denied in Kraken v2 shape and never reach the sandbox', async () => {
    const issued = await client();
    const token = await tokenFor(issued.credential);
    const c = await raw();
    try {
      const before = wsLog().length;
      const realBefore = realTokensIssued().length;
      const addOrder = await c.request({
        method: 'add_order',
        params: {
          order_type: 'limit',
          side: 'buy',
          order_qty: 0.001,
          symbol: 'BTC/USD',
          limit_price: 50000,
          token,
        },
        req_id: 11,
      });
      expect(addOrder).toMatchObject({
        method: 'add_order',
        success: false,
        req_id: 11,
        error: expect.stringContaining('[request_rejected]'),
        time_in: expect.any(String),
        time_out: expect.any(String),
      });
      const unknown = await c.request({ method: 'withdraw', params: { asset: 'BTC', token }, req_id: 12 });
      expect(unknown).toMatchObject({ method: 'withdraw', success: false, req_id: 12 });
      expect(String(unknown.error)).toContain('unknown method');
      const publicChannel = await c.request({
        method: 'subscribe',
        params: { channel: 'ticker', symbol: ['BTC/USD'] },
        req_id: 13,
      });
      expect(publicChannel).toMatchObject({ method: 'subscribe', success: false, req_id: 13 });
      expect(String(publicChannel.error)).toContain('wss://ws.kraken.com/v2');
      const forged = `${token.slice(0, -4)}AAAA`;
      const bad = await c.request({
        method: 'subscribe',
        params: { channel: 'executions', token: forged },
        req_id: 14,
      });
      expect(bad).toMatchObject({
        success: false,
        req_id: 14,
        error: expect.stringMatching(/^ESession:Invalid session/),
      });
      const none = await c.request({ method: 'subscribe', params: { channel: 'balances' }, req_id: 15 });
      expect(none).toMatchObject({
        success: false,
        req_id: 15,
        error: expect.stringContaining('[auth_missing]'),
      });
      expect(wsLog().length).toBe(before);
      expect(realTokensIssued().length).toBe(realBefore);
      // Positive control on the same connection: the real subscription goes through.
      const ok = await c.request({ method: 'subscribe', params: { channel: 'balances', token }, req_id: 16 });
      expect(ok).toMatchObject({
        method: 'subscribe',
        success: true,
        req_id: 16,
        result: { channel: 'balances' },
      });
      expect(wsLog().length).toBe(before + 1);
      const pong = await c.request({ method: 'ping', req_id: 17 });
      expect(pong).toMatchObject({ method: 'pong', req_id: 17 });
      const audited = h.audit.records.filter((r) => r.clientId === issued.client.id);
      expect(audited.some((r) => r.endpoint === 'WS add_order' && r.decision === 'deny')).toBe(true);
      const all = [...c.frames, JSON.stringify(h.sandbox.log), JSON.stringify(h.audit.records)].join('\n');
      expect(all).not.toContain(CANARY_SECRET);
      // keywarden's token is a credential for 15 minutes: no record or log keeps it.
      expect(JSON.stringify(h.audit.records)).not.toContain(token);
      expect(JSON.stringify(h.sandbox.log)).not.toContain(token);
    } finally {
      c.ws.close();
    }
  });

  it('an expired keywarden token is refused', async () => {
    const issued = await client();
    const token = await tokenFor(issued.credential);
    const c = await raw();
    try {
      // Same client, same MAC key, but a lifetime that ended: the gateway must check the expiry.
      const parts = token.split('.');
      parts[2] = String(Math.floor(Date.now() / 1000) - 1);
      const r = await c.request({
        method: 'subscribe',
        params: { channel: 'executions', token: parts.join('.') },
        req_id: 1,
      });
      expect(r).toMatchObject({
        success: false,
        req_id: 1,
        error: expect.stringMatching(/^ESession:Invalid session/),
      });
    } finally {
      c.ws.close();
    }
  });

  it('no frame a client receives carries a real Kraken token', async () => {
    const issued = await client();
    const realBefore = realTokensIssued().length;
    const token = await tokenFor(issued.credential);
    // The gateway answered GetWebSocketsToken itself: nothing reached the exchange.
    expect(realTokensIssued().length).toBe(realBefore);
    const c = await raw();
    try {
      await c.request({ method: 'subscribe', params: { channel: 'executions', token }, req_id: 1 });
      await c.request({ method: 'subscribe', params: { channel: 'balances', token }, req_id: 2 });
      const rest = await h.ccxt('kraken', issued.credential);
      await rest.createOrder('BTC/USD', 'limit', 'buy', 0.001, 50_000);
      await new Promise((r) => setTimeout(r, 200));
      const real = krakenWsTokensIssued(h.sandbox.engine);
      expect(real.length).toBeGreaterThan(0);
      const frames = c.frames.join('\n');
      expect(frames).toContain('"channel":"executions"');
      for (const t of real) expect(frames).not.toContain(t);
    } finally {
      c.ws.close();
    }
  });

  it('freezing the client closes its socket within a second', async () => {
    const issued = await client();
    const token = await tokenFor(issued.credential);
    const c = await raw();
    const first = await c.request({ method: 'subscribe', params: { channel: 'balances', token }, req_id: 1 });
    expect(first).toMatchObject({ success: true });
    const started = Date.now();
    await h.clients.freeze(issued.client.name);
    expect(await c.closed).toBe(1008);
    expect(Date.now() - started).toBeLessThan(1000);
    const again = await raw();
    const denied = await again.request({
      method: 'subscribe',
      params: { channel: 'balances', token },
      req_id: 2,
    });
    expect(denied).toMatchObject({ success: false, error: expect.stringContaining('[client_frozen]') });
    expect(await again.closed).toBe(1008);
  });
});
