/**
 * The sandbox's WebSocket connection list and forced closes: `GET /_sandbox/ws` names the key a
 * connection's accepted messages were verified with (never one it was refused with), and `POST
 * /_sandbox/fault` kind `ws_drop` closes an exchange's connections (1001) and refuses the next
 * upgrades it was told to (503), then accepts again; a malformed fault is refused (400).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { binanceSignature } from '../../src/exchanges/binance/index.js';
import { binanceEmulator } from '../../src/sandbox/binance.js';
import type { SandboxKey } from '../../src/sandbox/emulator.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/server.js';
import type { SandboxWsConnection } from '../../src/sandbox/ws-server.js';

let sandbox: Sandbox;
let key: SandboxKey;
let origin = '';
beforeAll(async () => {
  const keys = binanceEmulator.generateKeys();
  const trade = keys.find((k) => k.name === 'trade');
  if (!trade) throw new Error('no trade key');
  key = trade;
  sandbox = createSandbox({ emulators: [binanceEmulator], keys });
  origin = await sandbox.listen(0, '127.0.0.1');
});
afterAll(() => sandbox.close());

function subscribe(secret: string) {
  const all: Record<string, string | number> = { apiKey: key.credential.apiKey, timestamp: Date.now() };
  const payload = Object.keys(all)
    .sort()
    .map((k) => `${k}=${all[k]}`)
    .join('&');
  const signature = decodeURIComponent(binanceSignature(payload, secret));
  return JSON.stringify({
    id: 1,
    method: 'userDataStream.subscribe.signature',
    params: { ...all, signature },
  });
}

const url = () => `${origin.replace(/^http/, 'ws')}/binance/ws-api/v3`;

async function connect(): Promise<{ ws: WebSocket; next(): Promise<string>; closed: Promise<number> }> {
  const ws = new WebSocket(url());
  const queue: string[] = [];
  const waiting: Array<(t: string) => void> = [];
  ws.on('message', (d) => {
    const w = waiting.shift();
    if (w) w(d.toString());
    else queue.push(d.toString());
  });
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return {
    ws,
    closed,
    next: () =>
      new Promise((resolve) => (queue.length > 0 ? resolve(queue.shift() ?? '') : waiting.push(resolve))),
  };
}

const listed = async (): Promise<SandboxWsConnection[]> =>
  (await (await fetch(`${origin}/_sandbox/ws`)).json()) as SandboxWsConnection[];
const fault = (body: unknown) =>
  fetch(`${origin}/_sandbox/fault`, { method: 'POST', body: JSON.stringify(body) });

describe('sandbox WebSocket connections', () => {
  it('lists the key a connection was accepted with, not one it refused', async () => {
    const c = await connect();
    c.ws.send(subscribe('wrong-secret'));
    expect(JSON.parse(await c.next())).toMatchObject({ status: 400 });
    let [conn] = (await listed()).filter((x) => x.closedAt === undefined);
    expect(conn?.apiKey).toBeUndefined();
    c.ws.send(subscribe(key.credential.secret));
    expect(JSON.parse(await c.next())).toMatchObject({ status: 200 });
    [conn] = (await listed()).filter((x) => x.closedAt === undefined);
    expect(conn).toMatchObject({ exchange: 'binance', path: '/ws-api/v3', apiKey: key.credential.apiKey });
    const logged = sandbox.log.filter((e) => e.method === 'WS');
    expect(logged.at(-1)).toMatchObject({ connection: conn?.id, apiKey: key.credential.apiKey, status: 200 });
    expect(logged.at(-2)?.apiKey).toBeUndefined();
    c.ws.close();
  });

  it('ws_drop closes the connections and refuses the next upgrades it was told to', async () => {
    const c = await connect();
    const r = await fault({ kind: 'ws_drop', exchange: 'binance', refuseReconnects: 1 });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ ok: true, closed: 1 });
    expect(await c.closed).toBe(1001);
    const refused = new WebSocket(url());
    const status = await new Promise<number | undefined>((resolve) =>
      refused.once('unexpected-response', (_req, res) => resolve(res.statusCode)),
    );
    expect(status).toBe(503);
    const again = await connect();
    again.ws.close();
    expect((await fault({ kind: 'ws_drop', exchange: 'binance', code: 1005 })).status).toBe(400);
    expect((await fault({ kind: 'ws_drop', exchange: 'binance', refuseReconnects: -1 })).status).toBe(400);
  });
});
