import { describe, expect, it } from 'vitest';
import { binance, binanceWsUsageHeaders } from '../../src/exchanges/binance/index.js';
import { bybit, bybitWsUsageHeaders } from '../../src/exchanges/bybit/index.js';
import { RATE_RULES } from '../../src/exchanges/index.js';
import { okx } from '../../src/exchanges/okx/index.js';

const req = (method: string, path: string, query = '', body = '') => ({ method, path, query, body });
const first = { connection: 'c1', opens: true };
const later = { connection: 'c1', opens: false };

describe('what a WebSocket request costs, per exchange (shared with REST where the exchange shares it)', () => {
  it('Binance: the REST weight and order counts (order.place 1 + 1 order, account.status 20), userDataStream 2, opening the connection 2 more', () => {
    const r = RATE_RULES.binance;
    const wsCost = r.wsCost;
    expect(wsCost).toBeDefined();
    if (!wsCost) return;
    expect(wsCost(req('POST', '/api/v3/order'), later)).toEqual(r.cost(req('POST', '/api/v3/order')));
    expect(wsCost(req('POST', '/api/v3/order'), later)).toEqual([
      { limit: 'ip-weight-1m', units: 1 },
      { limit: 'key-orders-10s', units: 1 },
      { limit: 'key-orders-1d', units: 1 },
    ]);
    expect(wsCost(req('DELETE', '/api/v3/order'), later)).toEqual([{ limit: 'ip-weight-1m', units: 1 }]);
    expect(wsCost(req('GET', '/api/v3/account'), later)).toEqual([{ limit: 'ip-weight-1m', units: 20 }]);
    expect(wsCost(req('GET', '/ws-api/v3/userDataStream.subscribe.signature'), later)).toEqual([
      { limit: 'ip-weight-1m', units: 2 },
    ]);
    expect(wsCost(req('GET', '/ws-api/v3/userDataStream.subscribe.signature'), first)).toEqual([
      { limit: 'ip-weight-1m', units: 4 },
    ]);
  });

  it('OKX: order ops spend their REST endpoint counter; login and subscriptions 1 of 480 per connection; opening 1 of 3 per second per IP', () => {
    const r = RATE_RULES.okx;
    const wsCost = r.wsCost;
    if (!wsCost) throw new Error('okx has no wsCost');
    const order = req('POST', '/api/v5/trade/order', '', '{}');
    expect(wsCost(order, later)).toEqual(r.cost(order));
    expect(wsCost(req('POST', '/ws/v5/login'), first)).toEqual([
      { limit: 'conn-ws-requests-1h', units: 1 },
      { limit: 'ip-ws-connect-1s', units: 1 },
    ]);
    expect(wsCost(req('POST', '/ws/v5/subscribe', '', '[]'), later)).toEqual([
      { limit: 'conn-ws-requests-1h', units: 1 },
    ]);
    expect(r.limits.find((l) => l.id === 'conn-ws-requests-1h')).toMatchObject({
      scope: 'connection',
      windowMs: 3_600_000,
      limit: 480,
    });
  });

  it('Bybit: trade ops spend the REST per-UID endpoint counter and the WebSocket IP limit, not the HTTP IP limit', () => {
    const wsCost = RATE_RULES.bybit.wsCost;
    if (!wsCost) throw new Error('bybit has no wsCost');
    expect(wsCost(req('POST', '/v5/order/create', '', '{}'), first)).toEqual([
      { limit: 'ip-ws-trade-1s', units: 1 },
      { limit: 'key-endpoint-1s', units: 1, endpoint: '/v5/order/create' },
      { limit: 'ip-ws-connect-5m', units: 1 },
    ]);
    expect(wsCost(req('POST', '/v5/ws/auth'), later)).toEqual([]);
  });

  it('Kraken and Coinbase WebSocket requests are not modelled (no wsCost)', () => {
    expect(RATE_RULES.kraken.wsCost).toBeUndefined();
    expect(RATE_RULES.coinbase.wsCost).toBeUndefined();
  });
});

describe('WebSocket answers read as REST usage headers', () => {
  it("Binance: rateLimits become X-MBX headers, a 418's retryAfter a Retry-After in seconds from serverTime", () => {
    const frame = JSON.stringify({
      id: 3,
      status: 418,
      error: {
        code: -1003,
        msg: 'banned',
        data: { serverTime: 1_659_142_907_531, retryAfter: 1_659_146_400_000 },
      },
      rateLimits: [
        { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000, count: 2411 },
        { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 50, count: 12 },
        { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 160000, count: 4043 },
      ],
    });
    const h = binanceWsUsageHeaders(frame);
    expect(h).toEqual({
      'x-mbx-used-weight-1m': '2411',
      'x-mbx-order-count-10s': '12',
      'x-mbx-order-count-1d': '4043',
      'retry-after': '3493',
    });
    const seen = RATE_RULES.binance.observe(418, h, {
      now: 0,
      defaultRetryAfterMs: 60_000,
      request: { method: 'POST', path: '/api/v3/order' },
    });
    expect(seen.stop).toMatchObject({ scope: 'ip', status: 418, retryAfterMs: 3_493_000 });
    expect(binanceWsUsageHeaders('not json')).toEqual({});
    expect(binance.ws?.usageHeaders).toBe(binanceWsUsageHeaders);
  });

  it("Binance's upstream 429 frame is status 429 (the forward stage then stops the IP)", () => {
    expect(binance.ws?.parseUpstream('{"id":7,"status":429,"error":{"code":-1003}}')).toEqual({
      kind: 'response',
      id: 7,
      status: 429,
    });
  });

  it("Bybit: the /v5/trade frame's header object; 10006, 10429 and 10403 answer as 429", () => {
    const text = JSON.stringify({
      reqId: '5',
      retCode: 10006,
      retMsg: 'Too many visits!',
      op: 'order.create',
      header: {
        'X-Bapi-Limit': '10',
        'X-Bapi-Limit-Status': '0',
        'X-Bapi-Limit-Reset-Timestamp': '1711001596000',
      },
    });
    expect(bybitWsUsageHeaders(text)).toEqual({
      'x-bapi-limit': '10',
      'x-bapi-limit-status': '0',
      'x-bapi-limit-reset-timestamp': '1711001596000',
    });
    expect(bybit.ws?.parseUpstream(text)).toEqual({ kind: 'response', id: 5, status: 429 });
    expect(bybit.ws?.parseUpstream(text.replace('10006', '10001'))).toMatchObject({ status: 400 });
  });

  it("OKX: 50011, 50061 and 60014 (as code or an order's sCode) answer as 429; a partly placed batch stays 409", () => {
    const ws = okx.ws;
    if (!ws) throw new Error('okx has no ws');
    expect(ws.parseUpstream('{"id":"4","op":"order","code":"50011","msg":"","data":[]}')).toMatchObject({
      status: 429,
    });
    expect(
      ws.parseUpstream('{"id":"4","op":"order","code":"1","msg":"","data":[{"sCode":"50061"}]}'),
    ).toMatchObject({ status: 429 });
    expect(
      ws.parseUpstream('{"id":"4","event":"error","code":"60014","msg":"Requests too frequent"}'),
    ).toMatchObject({
      status: 429,
    });
    expect(
      ws.parseUpstream(
        '{"id":"4","op":"batch-orders","code":"2","msg":"","data":[{"sCode":"50011"},{"sCode":"0"}]}',
      ),
    ).toMatchObject({ status: 409 });
    expect(
      ws.parseUpstream('{"id":"4","op":"order","code":"1","msg":"","data":[{"sCode":"51008"}]}'),
    ).toMatchObject({
      status: 400,
    });
  });
});
