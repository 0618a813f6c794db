/**
 * Binance WebSocket API frames: the REST-equivalent request carries exactly the payload Binance
 * signs (sorted, apiKey included, not percent-encoded), so the REST verifier accepts a CCXT Pro
 * style signature and refuses a tampered one; what is relayed is what was checked.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { binance, binanceWsFrame, parseBinanceWsFrame } from '../../src/exchanges/binance/index.js';

const secret = 's'.repeat(64);
const apiKey = 'kw_client';

function frame(params: Record<string, string | number>, method = 'order.place', id: unknown = 1) {
  const all: Record<string, string | number> = { ...params, apiKey, timestamp: Date.now() };
  const payload = Object.keys(all)
    .sort()
    .map((k) => `${k}=${all[k]}`)
    .join('&');
  const signature = createHmac('sha256', secret).update(payload).digest('hex');
  return { text: JSON.stringify({ id, method, params: { ...all, signature } }), payload };
}

const verify = (text: string) => {
  const f = parseBinanceWsFrame(text);
  if (!f.ok) throw new Error(f.message);
  const ws = binance.ws;
  if (!ws) throw new Error('no ws');
  const parsed = ws.requestAdapter.parse(f.request);
  if (!parsed.ok) throw new Error(parsed.message);
  return {
    f,
    parsed: parsed.request,
    result: ws.requestAdapter.verifyClient(
      parsed.request,
      { apiKey, secret },
      {
        clock: Date,
        nonces: { accept: () => true } as never,
        origin: { host: 'h', prefix: '/binance' },
      },
    ),
  };
};

describe('Binance WebSocket frames', () => {
  it('a signed order.place becomes POST /api/v3/order whose query is the signed payload', () => {
    const { text, payload } = frame({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001' });
    const { f, result } = verify(text);
    expect(f.request.method).toBe('POST');
    expect(f.request.path).toBe('/api/v3/order');
    expect(f.request.query.startsWith(`${payload}&signature=`)).toBe(true);
    expect(f.request.headers['x-mbx-apikey']).toBe(apiKey);
    expect(result.ok).toBe(true);
  });

  it('a changed parameter after signing fails verification (positive control above)', () => {
    const { text } = frame({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001' });
    const tampered = text.replace('"quantity":"0.001"', '"quantity":"5"');
    expect(verify(tampered).result.ok).toBe(false);
  });

  it('apiKey and returnRateLimits are signed but never classified fields', () => {
    const { text } = frame({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: '0.001',
      returnRateLimits: 'false',
    });
    const { parsed, result } = verify(text);
    expect(result.ok).toBe(true);
    expect(binance.ws?.requestAdapter.classify(parsed).rejected).toBeUndefined();
  });

  it('classifies unknown methods as unknown and refuses duplicated keys, nested values and values needing encoding', () => {
    const unknown = parseBinanceWsFrame('{"id":1,"method":"withdraw","params":{}}');
    expect(unknown.ok && binance.ws?.requestAdapter.classify(unknown.request).action).toBe('unknown');
    expect(parseBinanceWsFrame('{"id":1,"method":"../api/v3/order","params":{}}').ok).toBe(false);
    expect(
      parseBinanceWsFrame('{"id":1,"method":"order.place","params":{"quantity":"1","quantity":"9"}}').ok,
    ).toBe(false);
    expect(parseBinanceWsFrame('{"id":1,"method":"order.place","params":{"symbol":["BTCUSDT"]}}').ok).toBe(
      false,
    );
    expect(
      parseBinanceWsFrame('{"id":1,"method":"order.place","params":{"symbol":"BTC&side=SELL"}}').ok,
    ).toBe(false);
    expect(parseBinanceWsFrame('{"id":1,"method":"order.place","extra":1}').ok).toBe(false);
  });

  it('the upstream frame carries the signed query back as params, integers as numbers', () => {
    expect(
      JSON.parse(binanceWsFrame(3, 'order.place', 'apiKey=k&symbol=BTCUSDT&timestamp=5&signature=a%2Bb')),
    ).toEqual({
      id: 3,
      method: 'order.place',
      params: { apiKey: 'k', symbol: 'BTCUSDT', timestamp: 5, signature: 'a+b' },
    });
  });
});
