/**
 * A connection's upstream is re-opened under an open client socket (src/gateway/ws/ws-resume.ts),
 * end to end with unmodified CCXT Pro for Binance, OKX and Bybit:
 *
 * - a key rotation (rotateKey, as `keywarden key rotate` runs it) re-logs the upstream with the
 *   new key: the sandbox shows a new connection logged in / subscribed with the new key and the
 *   old one closed; an order placed after it reaches the client over the SAME client socket; no
 *   secret (old or new, both canaries) is in any frame, sandbox log entry or audit record;
 * - the exchange closing the upstream (sandbox `ws_drop`) is invisible to the client: events
 *   after the reconnect still arrive; with reconnects refused, the client gets CLOSE_UPSTREAM_GONE
 *   within a bounded time;
 * - no client frame makes the gateway re-open (or re-log) an upstream.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ExchangeId } from '../../src/core/index.js';
import type { Credential } from '../../src/exchanges/adapter.js';
import { binanceSignature } from '../../src/exchanges/binance/index.js';
import { bybitWsAuthSignature } from '../../src/exchanges/bybit/index.js';
import { okxWsLoginHeaders } from '../../src/exchanges/okx/index.js';
import { CLOSE_UPSTREAM_GONE } from '../../src/gateway/ws/ws-limits.js';
import { type Harness, startHarness } from '../gateway/harness.js';
import { ccxtPro, WS_E2E_POLICY } from './ws-e2e.js';
import {
  connections,
  openConnections,
  plantSecrets,
  rotateTo,
  sandboxKey,
  seenOrder,
  until,
} from './ws-resume-e2e.js';

const OLD_SECRET = `canaryold${'Q7'.repeat(28)}`;
const NEW_SECRET = `canarynew${'R8'.repeat(28)}`;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    exchanges: ['binance', 'okx', 'bybit'],
    plantKeys: plantSecrets({ full: OLD_SECRET, trade: NEW_SECRET }),
  });
}, 60_000);
afterAll(() => h.close());

let n = 0;
const client = (exchange: ExchangeId) => h.issue(exchange, `rs-${++n}`, { policy: WS_E2E_POLICY });

/** The CCXT client's open WebSocket connections, and every frame they receive from now on. */
// biome-ignore lint/suspicious/noExplicitAny: CCXT Pro's classes are untyped here
function tap(ex: any): { sockets: WebSocket[]; frames: string[] } {
  const sockets = Object.values(ex.clients as Record<string, { connection: WebSocket }>).map(
    (c) => c.connection,
  );
  const frames: string[] = [];
  for (const s of sockets) s.on('message', (d: Buffer) => frames.push(d.toString()));
  return { sockets, frames };
}

const wsLog = (exchange: ExchangeId) =>
  h.sandbox.log.filter((e) => e.method === 'WS' && e.exchange === exchange);
const resumes = (clientId: string) =>
  h.audit.records.filter((r) => r.clientId === clientId && r.action === 'ws-resume');
const closes = (clientId: string) =>
  h.audit.records.filter((r) => r.clientId === clientId && r.action === 'ws-close');

function noSecrets(frames: string[]): void {
  const all = [...frames, JSON.stringify(h.sandbox.log), JSON.stringify(h.audit.records)].join('\n');
  expect(all).not.toContain(OLD_SECRET);
  expect(all).not.toContain(NEW_SECRET);
}

/** Place an order with createOrderWs and wait until watchOrders gives it. */
// biome-ignore lint/suspicious/noExplicitAny: as above
async function placeAndSee(ex: any, price: number): Promise<string> {
  let id: string | undefined;
  const seen = seenOrder(
    () => ex.watchOrders('BTC/USDT'),
    () => id,
  );
  // Let the subscription be answered first (Bybit: and its two sockets' auths not sign in one millisecond).
  await new Promise((r) => setTimeout(r, 300));
  const placed = await ex.createOrderWs('BTC/USDT', 'limit', 'buy', 0.001, price);
  id = placed.id;
  await seen;
  return placed.id;
}

/** CCXT Pro set up for a private stream: markets, the plain ws:// agent, and each exchange's first step. */
async function ready(exchange: ExchangeId, credential: Credential) {
  const ex = ccxtPro(exchange, h.url, credential);
  await ex.loadHttpProxyAgent();
  await ex.loadMarkets();
  if (exchange === 'binance') await ex.authenticate();
  if (exchange === 'bybit') await ex.isUnifiedEnabled();
  return ex;
}

describe.each(['binance', 'okx', 'bybit'] as const)(
  '%s: the upstream is re-opened, the client socket stays',
  (exchange) => {
    it('a key rotation re-logs the upstream with the new key; orders after it reach the client over the same socket', async () => {
      const issued = await client(exchange);
      const ex = await ready(exchange, issued.credential);
      try {
        const balance = ex.watchBalance();
        await placeAndSee(ex, 59_000);
        await balance;
        const oldKey = sandboxKey(h, exchange, 'full').credential.apiKey;
        const newKey = sandboxKey(h, exchange, 'trade').credential.apiKey;
        const before = openConnections(h, exchange);
        expect(before.length).toBeGreaterThan(0);
        expect(before.every((c) => c.apiKey === oldKey)).toBe(true);
        const { sockets, frames } = tap(ex);
        const logFrom = wsLog(exchange).length;

        await rotateTo(h, exchange, 'trade');
        await until('the upstream re-logged with the new key and the old one closed', () => {
          const now = openConnections(h, exchange);
          return (
            before.every((c) => c.closedAt !== undefined) &&
            now.length === before.length &&
            now.every((c) => c.apiKey === newKey && c.apiKeys.length === 1)
          );
        });
        const after = openConnections(h, exchange);
        // The new connections got the login and the subscriptions again, with the new key only.
        const replayed = wsLog(exchange)
          .slice(logFrom)
          .filter((e) => after.some((c) => c.id === e.connection));
        expect(replayed.length).toBeGreaterThan(0);
        expect(replayed.every((e) => e.apiKey === newKey && e.status < 400)).toBe(true);
        if (exchange === 'okx') expect(replayed.some((e) => e.query.startsWith('op=login'))).toBe(true);
        if (exchange === 'bybit') expect(replayed.some((e) => e.query.startsWith('op=auth'))).toBe(true);
        if (exchange === 'binance')
          expect(replayed.some((e) => e.query.startsWith('method=userDataStream.subscribe.signature'))).toBe(
            true,
          );

        // An order after the rotation: its event comes over the client's same sockets.
        const orderFrom = wsLog(exchange).length;
        await placeAndSee(ex, 58_000);
        const placedLog = wsLog(exchange)
          .slice(orderFrom)
          .filter((e) => /^(method=order\.place|op=order|op=batch-orders|op=order\.create)/.test(e.query));
        expect(placedLog.length, JSON.stringify(wsLog(exchange).slice(orderFrom))).toBe(1);
        expect(placedLog[0]).toMatchObject({ apiKey: newKey, status: 200 });
        expect(after.map((c) => c.id)).toContain(placedLog[0]?.connection);
        expect(sockets.every((s) => s.readyState === WebSocket.OPEN)).toBe(true);
        expect(
          Object.values(ex.clients as Record<string, { connection: WebSocket }>).map((c) => c.connection),
        ).toEqual(sockets);
        expect(frames.length).toBeGreaterThan(0);
        expect(closes(issued.client.id)).toEqual([]);
        const recorded = resumes(issued.client.id);
        expect(recorded.length).toBe(before.length);
        expect(recorded[0]?.detail).toMatchObject({
          reason: 'key_rotated',
          keyVersion: 2,
          previousKeyVersion: 1,
        });
        expect(
          connections(h, exchange).every((c) => !c.apiKeys.includes(oldKey) || c.closedAt !== undefined),
        ).toBe(true);
        noSecrets(frames);
      } finally {
        await ex.close();
      }
    }, 60_000);

    it('the exchange closing the upstream is invisible to the client: events after the reconnect still arrive', async () => {
      const issued = await client(exchange);
      const ex = await ready(exchange, issued.credential);
      try {
        await placeAndSee(ex, 57_000);
        const before = openConnections(h, exchange);
        const { sockets, frames } = tap(ex);
        const dropped = h.sandbox.ws.drop({ exchange });
        expect(dropped).toBeGreaterThanOrEqual(before.length);
        await until(
          'the upstream re-opened',
          () =>
            before.every((c) => c.closedAt !== undefined) &&
            openConnections(h, exchange).filter((c) => c.apiKey !== undefined).length >= before.length,
        );
        await placeAndSee(ex, 56_000);
        expect(sockets.every((s) => s.readyState === WebSocket.OPEN)).toBe(true);
        expect(closes(issued.client.id)).toEqual([]);
        expect(resumes(issued.client.id).map((r) => r.detail?.reason)).toContain('upstream_gone');
        noSecrets(frames);
      } finally {
        await ex.close();
      }
    }, 60_000);
  },
);

/* Raw clients: the close code is observable, and frames are the test's own. */

type Frame = Record<string, unknown>;
async function raw(path: string) {
  const ws = new WebSocket(`${h.url.replace(/^http/, 'ws')}${path}`);
  const frames: string[] = [];
  const waiting: Array<(v: Frame) => void> = [];
  ws.on('message', (d) => {
    const text = d.toString();
    frames.push(text);
    const v = text === 'pong' ? {} : (JSON.parse(text) as Frame);
    // Pushes (Binance's user data events, OKX's and Bybit's channel data) answer no request.
    if (v.event !== undefined && v.subscriptionId !== undefined) return;
    if (v.arg !== undefined && v.data !== undefined) return;
    if (v.topic !== undefined) return;
    waiting.shift()?.(v);
  });
  const closed = new Promise<{ code: number; at: number }>((resolve) =>
    ws.once('close', (code) => resolve({ code, at: Date.now() })),
  );
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return {
    ws,
    frames,
    closed,
    request: (frame: object) =>
      new Promise<Frame>((resolve) => {
        waiting.push(resolve);
        ws.send(JSON.stringify(frame));
      }),
  };
}

function binanceSigned(credential: Credential, params: Record<string, string | number> = {}) {
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

function okxLogin(credential: Credential) {
  const hd = okxWsLoginHeaders(credential.apiKey, credential.password ?? '', credential.secret, Date.now());
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

function bybitAuth(credential: Credential) {
  const e = String(Date.now() + 10_000);
  return { op: 'auth', args: [credential.apiKey, e, bybitWsAuthSignature(e, credential.secret)] };
}

/** A raw private stream of `exchange`, logged in and subscribed. */
async function subscribed(exchange: ExchangeId, credential: Credential) {
  if (exchange === 'binance') {
    const c = await raw('/binance/ws-api/v3');
    const sub = { id: 1, method: 'userDataStream.subscribe.signature', params: binanceSigned(credential) };
    expect(await c.request(sub)).toMatchObject({ id: 1, status: 200 });
    return { c, replay: sub };
  }
  if (exchange === 'okx') {
    const c = await raw('/okx/ws/v5/private');
    const login = okxLogin(credential);
    expect(await c.request(login)).toMatchObject({ event: 'login', code: '0' });
    expect(
      await c.request({ id: '2', op: 'subscribe', args: [{ channel: 'orders', instType: 'ANY' }] }),
    ).toMatchObject({ event: 'subscribe' });
    return { c, replay: login };
  }
  const c = await raw('/bybit/v5/private');
  const auth = bybitAuth(credential);
  expect(await c.request({ req_id: '1', ...auth })).toMatchObject({ success: true, op: 'auth' });
  expect(await c.request({ req_id: '2', op: 'subscribe', args: ['order'] })).toMatchObject({ success: true });
  return { c, replay: { req_id: '3', ...auth } };
}

describe.each(['binance', 'okx', 'bybit'] as const)('%s: raw clients', (exchange) => {
  it('no client frame re-opens the upstream: a replayed login or subscription, a second login, unknown ops', async () => {
    const issued = await client(exchange);
    const { c, replay } = await subscribed(exchange, issued.credential);
    const opened = connections(h, exchange).length;
    const logFrom = wsLog(exchange).length;
    // The very frame that logged in (or subscribed), sent again: the replay cache refuses it.
    const again = await c.request(replay);
    expect(JSON.stringify(again)).toMatch(/keywarden denied|already logged in|replay/i);
    for (const method of ['resume', 'session.logon', 'reconnect', 'relogin'])
      await c.request(
        exchange === 'binance'
          ? { id: method, method, params: binanceSigned(issued.credential) }
          : exchange === 'okx'
            ? { id: '9', op: method, args: [{}] }
            : { req_id: '9', op: method, args: [] },
      );
    // Nothing reached the exchange as a login, and no upstream was (re-)opened.
    expect(
      wsLog(exchange)
        .slice(logFrom)
        .filter((e) => /op=(login|auth)|subscribe/.test(e.query)),
    ).toEqual([]);
    expect(connections(h, exchange).length).toBe(opened);
    expect(resumes(issued.client.id)).toEqual([]);
    c.ws.close();
  });

  // Last per exchange: the refused reconnects are used up by the three attempts.
  it('with the exchange refusing reconnects, the client gets the reconnect close code within a bounded time', async () => {
    const issued = await client(exchange);
    const { c } = await subscribed(exchange, issued.credential);
    // Every refusal goes to this client's attempts: no other connection of the exchange is left.
    await until('only this client connected', () => openConnections(h, exchange).length === 1);
    const started = Date.now();
    h.sandbox.ws.drop({ exchange, refuseReconnects: 3 });
    const { code, at } = await c.closed;
    expect(code).toBe(CLOSE_UPSTREAM_GONE);
    expect(at - started).toBeLessThan(5_000);
    const failedRecords = h.audit.records.filter(
      (r) => r.clientId === issued.client.id && r.action === 'ws-resume-failed',
    );
    expect(failedRecords.length).toBe(3);
  }, 20_000);
});

describe.each(['okx', 'bybit'] as const)('%s: an order right after a rotation', (exchange) => {
  it('goes out on a socket logged in with the new key, even before the lifecycle poll noticed', async () => {
    const issued = await client(exchange);
    const path = exchange === 'okx' ? '/okx/ws/v5/private' : '/bybit/v5/trade';
    const c = await raw(path);
    if (exchange === 'okx') expect(await c.request(okxLogin(issued.credential))).toMatchObject({ code: '0' });
    else
      expect(await c.request({ reqId: 'a', ...bybitAuth(issued.credential) })).toMatchObject({ retCode: 0 });
    // The key is `trade` since the first tests: back to `full`.
    const newKey = sandboxKey(h, exchange, 'full').credential.apiKey;
    const logFrom = wsLog(exchange).length;
    await rotateTo(h, exchange, 'full');
    const order =
      exchange === 'okx'
        ? {
            id: '5',
            op: 'order',
            args: [
              { instId: 'BTC-USDT', tdMode: 'cash', side: 'buy', ordType: 'limit', sz: '0.001', px: '55000' },
            ],
          }
        : {
            reqId: '5',
            header: { 'X-BAPI-TIMESTAMP': String(Date.now()), 'X-BAPI-RECV-WINDOW': '5000' },
            op: 'order.create',
            args: [
              {
                category: 'spot',
                symbol: 'BTCUSDT',
                side: 'Buy',
                orderType: 'Limit',
                qty: '0.001',
                price: '55000',
              },
            ],
          };
    const answer = await c.request(order);
    expect(JSON.stringify(answer)).toMatch(exchange === 'okx' ? /"code":"0"/ : /"retCode":0/);
    const placed = wsLog(exchange)
      .slice(logFrom)
      .filter((e) => /^op=order/.test(e.query));
    expect(placed).toHaveLength(1);
    expect(placed[0]?.apiKey).toBe(newKey);
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
    c.ws.close();
  });
});
