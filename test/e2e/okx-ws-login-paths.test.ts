/**
 * OKX's login signs only its timestamp in seconds, so a client opening /ws/v5/private and
 * /ws/v5/business in one second (CCXT Pro does) sends the same login frame twice. keywarden lets
 * the frame log in once on each path, from the source IP of its first use; a captured frame
 * replayed from another address, or again on a path it already served (after that connection
 * closed too), is refused and never reaches the sandbox.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Credential } from '../../src/exchanges/adapter.js';
import { okxWsLoginHeaders } from '../../src/exchanges/okx/index.js';
import { type Harness, startHarness } from '../gateway/harness.js';

type Frame = Record<string, unknown>;
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ exchanges: ['okx'] });
}, 60_000);
afterAll(() => h.close());

async function raw(path: string, localAddress = '127.0.0.1') {
  const ws = new WebSocket(`${h.url.replace(/^http/, 'ws')}/okx${path}`, { localAddress });
  const waiting: Array<(v: Frame) => void> = [];
  ws.on('message', (d) => {
    const text = d.toString();
    if (text === 'pong') return;
    const v = JSON.parse(text) as Frame;
    if (v.data !== undefined && v.arg !== undefined) return;
    waiting.shift()?.(v);
  });
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return {
    ws,
    closed,
    request: (frame: object) =>
      new Promise<Frame>((resolve) => {
        waiting.push(resolve);
        ws.send(JSON.stringify(frame));
      }),
  };
}

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

const POLICY = { mode: 'enforce' as const, actions: ['public' as const, 'read' as const] };
const logins = () => h.sandbox.log.filter((e) => e.exchange === 'okx' && e.query === 'op=login').length;
let n = 0;

describe('the same OKX login frame on /ws/v5/private and /ws/v5/business', () => {
  it('logs both connections in: one client, one source IP, one second', async () => {
    const issued = await h.issue('okx', `paths-${++n}`, { policy: POLICY });
    const frame = login(issued.credential);
    const priv = await raw('/ws/v5/private');
    const biz = await raw('/ws/v5/business');
    try {
      expect(await priv.request(frame)).toMatchObject({ event: 'login', code: '0' });
      expect(await biz.request(frame)).toMatchObject({ event: 'login', code: '0' });
      // Both connections serve the client: a private subscription on each is relayed.
      expect(await priv.request({ id: '1', op: 'subscribe', args: [{ channel: 'account' }] })).toMatchObject({
        event: 'subscribe',
      });
      expect(
        await biz.request({ id: '2', op: 'subscribe', args: [{ channel: 'orders-algo', instType: 'ANY' }] }),
      ).toMatchObject({ event: 'subscribe' });
    } finally {
      priv.ws.close();
      biz.ws.close();
    }
  });

  it('is refused on a path it already served, even after that connection closed', async () => {
    const issued = await h.issue('okx', `paths-${++n}`, { policy: POLICY });
    const frame = login(issued.credential);
    const first = await raw('/ws/v5/private');
    expect(await first.request(frame)).toMatchObject({ event: 'login', code: '0' });
    first.ws.close();
    await first.closed;
    const before = logins();
    const again = await raw('/ws/v5/private');
    try {
      const refused = await again.request(frame);
      expect(refused).toMatchObject({ event: 'error' });
      expect(String(refused.msg)).toContain('[auth_replayed]');
      expect(logins()).toBe(before);
    } finally {
      again.ws.close();
    }
  });

  it('is refused from another source IP on the path the client did not use, and then spent for it too', async () => {
    const issued = await h.issue('okx', `paths-${++n}`, { policy: POLICY });
    const frame = login(issued.credential);
    const legit = await raw('/ws/v5/private');
    const attacker = await raw('/ws/v5/business', '127.0.0.2');
    try {
      expect(await legit.request(frame)).toMatchObject({ event: 'login', code: '0' });
      const before = logins();
      const refused = await attacker.request(frame);
      expect(refused).toMatchObject({ event: 'error' });
      expect(String(refused.msg)).toContain('[auth_replayed]');
      expect(logins()).toBe(before);
      // The attempt spent the /business use: the same frame from the first IP is refused there now too.
      const late = await raw('/ws/v5/business');
      try {
        expect(String((await late.request(frame)).msg)).toContain('[auth_replayed]');
      } finally {
        late.ws.close();
      }
      // Nothing the attacker sends is served: its connection is not logged in.
      const unbound = await attacker.request({ id: '3', op: 'subscribe', args: [{ channel: 'account' }] });
      expect(unbound).toMatchObject({ event: 'error' });
      expect(logins()).toBe(before);
    } finally {
      legit.ws.close();
      attacker.ws.close();
    }
  });

  it('a frame first used from another IP cannot seed a later use from there', async () => {
    const issued = await h.issue('okx', `paths-${++n}`, { policy: POLICY });
    const frame = login(issued.credential);
    const attacker = await raw('/ws/v5/business', '127.0.0.2');
    const legit = await raw('/ws/v5/private');
    try {
      // A captured frame used first by the attacker logs in (as any first use would, as before):
      expect(await attacker.request(frame)).toMatchObject({ event: 'login', code: '0' });
      // but it then serves only that address: the owner's own use from elsewhere is refused.
      expect(String((await legit.request(frame)).msg)).toContain('[auth_replayed]');
    } finally {
      legit.ws.close();
      attacker.ws.close();
    }
  });
});
