/**
 * Regression (issue 10, findings 8 and 11): load that costs keywarden or the exchange before
 * any client is known. Unknown-key floods were audited one row each; the anonymous public relay
 * spent the gateway IP's exchange weight without limit; a denied request could make one
 * upstream ticker call per symbol it named.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/core/index.js';
import { type Harness, startHarness } from '../gateway/harness.js';

const start = Date.UTC(2026, 11, 1, 12, 0, 5);
let t = start;
const clock: Clock = { now: () => t };
let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    exchanges: ['binance'],
    clock,
    config: {
      server: { anonymousPublicWeightPerMinute: 30 },
      rateLimit: { perSecond: 1000, burst: 1000, perIpPerSecond: 1000, perIpBurst: 600 },
    },
  });
});
afterAll(() => h.close());

async function get(path: string, headers: Record<string, string> = {}) {
  const r = await request(`${h.url}/binance${path}`, { headers });
  return { status: r.statusCode, body: await r.body.text() };
}

const unauthenticatedRows = () =>
  h.audit.records.filter((r) => r.kind === 'request' && r.clientId === undefined && r.decision === 'deny');

describe('before authentication', () => {
  it('500 unknown-key requests are one audit record plus one summary with the count', async () => {
    const before = unauthenticatedRows().length;
    for (let i = 0; i < 500; i++) {
      const r = await get('/api/v3/account?timestamp=1&signature=00', { 'x-mbx-apikey': 'kw_unknownkey' });
      expect(r.status).toBe(401);
    }
    expect(unauthenticatedRows().length - before).toBe(1);
    // The minute ends: the next denial (or the timer) writes the summary of the one before.
    t += 60_000;
    await get('/api/v3/account?timestamp=1&signature=00', { 'x-mbx-apikey': 'kw_unknownkey' });
    await new Promise((r) => setTimeout(r, 50));
    const rows = unauthenticatedRows().slice(before);
    expect(rows).toHaveLength(3);
    const summary = rows.find((r) => r.rule === 'unauthenticated');
    expect(summary?.detail).toMatchObject({ count: 499 });
  });

  it('a known client is recorded request by request (positive control)', async () => {
    const { token } = await h.issue('binance', 'known-reader');
    const before = h.audit.records.length;
    for (let i = 0; i < 5; i++) {
      const r = await get('/api/v3/account', { authorization: `Bearer ${token}` });
      expect(r.status).toBe(200);
    }
    const mine = h.audit.records
      .slice(before)
      .filter((r) => r.kind === 'request' && r.actor === 'known-reader');
    expect(mine).toHaveLength(5);
  });

  it('the per-IP limit applies before any key lookup', async () => {
    t += 60_000;
    let limited = 0;
    for (let i = 0; i < 620; i++) {
      const r = await get('/api/v3/account?timestamp=1&signature=00', { 'x-mbx-apikey': `kw_unknown${i}` });
      if (r.body.includes('[rate_limited]')) limited++;
    }
    // Burst 600 with a frozen clock: the rest are refused by the limit, not looked up.
    expect(limited).toBe(20);
    t += 60_000;
  });
});

describe('the anonymous public relay', () => {
  it('spends a global weight budget per exchange and minute', async () => {
    t += 120_000;
    const answers = [];
    // GET /api/v3/ticker/price with a symbol weighs 2 (Binance's documented weight): 30 buys 15.
    for (let i = 0; i < 35; i++) answers.push(await get('/api/v3/ticker/price?symbol=BTCUSDT'));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(15);
    expect(answers.filter((a) => a.body.includes('anonymous public relay'))).toHaveLength(20);
    t += 120_000;
    expect((await get('/api/v3/ticker/price?symbol=BTCUSDT')).status).toBe(200);
  });

  it('is off by default unless the listener is loopback', async () => {
    const ask = (local: string) =>
      h.gateway.handle({
        requestId: `req_anon_${local}`,
        method: 'GET',
        rawUrl: '/binance/api/v3/ticker/price?symbol=BTCUSDT',
        headers: { host: '127.0.0.1' },
        body: '',
        peer: '198.51.100.7',
        local,
      });
    const onNetwork = await ask('10.1.2.3');
    expect(onNetwork.status).toBe(401);
    expect('body' in onNetwork ? onNetwork.body : '').toContain('[auth_missing]');
    const onLoopback = await ask('127.0.0.1');
    expect(onLoopback.status).toBe(200);
  });
});

describe('market data only after the data-free rules', () => {
  it('an off-list symbol is denied without a ticker call; an unpriceable one is looked up once per interval', async () => {
    const { token } = await h.issue('binance', 'band-trader', {
      policy: {
        mode: 'enforce',
        actions: ['trade'],
        symbols: { allow: ['BTC/USDT', 'XRP/USDT'] },
        priceBandPercent: 5,
      },
    });
    const post = (body: string) =>
      request(`${h.url}/binance/api/v3/order`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
        body,
      }).then(async (r) => ({ status: r.statusCode, body: await r.body.text() }));
    const tickers = () => h.sandbox.log.filter((e) => e.path.includes('/ticker')).length;

    let before = tickers();
    for (const sym of ['SOLUSDT', 'ETHUSDT', 'DOGEUSDT', 'ETHBTC']) {
      const r = await post(`symbol=${sym}&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=1`);
      expect(r.body).toContain('symbols.allow');
    }
    expect(tickers() - before).toBe(0);

    // XRP/USDT is allowed but the sandbox has no such market: one lookup, then the failure is cached.
    before = tickers();
    for (let i = 0; i < 5; i++) {
      const r = await post('symbol=XRPUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=1');
      expect(r.body).toContain('unpriced');
    }
    expect(tickers() - before).toBe(1);

    // Positive control: an allowed, priceable symbol is looked up and the order placed.
    before = tickers();
    const ok = await post('symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=59000');
    expect(ok.status, ok.body).toBe(200);
    expect(tickers() - before).toBe(1);
  });
});
