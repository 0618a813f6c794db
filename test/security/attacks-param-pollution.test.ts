/**
 * Regression: parameter pollution on every exchange. A parameter sent twice (query twice,
 * query + body, or a JSON key twice) could let policy check one value while the exchange
 * executes another; each adapter's parser refuses it and nothing is forwarded. Positive
 * control: the same order with the parameter once is forwarded.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExchangeId } from '../../src/core/index.js';
import type { Policy } from '../../src/policy/policy-types.js';
import { type Harness, startHarness } from '../gateway/harness.js';

const POLICY: Policy = {
  mode: 'enforce',
  actions: ['public', 'read', 'trade', 'cancel'],
  symbols: { allow: ['BTC/USDT', 'BTC/USD'] },
};

interface Case {
  exchange: ExchangeId;
  path: string;
  contentType: string;
  good: { query: string; body: string };
  polluted: { query: string; body: string };
}

const CASES: Case[] = [
  {
    exchange: 'binance',
    path: '/api/v3/order',
    contentType: 'application/x-www-form-urlencoded',
    good: { query: '', body: 'symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price=50000' },
    polluted: {
      query: 'symbol=BTCUSDT',
      body: 'symbol=SOLUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=100',
    },
  },
  {
    exchange: 'kraken',
    path: '/0/private/AddOrder',
    contentType: 'application/x-www-form-urlencoded',
    good: { query: '', body: 'pair=XBTUSD&type=buy&ordertype=limit&volume=0.01&price=50000' },
    polluted: { query: '', body: 'pair=XBTUSD&pair=SOLUSD&type=buy&ordertype=limit&volume=1&price=100' },
  },
  {
    exchange: 'okx',
    path: '/api/v5/trade/order',
    contentType: 'application/json',
    good: {
      query: '',
      body: '{"instId":"BTC-USDT","tdMode":"cash","side":"buy","ordType":"limit","sz":"0.01","px":"50000"}',
    },
    polluted: {
      query: '',
      body: '{"instId":"BTC-USDT","instId":"SOL-USDT","tdMode":"cash","side":"buy","ordType":"limit","sz":"1","px":"100"}',
    },
  },
  {
    exchange: 'bybit',
    path: '/v5/order/create',
    contentType: 'application/json',
    good: {
      query: '',
      body: '{"category":"spot","symbol":"BTCUSDT","side":"Buy","orderType":"Limit","qty":"0.01","price":"50000"}',
    },
    polluted: {
      query: '',
      body: '{"category":"spot","symbol":"BTCUSDT","symbol":"SOLUSDT","side":"Buy","orderType":"Limit","qty":"1","price":"100"}',
    },
  },
];

let h: Harness;
const tokens = new Map<ExchangeId, string>();
beforeAll(async () => {
  h = await startHarness({ exchanges: ['binance', 'kraken', 'okx', 'bybit'] });
  for (const c of CASES)
    tokens.set(c.exchange, (await h.issue(c.exchange, `pp-${c.exchange}`, { policy: POLICY })).token);
});
afterAll(() => h.close());

async function send(c: Case, variant: { query: string; body: string }) {
  const before = h.sandbox.log.length;
  const r = await request(`${h.url}/${c.exchange}${c.path}${variant.query ? `?${variant.query}` : ''}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokens.get(c.exchange)}`, 'content-type': c.contentType },
    body: variant.body,
  });
  const text = await r.body.text();
  return { code: r.headers['x-keywarden-code'], text, forwarded: h.sandbox.log.slice(before) };
}

describe.each(CASES)('$exchange parameter pollution', (c) => {
  it('control: the parameter once is classified, allowed and forwarded', async () => {
    const r = await send(c, c.good);
    expect(r.code).toBeUndefined();
    expect(r.forwarded.map((l) => l.path)).toEqual([c.path]);
  });

  it('a duplicated parameter is refused and never forwarded', async () => {
    const r = await send(c, c.polluted);
    expect(r.code).toBe('bad_request');
    expect(r.forwarded).toEqual([]);
  });
});
