/**
 * The sandbox's Binance WebSocket API verifies like Binance: a bad signature is -1022 and
 * executes nothing, an unknown key -2015; a properly signed order executes and the user data
 * stream carries its executionReport and outboundAccountPosition.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { binanceSignature } from '../../src/exchanges/binance/index.js';
import { binanceEmulator } from '../../src/sandbox/binance.js';
import type { SandboxKey } from '../../src/sandbox/emulator.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/server.js';

let sandbox: Sandbox;
let key: SandboxKey;
beforeAll(async () => {
  const keys = binanceEmulator.generateKeys();
  const trade = keys.find((k) => k.name === 'trade');
  if (!trade) throw new Error('no trade key');
  key = trade;
  sandbox = createSandbox({ emulators: [binanceEmulator], keys });
  await sandbox.listen(0, '127.0.0.1');
});
afterAll(() => sandbox.close());

function signed(params: Record<string, string>, secret = key.credential.secret) {
  const all: Record<string, string | number> = {
    ...params,
    apiKey: key.credential.apiKey,
    timestamp: Date.now(),
  };
  const payload = Object.keys(all)
    .sort()
    .map((k) => `${k}=${all[k]}`)
    .join('&');
  return { ...all, signature: decodeURIComponent(binanceSignature(payload, secret)) };
}

async function connect() {
  const ws = new WebSocket(`${sandbox.baseUrl('binance').replace(/^http/, 'ws')}/ws-api/v3`);
  const frames: Array<Record<string, unknown>> = [];
  const listeners: Array<() => void> = [];
  ws.on('message', (d) => {
    frames.push(JSON.parse(d.toString()) as Record<string, unknown>);
    for (const l of listeners) l();
  });
  await new Promise((r) => ws.once('open', r));
  const until = (pred: (f: Record<string, unknown>) => boolean) =>
    new Promise<Record<string, unknown>>((resolve) => {
      const check = () => {
        const hit = frames.find(pred);
        if (hit) resolve(hit);
      };
      listeners.push(check);
      check();
    });
  return { ws, until };
}

const ORDER = { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001' };

describe('sandbox Binance WebSocket API', () => {
  it('refuses a signature made with another secret (-1022) and executes nothing', async () => {
    const c = await connect();
    const before = sandbox.engine.closedOrders(key.account).length;
    c.ws.send(JSON.stringify({ id: 'x', method: 'order.place', params: signed(ORDER, 'w'.repeat(64)) }));
    expect(await c.until((f) => f.id === 'x')).toMatchObject({ status: 400, error: { code: -1022 } });
    expect(sandbox.engine.closedOrders(key.account).length).toBe(before);
    c.ws.close();
  });

  it('executes a signed order and streams its events to the subscribed connection', async () => {
    const c = await connect();
    c.ws.send(JSON.stringify({ id: 1, method: 'userDataStream.subscribe.signature', params: signed({}) }));
    expect(await c.until((f) => f.id === 1)).toMatchObject({ status: 200, result: { subscriptionId: 0 } });
    c.ws.send(JSON.stringify({ id: 2, method: 'order.place', params: signed(ORDER) }));
    const answer = await c.until((f) => f.id === 2);
    expect(answer).toMatchObject({ status: 200, result: { symbol: 'BTCUSDT', status: 'FILLED' } });
    const orderId = (answer.result as { orderId: number }).orderId;
    const report = await c.until((f) => (f.event as { e?: string } | undefined)?.e === 'executionReport');
    expect(report).toMatchObject({ subscriptionId: 0, event: { i: orderId, X: 'FILLED', s: 'BTCUSDT' } });
    const balance = await c.until(
      (f) => (f.event as { e?: string } | undefined)?.e === 'outboundAccountPosition',
    );
    expect((balance.event as { B: Array<{ a: string }> }).B.map((b) => b.a)).toContain('BTC');
    expect(sandbox.log.some((e) => e.method === 'WS' && e.query.startsWith('method=order.place'))).toBe(true);
    c.ws.close();
  });
});
