/**
 * `client set-ip` / `set-policy` against the real gateway (buildGatewayStack on a real socket,
 * sandbox exchange, SQLite file): the change commits with a `clients_version` bump, so the very
 * next request is judged by the new settings, with no restart and no new credential.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../gateway/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ exchanges: ['binance'] });
});
afterAll(() => h.close());

async function call(token: string, method: 'GET' | 'POST', path: string, body?: string) {
  const r = await request(`${h.url}/binance${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
    },
    ...(body !== undefined ? { body } : {}),
  });
  return { status: r.statusCode, code: r.headers['x-keywarden-code'], body: await r.body.text() };
}

const ORDER = 'symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price=59000';

describe('changing a client in place reaches a running gateway on the next request', () => {
  it('set-ip: a client pinned elsewhere is denied from 127.0.0.1, and let back in when 127.0.0.1 is listed', async () => {
    const { token, client } = await h.issue('binance', 'pinned-bot');
    // Positive control: no allow-list yet, the request from 127.0.0.1 goes through.
    const open = await call(token, 'GET', '/api/v3/account');
    expect(open.status, open.body).toBe(200);

    await h.clients.setIpAllow(client.name, ['10.0.0.0/8', 'fd00::/8']);
    const before = h.sandbox.log.length;
    const denied = await call(token, 'GET', '/api/v3/account');
    // Answered in Binance's own error shape (its status for an IP refusal), with keywarden's code.
    expect(denied.status).toBeGreaterThanOrEqual(400);
    expect(denied.code).toBe('ip_not_allowed');
    expect(h.sandbox.log.length).toBe(before);

    await h.clients.setIpAllow(client.name, ['127.0.0.1/32']);
    const back = await call(token, 'GET', '/api/v3/account');
    expect(back.status, back.body).toBe(200);
    expect(h.sandbox.log.length).toBe(before + 1);
  });

  it('set-policy: a trading client put on a read-only policy has its next order refused', async () => {
    const { token, client } = await h.issue('binance', 'policy-bot');
    const first = await call(token, 'POST', '/api/v3/order', ORDER);
    expect(first.status, first.body).toBe(200);

    await h.clients.setPolicy(client.name, { mode: 'enforce', actions: ['public', 'read'] });
    const before = h.sandbox.log.length;
    const refused = await call(token, 'POST', '/api/v3/order', ORDER);
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.code).toBe('policy_denied');
    expect(h.sandbox.log.length).toBe(before);
    // Reads are still allowed: only the policy changed, the credential is the same.
    expect((await call(token, 'GET', '/api/v3/account')).status).toBe(200);
  });
});
