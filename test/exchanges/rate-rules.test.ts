import { describe, expect, it } from 'vitest';
import { RATE_RULES, retryAfterMs } from '../../src/exchanges/index.js';

const ctx = (path: string, method = 'GET') => ({
  now: 1_700_000_000_000,
  defaultRetryAfterMs: 60_000,
  request: { method, path },
});

describe("each exchange's rate rules read its own usage headers", () => {
  it('Binance: X-MBX-USED-WEIGHT-1M and the order counts; a 429 stops the IP for Retry-After, a 418 too', () => {
    const r = RATE_RULES.binance;
    expect(r.cost({ method: 'GET', path: '/api/v3/openOrders', query: '', body: '' })).toEqual([
      { limit: 'ip-weight-1m', units: 80 },
    ]);
    expect(r.cost({ method: 'POST', path: '/api/v3/orderList/oco', query: '', body: '' })).toEqual([
      { limit: 'ip-weight-1m', units: 1 },
      { limit: 'key-orders-10s', units: 2 },
      { limit: 'key-orders-1d', units: 2 },
    ]);
    const seen = r.observe(
      200,
      { 'x-mbx-used-weight-1m': '31', 'x-mbx-order-count-10s': '4', 'x-mbx-order-count-1d': '40' },
      ctx('/api/v3/order', 'POST'),
    );
    expect(seen).toEqual({
      used: [
        { limit: 'ip-weight-1m', used: 31 },
        { limit: 'key-orders-10s', used: 4 },
        { limit: 'key-orders-1d', used: 40 },
      ],
    });
    expect(r.observe(429, { 'retry-after': '7' }, ctx('/api/v3/account')).stop).toMatchObject({
      scope: 'ip',
      retryAfterMs: 7_000,
    });
    expect(r.observe(418, {}, ctx('/api/v3/account')).stop).toMatchObject({
      scope: 'ip',
      retryAfterMs: 60_000,
      status: 418,
    });
    // An order-rate 429 (the order count at its limit, the weight not) is the key's.
    expect(
      r.observe(
        429,
        { 'x-mbx-order-count-10s': '100', 'x-mbx-used-weight-1m': '9' },
        ctx('/api/v3/order', 'POST'),
      ).stop,
    ).toMatchObject({ scope: 'key' });
  });

  it('Bybit: X-Bapi-Limit / -Status per endpoint; a 429 stops the key until the reset timestamp', () => {
    const r = RATE_RULES.bybit;
    const path = '/v5/order/create';
    expect(
      r.observe(200, { 'x-bapi-limit': '20', 'x-bapi-limit-status': '15' }, ctx(path, 'POST')).used,
    ).toEqual([{ limit: 'key-endpoint-1s', endpoint: path, used: 5, cap: 20 }]);
    const stop = r.observe(
      429,
      { 'x-bapi-limit-reset-timestamp': String(1_700_000_000_000 + 800) },
      ctx(path, 'POST'),
    ).stop;
    expect(stop).toMatchObject({ scope: 'key', retryAfterMs: 800 });
  });

  it('KuCoin: gw-ratelimit-*; a 429 waits gw-ratelimit-reset ms', () => {
    const r = RATE_RULES.kucoin;
    const h = {
      'gw-ratelimit-limit': '4000',
      'gw-ratelimit-remaining': '3990',
      'gw-ratelimit-reset': '1500',
    };
    expect(r.observe(200, h, ctx('/api/v1/hf/orders', 'POST')).used).toEqual([
      { limit: 'key-spot-30s', used: 10 },
    ]);
    expect(r.observe(429, h, ctx('/api/v1/hf/orders', 'POST')).stop).toMatchObject({
      scope: 'key',
      retryAfterMs: 1500,
    });
    expect(r.cost({ method: 'GET', path: '/api/v1/market/allTickers', query: '', body: '' })).toEqual([
      { limit: 'ip-public-30s', units: 15 },
    ]);
  });

  it('Bitget: x-mbx-used-remain-limit is what is left of the endpoint’s second', () => {
    const r = RATE_RULES.bitget;
    const path = '/api/v2/spot/trade/place-order';
    expect(r.observe(200, { 'x-mbx-used-remain-limit': '7' }, ctx(path, 'POST')).used).toEqual([
      { limit: 'key-endpoint-1s', endpoint: `POST ${path}`, used: 3, cap: 10 },
    ]);
  });

  it('Coinbase: x-ratelimit-limit / -remaining; OKX and Kraken send no usage header (model only)', () => {
    expect(
      RATE_RULES.coinbase.observe(
        200,
        { 'x-ratelimit-limit': '30', 'x-ratelimit-remaining': '28' },
        ctx('/api/v3/brokerage/orders', 'POST'),
      ).used,
    ).toEqual([{ limit: 'key-requests-1s', used: 2, cap: 30 }]);
    expect(RATE_RULES.okx.observe(200, {}, ctx('/api/v5/trade/order', 'POST'))).toEqual({ used: [] });
    expect(RATE_RULES.okx.cost({ method: 'POST', path: '/api/v5/trade/order', query: '', body: '' })).toEqual(
      [{ limit: 'key-endpoint-2s', units: 1, endpoint: 'POST /api/v5/trade/order', cap: 60 }],
    );
    expect(RATE_RULES.kraken.observe(200, {}, ctx('/0/private/Balance', 'POST'))).toEqual({ used: [] });
  });

  it('reads Retry-After as seconds or as an HTTP date; ignores garbage', () => {
    expect(retryAfterMs('2', 0)).toBe(2_000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(retryAfterMs('soon', 0)).toBeUndefined();
    expect(
      RATE_RULES.binance.observe(200, { 'x-mbx-used-weight-1m': '12abc' }, ctx('/api/v3/ping')).used,
    ).toEqual([]);
  });
});
