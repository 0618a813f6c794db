/**
 * Regression (issue 10, finding 3): caps raced by pipelined requests. Usage was recorded only
 * after the audit write, so concurrent requests all saw the usage from before any of them.
 * Now the gateway evaluates and reserves in one synchronous step: of N concurrent requests,
 * exactly as many pass as the cap allows, and the sandbox executed exactly those.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Policy } from '../../src/policy/policy-types.js';
import { type Harness, startHarness } from '../gateway/harness.js';

const ADDRESS = 'bc1qkeywardenracetestaddress0000000';
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ exchanges: ['binance'] });
});
afterAll(() => h.close());

async function send(token: string, path: string, body: string) {
  const r = await request(`${h.url}/binance${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  return { status: r.statusCode, body: await r.body.text() };
}

const order = (price: number) =>
  `symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price=${price}`;

async function burst(policy: Policy, path: string, body: (i: number) => string, n = 20) {
  const { token } = await h.issue('binance', `race-${Math.random().toString(36).slice(2)}`, { policy });
  const ordersBefore =
    h.sandbox.engine.openOrders('main').length + h.sandbox.engine.closedOrders('main').length;
  const withdrawalsBefore = h.sandbox.engine.withdrawals('main').length;
  const answers = await Promise.all(Array.from({ length: n }, (_, i) => send(token, path, body(i))));
  return {
    passed: answers.filter((a) => a.status === 200).length,
    denied: answers.filter((a) => a.body.includes('policy rule')).length,
    orders:
      h.sandbox.engine.openOrders('main').length +
      h.sandbox.engine.closedOrders('main').length -
      ordersBefore,
    withdrawals: h.sandbox.engine.withdrawals('main').length - withdrawalsBefore,
  };
}

describe('caps hold under pipelined requests', () => {
  it('maxOrdersPerMinute 1: of 20 concurrent orders exactly one executes', async () => {
    const r = await burst(
      // The price band makes every request wait for the ticker: the window the old code raced in.
      { mode: 'enforce', actions: ['trade'], maxOrdersPerMinute: 1, priceBandPercent: 50 },
      '/api/v3/order',
      (i) => order(50_000 + i),
    );
    expect(r).toEqual({ passed: 1, denied: 19, orders: 1, withdrawals: 0 });
  });

  it('maxDailyNotional 1,000: of 20 concurrent 500 USDT orders exactly two execute', async () => {
    const r = await burst(
      { mode: 'enforce', actions: ['trade'], maxDailyNotional: 1_000 },
      '/api/v3/order',
      (i) => order(50_000 - i),
    );
    expect(r).toEqual({ passed: 2, denied: 18, orders: 2, withdrawals: 0 });
  });

  it('withdrawals.dailyCap 0.01 BTC: of 20 concurrent 0.01 BTC withdrawals exactly one executes', async () => {
    const r = await burst(
      {
        mode: 'enforce',
        actions: ['withdraw'],
        withdrawals: { addresses: [ADDRESS], dailyCap: { BTC: 0.01 } },
      },
      '/sapi/v1/capital/withdraw/apply',
      () => `coin=BTC&address=${ADDRESS}&amount=0.01`,
    );
    expect(r).toEqual({ passed: 1, denied: 19, orders: 0, withdrawals: 1 });
  });

  it('positive control: without caps all 20 concurrent orders execute', async () => {
    const r = await burst({ mode: 'enforce', actions: ['trade'] }, '/api/v3/order', (i) => order(40_000 + i));
    expect(r).toEqual({ passed: 20, denied: 0, orders: 20, withdrawals: 0 });
  });

  it('a request the exchange refuses gives its reservation back', async () => {
    const { token } = await h.issue('binance', 'race-refused', {
      policy: { mode: 'enforce', actions: ['trade'], maxOrdersPerMinute: 1 },
    });
    // More BTC than the sandbox account holds: the exchange refuses it (4xx), nothing executed.
    const refused = await send(
      token,
      '/api/v3/order',
      'symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=500&price=70000',
    );
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.body).not.toContain('keywarden denied');
    const next = await send(token, '/api/v3/order', order(50_000));
    expect(next.status, next.body).toBe(200);
  });
});
