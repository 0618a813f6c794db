/**
 * The resume path (src/gateway/ws/ws-resume.ts) against a scripted Binance WebSocket API that
 * can hold an answer, drop every connection and send Binance's `serverShutdown` notice:
 *
 * - an order in flight when the exchange drops the socket fails in Binance's error shape with the
 *   client's id and is never sent again; the subscription is, on the new socket; the client socket
 *   stays and its next request is answered;
 * - a `serverShutdown` notice re-opens the upstream before the exchange closes it, and is not relayed;
 * - a resume whose audit record cannot be written sends nothing and closes the client (1012);
 * - a retired key closes the client (1008) instead of resuming.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import type { Credential } from '../../../src/exchanges/adapter.js';
import { binanceSignature } from '../../../src/exchanges/binance/index.js';
import { CLOSE_POLICY, CLOSE_UPSTREAM_GONE } from '../../../src/gateway/ws/ws-limits.js';
import { type Harness, startHarness } from '../harness.js';

interface FakeConn {
  socket: WebSocket;
  frames: Array<{ id: unknown; method: string; params: Record<string, unknown> }>;
  closed: boolean;
}

/** Just enough of Binance's WebSocket API: subscriptions and reads answered, order.place held. */
function fakeBinance(): { server: Server; conns: FakeConn[]; start(): Promise<string> } {
  const conns: FakeConn[] = [];
  const server = createServer((_req, res) => {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"code":-1,"msg":"not here"}');
  });
  const wss = new WebSocketServer({ server, path: '/binance/ws-api/v3' });
  wss.on('connection', (socket) => {
    const conn: FakeConn = { socket, frames: [], closed: false };
    conns.push(conn);
    socket.on('message', (d) => {
      const f = JSON.parse(d.toString()) as FakeConn['frames'][number];
      conn.frames.push(f);
      if (f.method === 'order.place') return;
      const result = f.method === 'userDataStream.subscribe.signature' ? { subscriptionId: 0 } : {};
      socket.send(JSON.stringify({ id: f.id, status: 200, result }));
    });
    socket.once('close', () => {
      conn.closed = true;
    });
  });
  return {
    server,
    conns,
    start: () =>
      new Promise((resolve) =>
        server.listen(0, '127.0.0.1', () =>
          resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
        ),
      ),
  };
}

let fake: ReturnType<typeof fakeBinance>;
let h: Harness;
beforeAll(async () => {
  fake = fakeBinance();
  const origin = await fake.start();
  h = await startHarness({ exchanges: ['binance'], baseUrls: { binance: `${origin}/binance` } });
}, 60_000);
afterAll(async () => {
  await h.close();
  fake.server.closeAllConnections();
  await new Promise((r) => fake.server.close(r));
});
afterEach(() => {
  h.audit.failing = false;
});

function signed(credential: Credential, params: Record<string, string | number> = {}) {
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

async function connect() {
  const ws = new WebSocket(`${h.url.replace(/^http/, 'ws')}/binance/ws-api/v3`);
  const frames: Array<Record<string, unknown>> = [];
  const waiting = new Map<unknown, (v: Record<string, unknown>) => void>();
  ws.on('message', (d) => {
    const v = JSON.parse(d.toString()) as Record<string, unknown>;
    frames.push(v);
    waiting.get(v.id)?.(v);
  });
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const answer = (id: unknown) => new Promise<Record<string, unknown>>((resolve) => waiting.set(id, resolve));
  return {
    ws,
    frames,
    closed,
    answer,
    request(frame: { id: unknown; method: string; params: object }) {
      const p = answer(frame.id);
      ws.send(JSON.stringify(frame));
      return p;
    },
  };
}

async function until(what: string, cond: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const open = () => fake.conns.filter((c) => !c.closed);
const count = (method: string) =>
  fake.conns.flatMap((c) => c.frames).filter((f) => f.method === method).length;
let n = 0;

async function subscribedClient() {
  const issued = await h.issue('binance', `wr-${++n}`);
  const c = await connect();
  const sub = { id: 's', method: 'userDataStream.subscribe.signature', params: signed(issued.credential) };
  expect(await c.request(sub)).toMatchObject({ id: 's', status: 200 });
  await until('only this upstream open', () => open().length === 1);
  return { issued, c };
}

describe('resuming a Binance upstream', () => {
  it('an order in flight at the drop fails in Binance shape and is never resent; the subscription is', async () => {
    const { issued, c } = await subscribedClient();
    const [first] = open();
    const subs = count('userDataStream.subscribe.signature');
    const order = c.answer('o1');
    c.ws.send(
      JSON.stringify({
        id: 'o1',
        method: 'order.place',
        params: signed(issued.credential, {
          symbol: 'BTCUSDT',
          side: 'BUY',
          type: 'LIMIT',
          timeInForce: 'GTC',
          quantity: '0.001',
          price: '50000',
        }),
      }),
    );
    await until('the order reached the exchange', () => count('order.place') === 1);
    first?.socket.close(1001, 'going away');
    const failed = await order;
    expect(failed).toMatchObject({ id: 'o1', error: { code: expect.any(Number), msg: expect.any(String) } });
    expect(failed.status).toBeGreaterThanOrEqual(500);
    await until(
      'the subscription re-sent on a new socket',
      () => count('userDataStream.subscribe.signature') === subs + 1,
    );
    const [second] = open();
    expect(second).not.toBe(first);
    expect(second?.frames.map((f) => f.method)).toEqual(['userDataStream.subscribe.signature']);
    // Re-signed for the new socket: a fresh timestamp and signature, the real key, never the client's.
    const replayed = second?.frames[0]?.params ?? {};
    expect(replayed.apiKey).not.toBe(issued.credential.apiKey);
    expect(replayed.signature).toEqual(expect.any(String));
    // The client's socket stays; its next request goes over the new upstream. The order never again.
    expect(
      await c.request({ id: 'a', method: 'account.status', params: signed(issued.credential) }),
    ).toMatchObject({
      id: 'a',
      status: 200,
    });
    expect(count('order.place')).toBe(1);
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
    const resumed = h.audit.records.filter(
      (r) => r.clientId === issued.client.id && r.action === 'ws-resume',
    );
    expect(resumed.map((r) => r.detail?.reason)).toEqual(['upstream_gone']);
    c.ws.close();
  });

  it("Binance's serverShutdown notice re-opens the upstream before the exchange closes it, and is not relayed", async () => {
    const { issued, c } = await subscribedClient();
    const [first] = open();
    first?.socket.send(JSON.stringify({ subscriptionId: 0, event: { e: 'serverShutdown', E: Date.now() } }));
    await until('a new upstream subscribed and the old one closed by keywarden', () => {
      const now = open();
      return first?.closed === true && now.length === 1 && now[0]?.frames.length === 1;
    });
    expect(c.frames.some((f) => JSON.stringify(f).includes('serverShutdown'))).toBe(false);
    const resumed = h.audit.records.filter(
      (r) => r.clientId === issued.client.id && r.action === 'ws-resume',
    );
    expect(resumed.map((r) => r.detail?.reason)).toEqual(['exchange_shutdown']);
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
    c.ws.close();
  });

  it('a resume whose audit record cannot be written sends nothing and closes the client', async () => {
    const { c } = await subscribedClient();
    const [first] = open();
    const before = fake.conns.length;
    h.audit.failing = true;
    first?.socket.close(1001, 'going away');
    expect(await c.closed).toBe(CLOSE_UPSTREAM_GONE);
    expect(fake.conns.length).toBe(before);
  });

  // Last: it retires the harness's key.
  it('a retired key closes the client instead of resuming', async () => {
    const { c } = await subscribedClient();
    const before = fake.conns.length;
    await h.keys.retire(h.keyLabel('binance'));
    expect(await c.closed).toBe(CLOSE_POLICY);
    expect(fake.conns.length).toBe(before);
  });
});
