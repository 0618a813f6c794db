/**
 * Attacks on the gateway's request handling. Every negative assertion is paired with a
 * positive control showing the same request, made honestly, does reach the exchange; the
 * sandbox's request log proves the attacks reached nothing.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Policy } from '../../src/policy/policy-types.js';
import { type Harness, startHarness } from '../gateway/harness.js';
import { httpText, rawRequest } from '../gateway/raw-http.js';

const POLICY: Policy = {
  mode: 'enforce',
  actions: ['public', 'read', 'trade', 'cancel'],
  symbols: { allow: ['BTC/USDT'] },
  maxOrderNotional: 5000,
};

let h: Harness;
let token: string;
let host: string;

beforeAll(async () => {
  h = await startHarness({ exchanges: ['binance', 'okx'], config: { server: { bodyLimitBytes: 4096 } } });
  token = (await h.issue('binance', 'attack-target', { policy: POLICY })).token;
  host = new URL(h.url).host;
});
afterAll(() => h.close());

const auth = () => ({ host, authorization: `Bearer ${token}` });

/** Send a raw request and report how many requests the sandbox received meanwhile. */
async function raw(text: string) {
  const before = h.sandbox.log.length;
  const res = await rawRequest(h.url, text);
  return { ...res, forwarded: h.sandbox.log.length - before };
}

describe('request target', () => {
  it('control: an origin-form target is forwarded', async () => {
    const r = await raw(httpText('GET', '/binance/api/v3/account', auth()));
    expect(r.status).toBe(200);
    expect(r.forwarded).toBe(1);
    expect(r.headers['x-request-id']).toMatch(/^req_/);
  });

  it.each([
    ['absolute-form to another host', 'http://evil.example/binance/api/v3/account'],
    ['absolute-form to the sandbox itself', 'http://127.0.0.1:1/binance/api/v3/account'],
    ['authority-form', 'evil.example:443'],
    ['scheme-relative', '//evil.example/binance/api/v3/account'],
  ])('refuses %s', async (_name, target) => {
    const r = await raw(httpText('GET', target, auth()));
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.forwarded).toBe(0);
  });

  it.each([
    '/binance/../binance/api/v3/account',
    '/binance/api/v3/../v3/account',
    '/binance/api/v3/./account',
    '/binance/api/v3/%2e%2e/v3/account',
    '/binance/api/v3/%2E%2E/v3/account',
    '/binance/api%2fv3/account',
    '/binance/api/v3%2F..%2F..%2Fsapi/v1/capital/withdraw/apply',
    '/binance/api/v3/account%00',
    '/binance/api\\v3/account',
    '/binance//api/v3/account',
  ])('refuses traversal %s in the exchange shape', async (target) => {
    const r = await raw(httpText('GET', target, auth()));
    expect(r.status).toBe(400);
    expect(r.headers['x-keywarden-code']).toBe('path_not_allowed');
    expect(r.body).toMatch(/"code":-?\d+/);
    expect(r.forwarded).toBe(0);
  });

  it('refuses an unknown exchange prefix', async () => {
    const r = await raw(httpText('GET', '/evil/api/v3/account', auth()));
    expect(r.status).toBe(404);
    expect(r.forwarded).toBe(0);
  });
});

describe('CRLF injection', () => {
  it('control: a clean header set is forwarded', async () => {
    const r = await raw(httpText('GET', '/binance/api/v3/account', { ...auth(), 'x-extra': 'ok' }));
    expect(r.status).toBe(200);
    expect(r.forwarded).toBe(1);
  });

  it('refuses raw CR/LF in the request target', async () => {
    const text = `GET /binance/api/v3/account\r\nX-Injected: 1 HTTP/1.1\r\nhost: ${host}\r\nconnection: close\r\n\r\n`;
    const r = await raw(text);
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.forwarded).toBe(0);
  });

  it('refuses percent-encoded CR/LF in the path', async () => {
    const r = await raw(httpText('GET', '/binance/api/v3/account%0d%0aX-Injected:%201', auth()));
    expect(r.status).toBe(400);
    expect(r.forwarded).toBe(0);
  });

  it('refuses a bare CR inside a header value and obsolete line folding', async () => {
    const bareCr = `GET /binance/api/v3/account HTTP/1.1\r\nhost: ${host}\r\nauthorization: Bearer ${token}\r\nx-a: 1\rX-Injected: 2\r\nconnection: close\r\n\r\n`;
    expect((await raw(bareCr)).forwarded).toBe(0);
    const folded = `GET /binance/api/v3/account HTTP/1.1\r\nhost: ${host}\r\nauthorization: Bearer ${token}\r\nx-a: 1\r\n X-Injected: 2\r\nconnection: close\r\n\r\n`;
    expect((await raw(folded)).forwarded).toBe(0);
  });

  it('refuses Host-header tricks', async () => {
    for (const bad of ['evil.example/binance', 'evil.example@127.0.0.1', 'a b']) {
      const r = await raw(httpText('GET', '/binance/api/v3/account', { ...auth(), host: bad }));
      expect(r.status).toBe(400);
      expect(r.forwarded).toBe(0);
    }
  });
});

describe('oversized bodies', () => {
  const order = 'symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price=50000';

  it('control: a body under the limit is forwarded', async () => {
    const r = await raw(
      httpText(
        'POST',
        '/binance/api/v3/order',
        { ...auth(), 'content-type': 'application/x-www-form-urlencoded' },
        order,
      ),
    );
    expect(r.status).toBe(200);
    expect(r.forwarded).toBe(1);
  });

  it('answers 413 in the exchange shape above the configured limit', async () => {
    const big = `${order}&newClientOrderId=${'x'.repeat(5000)}`;
    const r = await raw(
      httpText(
        'POST',
        '/binance/api/v3/order',
        { ...auth(), 'content-type': 'application/x-www-form-urlencoded' },
        big,
      ),
    );
    expect(r.status).toBe(413);
    expect(r.body).toMatch(/"code":-?\d+/);
    expect(r.forwarded).toBe(0);
  });
});

describe('duplicated parameters (parameter pollution)', () => {
  it('control: one symbol is checked by policy and forwarded', async () => {
    const r = await request(
      `${h.url}/binance/api/v3/order?symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price=50000`,
      {
        method: 'POST',
        headers: auth(),
      },
    );
    expect(r.statusCode).toBe(200);
    await r.body.text();
  });

  it.each([
    [
      'twice in the query',
      'symbol=BTCUSDT&symbol=SOLUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=100',
      '',
    ],
    [
      'query and body',
      'symbol=BTCUSDT',
      'symbol=SOLUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=100',
    ],
    [
      'percent-encoded name',
      'symbol=BTCUSDT&%73ymbol=SOLUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=100',
      '',
    ],
  ])('never lets one value be checked and another signed (%s)', async (_n, query, body) => {
    const before = h.sandbox.log.length;
    const ordersBefore = h.sandbox.engine.openOrders('main').length;
    const r = await request(`${h.url}/binance/api/v3/order?${query}`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    const text = await r.body.text();
    expect(r.statusCode).toBeGreaterThanOrEqual(400);
    expect(text).toMatch(/"code":-?\d+/);
    const sent = h.sandbox.log.slice(before).filter((l) => l.path === '/api/v3/order');
    expect(sent).toEqual([]);
    expect(h.sandbox.engine.openOrders('main').length).toBe(ordersBefore);
  });

  it('classifies every element of an OKX batch (one bad element denies the batch)', async () => {
    const okx = await h.issue('okx', 'attack-okx', { policy: POLICY });
    const one = (instId: string) => ({
      instId,
      tdMode: 'cash',
      side: 'buy',
      ordType: 'limit',
      sz: '0.01',
      px: '50000',
    });
    const send = async (orders: unknown[]) => {
      const before = h.sandbox.log.length;
      const r = await request(`${h.url}/okx/api/v5/trade/batch-orders`, {
        method: 'POST',
        headers: { host, authorization: `Bearer ${okx.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(orders),
      });
      return { status: r.statusCode, body: await r.body.text(), forwarded: h.sandbox.log.length - before };
    };
    const good = await send([one('BTC-USDT'), one('BTC-USDT')]);
    expect(good.status).toBe(200);
    expect(good.forwarded).toBe(1);
    const bad = await send([one('BTC-USDT'), one('SOL-USDT')]);
    expect(bad.body).toMatch(/symbols\.allow/);
    expect(bad.forwarded).toBe(0);
  });
});

describe('method override headers', () => {
  it('control: DELETE by method is forwarded', async () => {
    const r = await request(`${h.url}/binance/api/v3/openOrders?symbol=BTCUSDT`, {
      method: 'DELETE',
      headers: auth(),
    });
    await r.body.text();
    expect(r.statusCode).toBeLessThan(500);
    expect(h.sandbox.log.at(-1)?.method).toBe('DELETE');
  });

  it.each(['x-http-method-override', 'x-http-method', 'x-method-override'])('refuses %s', async (header) => {
    const before = h.sandbox.log.length;
    const r = await request(`${h.url}/binance/api/v3/account`, {
      method: 'GET',
      headers: { ...auth(), [header]: 'DELETE' },
    });
    const text = await r.body.text();
    expect(r.statusCode).toBe(400);
    expect(text).toMatch(/path_not_allowed/);
    expect(h.sandbox.log.length).toBe(before);
  });
});
