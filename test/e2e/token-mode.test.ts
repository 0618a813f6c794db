/**
 * Token mode: plain HTTP (undici) with `Authorization: Bearer kw_…` on the exchange's own
 * paths; keywarden signs. Real sockets on port 0 to the sandbox.
 */
import { readFileSync } from 'node:fs';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExchangeId } from '../../src/core/index.js';
import { type Harness, startHarness } from '../gateway/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

async function call(
  exchange: ExchangeId,
  token: string | undefined,
  method: string,
  path: string,
  body?: string,
  contentType?: string,
) {
  const r = await request(`${h.url}/${exchange}${path}`, {
    method: method as 'GET',
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(contentType ? { 'content-type': contentType } : {}),
    },
    ...(body !== undefined ? { body } : {}),
  });
  return { status: r.statusCode, headers: r.headers, body: await r.body.text() };
}

const READS: Array<[ExchangeId, string, string, string?, string?]> = [
  ['binance', 'GET', '/api/v3/account'],
  ['kraken', 'POST', '/0/private/Balance', '', 'application/x-www-form-urlencoded'],
  ['coinbase', 'GET', '/api/v3/brokerage/accounts'],
  ['okx', 'GET', '/api/v5/account/balance'],
  ['bybit', 'GET', '/v5/account/wallet-balance?accountType=UNIFIED'],
];

describe('token mode', () => {
  it.each(READS)(
    '%s: reads the balance with a bearer token, keywarden signs',
    async (ex, method, path, body, ct) => {
      const { token } = await h.issue(ex, `${ex}-token`);
      const before = h.sandbox.log.length;
      const r = await call(ex, token, method, path, body, ct);
      expect(r.status, r.body).toBe(200);
      expect(r.headers['x-request-id']).toMatch(/^req_/);
      const sent = h.sandbox.log.slice(before);
      expect(sent.at(-1)?.status).toBe(200);
    },
  );

  it('places an order and refuses a withdrawal without forwarding it', async () => {
    const { token } = await h.issue('binance', 'binance-token-trader');
    const order = await call(
      'binance',
      token,
      'POST',
      '/api/v3/order',
      'symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price=59000',
      'application/x-www-form-urlencoded',
    );
    expect(order.status, order.body).toBe(200);
    const before = h.sandbox.log.length;
    const w = await call(
      'binance',
      token,
      'POST',
      '/sapi/v1/capital/withdraw/apply',
      'coin=USDT&address=TXYZsandboxaddress000000000000000&amount=10',
      'application/x-www-form-urlencoded',
    );
    expect(w.status).toBeGreaterThanOrEqual(400);
    expect(JSON.parse(w.body)).toMatchObject({
      code: expect.any(Number),
      msg: expect.stringMatching(/actions/),
    });
    expect(h.sandbox.log.length).toBe(before);
  });

  it('refuses an unknown token and a token used on another exchange', async () => {
    const { token } = await h.issue('okx', 'okx-token-only');
    const before = h.sandbox.log.length;
    const unknown = await call('binance', `kw_${'x'.repeat(43)}`, 'GET', '/api/v3/account');
    expect(unknown.status).toBeGreaterThanOrEqual(400);
    expect(unknown.headers['x-keywarden-code']).toBe('auth_unknown_key');
    const cross = await call('binance', token, 'GET', '/api/v3/account');
    expect(cross.headers['x-keywarden-code']).toBe('auth_unknown_key');
    expect(h.sandbox.log.length).toBe(before);
  });

  it('needs a credential for private endpoints but forwards anonymous public market data', async () => {
    const before = h.sandbox.log.length;
    const priv = await call('binance', undefined, 'GET', '/api/v3/account');
    expect(priv.headers['x-keywarden-code']).toBe('auth_missing');
    expect(h.sandbox.log.length).toBe(before);
    const pub = await call('binance', undefined, 'GET', '/api/v3/ticker/price?symbol=BTCUSDT');
    expect(pub.status).toBe(200);
    expect(JSON.parse(pub.body)).toMatchObject({ symbol: 'BTCUSDT' });
  });

  it('fails closed when the audit log cannot be written', async () => {
    const { token } = await h.issue('binance', 'binance-token-audit');
    const before = h.sandbox.log.length;
    h.audit.failing = true;
    try {
      const r = await call('binance', token, 'GET', '/api/v3/account');
      expect(r.status).toBe(503);
      expect(r.headers['x-keywarden-code']).toBe('audit_unavailable');
      expect(h.sandbox.log.length).toBe(before);
    } finally {
      h.audit.failing = false;
    }
    expect((await call('binance', token, 'GET', '/api/v3/account')).status).toBe(200);
  });

  it('re-roll: the old token works during the grace period, the new one at once', async () => {
    const first = await h.issue('binance', 'binance-token-reroll');
    const second = await h.clients.reroll(first.client.id, 60_000);
    expect((await call('binance', first.token, 'GET', '/api/v3/account')).status).toBe(200);
    expect((await call('binance', second.token, 'GET', '/api/v3/account')).status).toBe(200);
    const third = await h.clients.reroll(first.client.id, 0);
    const old = await call('binance', second.token, 'GET', '/api/v3/account');
    expect(old.headers['x-keywarden-code']).toBe('client_revoked');
    expect((await call('binance', third.token, 'GET', '/api/v3/account')).status).toBe(200);
  });

  it('answers every signing request with the exchange-shaped sealed error while sealed', async () => {
    const { token } = await h.issue('okx', 'okx-token-sealed');
    const ready = await request(`${h.url}/readyz`);
    expect(ready.statusCode).toBe(200);
    await ready.body.text();
    h.vault.seal();
    try {
      const before = h.sandbox.log.length;
      const r = await call('okx', token, 'GET', '/api/v5/account/balance');
      expect(r.status).toBeGreaterThanOrEqual(500);
      expect(r.headers['x-keywarden-code']).toBe('vault_sealed');
      expect(JSON.parse(r.body)).toMatchObject({
        code: expect.any(String),
        msg: expect.stringMatching(/sealed/),
      });
      expect(h.sandbox.log.length).toBe(before);
      const notReady = await request(`${h.url}/readyz`);
      expect(notReady.statusCode).toBe(503);
      expect(await notReady.body.json()).toMatchObject({ sealed: true });
      const health = await request(`${h.url}/healthz`);
      expect(health.statusCode).toBe(200);
      await health.body.text();
      const wrong = await request(`${h.url}/_keywarden/unseal`, {
        method: 'POST',
        body: JSON.stringify({ masterKey: readFileSync(h.keyFiles.wrong, 'utf8') }),
      });
      expect(wrong.statusCode).toBe(401);
      await wrong.body.text();
      // A failed attempt backs the peer off for a second (test/gateway/unseal-endpoint.test.ts).
      await new Promise((r) => setTimeout(r, 1_100));
      const ok = await request(`${h.url}/_keywarden/unseal`, {
        method: 'POST',
        body: JSON.stringify({ masterKey: readFileSync(h.keyFiles.good, 'utf8') }),
      });
      expect(ok.statusCode).toBe(200);
      await ok.body.text();
    } finally {
      if (h.vault.isSealed()) await h.vault.unseal({ kind: 'key-file', path: h.keyFiles.good });
    }
    expect((await call('okx', token, 'GET', '/api/v5/account/balance')).status).toBe(200);
  });

  it('refuses unseal from a forwarded (non-loopback) client', async () => {
    const r = await request(`${h.url}/_keywarden/unseal`, {
      method: 'POST',
      headers: { 'x-forwarded-for': '203.0.113.9' },
      body: JSON.stringify({ masterKey: readFileSync(h.keyFiles.good, 'utf8') }),
    });
    expect(r.statusCode).toBe(403);
    await r.body.text();
  });
});

describe('client expiry', () => {
  it('denies an expired client with client_expired; a live one passes', async () => {
    const live = await h.issue('binance', 'binance-token-live', { expiresAt: Date.now() + 60_000 });
    expect((await call('binance', live.token, 'GET', '/api/v3/account')).status).toBe(200);
    const old = await h.issue('binance', 'binance-token-expired', { expiresAt: Date.now() - 1 });
    const before = h.sandbox.log.length;
    const r = await call('binance', old.token, 'GET', '/api/v3/account');
    expect(r.headers['x-keywarden-code']).toBe('client_expired');
    expect(h.sandbox.log.length).toBe(before);
  });
});

describe('per-client rate limit', () => {
  it('answers 429 in the exchange shape once the bucket is empty, without forwarding', async () => {
    const { token } = await h.issue('bybit', 'bybit-token-rate', { ratePerSecond: 1 });
    const before = h.sandbox.log.length;
    const statuses: string[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await call('bybit', token, 'GET', '/v5/account/wallet-balance?accountType=UNIFIED');
      statuses.push(String(r.headers['x-keywarden-code'] ?? r.status));
    }
    // Burst is 2 × the rate: two pass, the rest are limited.
    expect(statuses).toEqual(['200', '200', 'rate_limited', 'rate_limited']);
    expect(h.sandbox.log.length).toBe(before + 2);
  });
});
