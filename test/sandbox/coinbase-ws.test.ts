/**
 * The sandbox's Coinbase user WebSocket checks the subscribe's JWT as Coinbase does: another
 * key's signature or an expired JWT is `authentication failure`; a good one gets the
 * `subscriptions` message, a snapshot, and an update for an order placed by REST.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  buildJwt,
  coinbase,
  generateCdpKeyPair,
  loadSigningKey,
} from '../../src/exchanges/coinbase/index.js';
import { coinbaseEmulator } from '../../src/sandbox/coinbase.js';
import type { SandboxKey } from '../../src/sandbox/emulator.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/server.js';

let sandbox: Sandbox;
let key: SandboxKey;
beforeAll(async () => {
  const keys = coinbaseEmulator.generateKeys();
  const trade = keys.find((k) => k.name === 'trade');
  if (!trade) throw new Error('no trade key');
  key = trade;
  sandbox = createSandbox({ emulators: [coinbaseEmulator], keys });
  await sandbox.listen(0, '127.0.0.1');
});
afterAll(() => sandbox.close());

function jwt(options: { secret?: string; nowSeconds?: number } = {}): string {
  const k = loadSigningKey({ ...key.credential, secret: options.secret ?? key.credential.secret });
  if (k.kind === 'hmac') throw new Error('CDP key');
  return buildJwt({
    apiKey: key.credential.apiKey,
    key: k,
    nowSeconds: options.nowSeconds ?? Math.floor(Date.now() / 1000),
  });
}

async function connect() {
  const ws = new WebSocket(`${sandbox.baseUrl('coinbase').replace(/^http/, 'ws')}/ws-user`);
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
  return { ws, frames, until };
}

describe('sandbox Coinbase user WebSocket', () => {
  it('refuses another key and an expired JWT', async () => {
    const c = await connect();
    c.ws.send(
      JSON.stringify({
        type: 'subscribe',
        channel: 'user',
        product_ids: [],
        jwt: jwt({ secret: generateCdpKeyPair().privatePem }),
      }),
    );
    c.ws.send(
      JSON.stringify({
        type: 'subscribe',
        channel: 'user',
        product_ids: [],
        jwt: jwt({ nowSeconds: Math.floor(Date.now() / 1000) - 600 }),
      }),
    );
    await c.until(() => c.frames.length === 2);
    expect(c.frames).toEqual([
      { type: 'error', message: 'authentication failure' },
      { type: 'error', message: 'authentication failure' },
    ]);
    c.ws.close();
  });

  it('a good JWT subscribes; an order placed by REST comes as an update', async () => {
    const c = await connect();
    c.ws.send(JSON.stringify({ type: 'subscribe', channel: 'user', product_ids: ['BTC-USD'], jwt: jwt() }));
    expect(await c.until((f) => f.channel === 'subscriptions')).toMatchObject({
      events: [{ subscriptions: { user: expect.any(Array) } }],
    });
    await c.until((f) => f.channel === 'user');
    const body = JSON.stringify({
      client_order_id: 'ws-test-1',
      product_id: 'BTC-USD',
      side: 'BUY',
      order_configuration: { limit_limit_gtc: { base_size: '0.001', limit_price: '50000' } },
    });
    const host = new URL(sandbox.baseUrl('coinbase')).host;
    const signed = coinbase.sign(
      { method: 'POST', path: '/api/v3/brokerage/orders', query: '', headers: {}, body },
      key.credential,
      { clock: { now: Date.now }, nonce: { next: () => '1' }, baseUrl: `http://${host}/coinbase` },
    );
    const r = await fetch(`${sandbox.baseUrl('coinbase')}${signed.path}`, {
      method: 'POST',
      headers: signed.headers,
      body,
    });
    expect(r.status).toBe(200);
    const update = await c.until((f) => f.channel === 'user' && JSON.stringify(f).includes('"update"'));
    expect(update).toMatchObject({
      events: [{ type: 'update', orders: [{ product_id: 'BTC-USD', status: 'OPEN', order_side: 'BUY' }] }],
    });
    c.ws.close();
  });
});
