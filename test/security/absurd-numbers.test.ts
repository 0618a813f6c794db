/**
 * Regression (issue 10, finding 13): `sz=1e300&px=1e300` made the notional Infinity, the audit
 * writer failed on it and a critical `audit.write_failed` alert went out: a client could fake a
 * store failure at will. Sizes and prices are now bounded and finite before the policy; such a
 * request is a client error, the audit log keeps working and no alert of the store is raised.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../gateway/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ exchanges: ['okx', 'binance'], monitor: {} });
});
afterAll(() => h.close());

async function post(exchange: string, token: string, path: string, body: string, contentType: string) {
  const r = await request(`${h.url}/${exchange}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
    body,
  });
  return { status: r.statusCode, body: await r.body.text() };
}

describe('absurd numbers are client errors, not store failures', () => {
  it.each([
    [
      'okx',
      '/api/v5/trade/order',
      '{"instId":"BTC-USDT","tdMode":"cash","side":"buy","ordType":"limit","sz":"1e300","px":"1e300"}',
      'application/json',
    ],
    [
      'binance',
      '/api/v3/order',
      'symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1e300&price=1e300',
      'application/x-www-form-urlencoded',
    ],
  ])(
    '%s: refused before the policy, the log keeps working, no audit alert',
    async (exchange, path, body, ct) => {
      const { token } = await h.issue(exchange as 'okx', `absurd-${exchange}`, {
        // No cap: before, such an order was allowed and its Infinity notional broke the audit write.
      policy: { mode: 'enforce', actions: ['trade'] },
      });
      const ordersBefore =
        h.sandbox.engine.openOrders('main').length + h.sandbox.engine.closedOrders('main').length;
      const r = await post(exchange, token, path, body, ct);
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(r.body).toMatch(/\[(bad_request|request_rejected)\]/);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const records = h.audit.records;
      expect(records.filter((x) => x.kind === 'alert' && x.rule === 'audit.write_failed')).toEqual([]);
      const denial = records.filter((x) => x.actor === `absurd-${exchange}` && x.decision === 'deny');
      expect(denial).toHaveLength(1);
      expect(h.sandbox.engine.openOrders('main').length + h.sandbox.engine.closedOrders('main').length).toBe(
        ordersBefore,
      );
    },
  );
});
