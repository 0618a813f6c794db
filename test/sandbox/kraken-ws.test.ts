/**
 * The sandbox's Kraken WebSocket v2 checks tokens as Kraken does: one it issued through REST
 * `GetWebSocketsToken` subscribes within its 15 minutes; an unknown or expired one is
 * `ESession:Invalid session`; `executions` carries the events of an order placed by REST.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { kraken } from '../../src/exchanges/kraken/index.js';
import type { SandboxKey } from '../../src/sandbox/emulator.js';
import { krakenEmulator } from '../../src/sandbox/kraken.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/server.js';

let sandbox: Sandbox;
let key: SandboxKey;
let now = Date.now();
let nonce = now * 1000;
beforeAll(async () => {
  const keys = krakenEmulator.generateKeys();
  const trade = keys.find((k) => k.name === 'trade');
  if (!trade) throw new Error('no trade key');
  key = trade;
  sandbox = createSandbox({ emulators: [krakenEmulator], keys, clock: { now: () => now } });
  await sandbox.listen(0, '127.0.0.1');
});
afterAll(() => sandbox.close());

async function rest(method: string, body: string): Promise<Record<string, unknown>> {
  const signed = kraken.sign(
    { method: 'POST', path: `/0/private/${method}`, query: '', headers: {}, body },
    key.credential,
    { clock: { now: () => now }, nonce: { next: () => String(++nonce) }, baseUrl: '' },
  );
  const r = await fetch(`${sandbox.baseUrl('kraken')}${signed.path}`, {
    method: 'POST',
    headers: signed.headers,
    body: signed.body,
  });
  return (await r.json()) as Record<string, unknown>;
}

async function connect() {
  const ws = new WebSocket(`${sandbox.baseUrl('kraken').replace(/^http/, 'ws')}/v2`);
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

describe('sandbox Kraken WebSocket v2', () => {
  it('a REST token subscribes to executions, which carries a REST order', async () => {
    const answer = (await rest('GetWebSocketsToken', '')) as { result: { token: string; expires: number } };
    expect(answer.result.expires).toBe(900);
    const c = await connect();
    c.ws.send(
      JSON.stringify({
        method: 'subscribe',
        params: { channel: 'executions', token: answer.result.token },
        req_id: 1,
      }),
    );
    expect(await c.until((f) => f.req_id === 1)).toMatchObject({ method: 'subscribe', success: true });
    expect(await c.until((f) => f.type === 'snapshot')).toMatchObject({ channel: 'executions' });
    await rest('AddOrder', 'ordertype=limit&type=buy&volume=0.01&pair=XBTUSD&price=50000');
    const update = await c.until((f) => f.type === 'update');
    expect(update).toMatchObject({
      channel: 'executions',
      data: [{ symbol: 'BTC/USD', exec_type: 'new', order_status: 'new' }],
    });
    c.ws.close();
  });

  it('an unknown or expired token is ESession:Invalid session, and subscribes nothing', async () => {
    const answer = (await rest('GetWebSocketsToken', '')) as { result: { token: string } };
    const c = await connect();
    c.ws.send(
      JSON.stringify({ method: 'subscribe', params: { channel: 'balances', token: 'nope' }, req_id: 2 }),
    );
    expect(await c.until((f) => f.req_id === 2)).toMatchObject({
      success: false,
      error: 'ESession:Invalid session',
    });
    now += 900_000;
    c.ws.send(
      JSON.stringify({
        method: 'subscribe',
        params: { channel: 'balances', token: answer.result.token },
        req_id: 3,
      }),
    );
    expect(await c.until((f) => f.req_id === 3)).toMatchObject({
      success: false,
      error: 'ESession:Invalid session',
    });
    const log = sandbox.log.filter((e) => e.method === 'WS');
    expect(log.slice(-2).map((e) => e.status)).toEqual([400, 400]);
    c.ws.close();
  });
});
