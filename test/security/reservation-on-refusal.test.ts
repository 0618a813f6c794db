/**
 * A reservation is given back only when the exchange refused the request (4xx), never when it
 * may have executed: 409 Conflict ("partly executed", e.g. a cancel-replace whose new order was
 * placed), a 5xx, or no answer keep it. An upstream that answers with a chosen status stands in
 * for the exchange.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../gateway/harness.js';

let status = 400;
const upstream = createServer((_req, res) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ code: -2010, msg: 'exchange answer' }));
});
let h: Harness;
beforeAll(async () => {
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const port = (upstream.address() as AddressInfo).port;
  h = await startHarness({ exchanges: ['binance'], baseUrls: { binance: `http://127.0.0.1:${port}` } });
});
afterAll(async () => {
  await h.close();
  await new Promise((r) => upstream.close(r));
});

async function order(token: string) {
  const r = await request(`${h.url}/binance/api/v3/order`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price=50000',
  });
  return { status: r.statusCode, body: await r.body.text() };
}

describe('reservations after the exchange answered', () => {
  it.each([
    [400, 'released: the next order may go'],
    [409, 'kept: the next order is over maxOrdersPerMinute'],
    [500, 'kept: the next order is over maxOrdersPerMinute'],
  ])('an exchange %s is %s', async (answer, expectation) => {
    const { token } = await h.issue('binance', `refusal-${answer}`, {
      policy: { mode: 'enforce', actions: ['trade'], maxOrdersPerMinute: 1 },
    });
    status = answer;
    const first = await order(token);
    expect(first.status).toBe(answer);
    const second = await order(token);
    if (expectation.startsWith('released')) expect(second.body).not.toContain('maxOrdersPerMinute');
    else expect(second.body).toContain('maxOrdersPerMinute');
  });
});
