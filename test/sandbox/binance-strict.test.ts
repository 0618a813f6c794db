/**
 * The Binance sandbox is as strict as Binance (issue 10): unread parameters, parameters an
 * order type does not use, malformed numbers and out-of-band limit prices are refused with
 * Binance's codes; stops, OCO, cancel-replace, amend and convert execute as Binance does.
 */
import { describe, expect, it } from 'vitest';
import { binanceSignature } from '../../src/exchanges/binance/index.js';
import { binanceEmulator } from '../../src/sandbox/binance.js';
import { useSandbox } from './helpers.js';

describe('binance sandbox strictness', () => {
  const box = useSandbox(binanceEmulator);

  async function call(method: string, path: string, payload: string) {
    const k = box.key('trade');
    const signed = `${payload}&timestamp=${Date.now()}`;
    const body = `${signed}&signature=${binanceSignature(signed, k.credential.secret)}`;
    const get = method === 'GET';
    const res = await fetch(`${box.base}${path}${get ? `?${body}` : ''}`, {
      method,
      headers: { 'X-MBX-APIKEY': k.credential.apiKey, 'content-type': 'application/x-www-form-urlencoded' },
      ...(get ? {} : { body }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }
  const orders = () =>
    box.sandbox.engine.openOrders('main').length + box.sandbox.engine.closedOrders('main').length;
  const LIMIT = 'symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price=59000';

  it.each([
    ['an unknown parameter', `${LIMIT}&foo=1`, -1104],
    ['a price on a market order', 'symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.5&price=1', -1106],
    [
      'quoteOrderQty beside quantity',
      'symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.5&quoteOrderQty=10',
      -1106,
    ],
    ['a missing price', 'symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01', -1102],
    ['an exponent', 'symbol=BTCUSDT&side=BUY&type=MARKET&quantity=1e-3', -1100],
    [
      'a limit price 10x the market',
      'symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price=600000',
      -1013,
    ],
    [
      'a stop that would trigger at once',
      'symbol=BTCUSDT&side=SELL&type=STOP_LOSS&quantity=0.01&stopPrice=61000',
      -2010,
    ],
  ])('refuses %s', async (_what, payload, code) => {
    const before = orders();
    const r = await call('POST', '/api/v3/order', payload);
    expect(r.status).toBe(400);
    expect(r.body.code).toBe(code);
    expect(orders()).toBe(before);
  });

  it('places an honest limit order (positive control) and holds a stop until its trigger', async () => {
    expect((await call('POST', '/api/v3/order', LIMIT)).status).toBe(200);
    const stop = await call(
      'POST',
      '/api/v3/order',
      'symbol=BTCUSDT&side=SELL&type=STOP_LOSS&quantity=0.01&stopPrice=50000',
    );
    expect(stop.body).toMatchObject({ status: 'NEW', type: 'STOP_LOSS' });
    const before = box.sandbox.engine.closedOrders('main').length;
    box.sandbox.engine.setPrice('BTC/USDT', 49000);
    await call('GET', '/api/v3/account', '');
    box.sandbox.engine.setPrice('BTC/USDT', 60000);
    expect(box.sandbox.engine.closedOrders('main').length).toBe(before + 1);
  });

  it('places an OCO (limit leg rests, stop leg waits), refuses an unused OCO field', async () => {
    const r = await call(
      'POST',
      '/api/v3/orderList/oco',
      'symbol=BTCUSDT&side=SELL&quantity=0.01&aboveType=LIMIT_MAKER&abovePrice=62000&belowType=STOP_LOSS_LIMIT&belowStopPrice=58000&belowPrice=57900&belowTimeInForce=GTC',
    );
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ contingencyType: 'OCO', orders: [{}, {}] });
    const bad = await call(
      'POST',
      '/api/v3/order/oco',
      'symbol=BTCUSDT&side=SELL&quantity=0.01&price=62000&stopPrice=58000&stopLimitTimeInForce=GTC',
    );
    expect(bad.body.code).toBe(-1106);
  });

  it('cancel-replaces, amends down only, and converts at a quote', async () => {
    const placed = await call(
      'POST',
      '/api/v3/order',
      'symbol=ETHUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=2900',
    );
    const id = String(placed.body.orderId);
    const amended = await call(
      'PUT',
      '/api/v3/order/amend/keepPriority',
      `symbol=ETHUSDT&orderId=${id}&newQty=0.5`,
    );
    expect(amended.status).toBe(200);
    expect(box.sandbox.engine.order('main', { id })?.quantity).toBe(0.5);
    const up = await call('PUT', '/api/v3/order/amend/keepPriority', `symbol=ETHUSDT&orderId=${id}&newQty=2`);
    expect(up.status).toBe(400);
    const replaced = await call(
      'POST',
      '/api/v3/order/cancelReplace',
      `symbol=ETHUSDT&cancelReplaceMode=STOP_ON_FAILURE&cancelOrderId=${id}&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.2&price=2950`,
    );
    expect(replaced.body).toMatchObject({ cancelResult: 'SUCCESS', newOrderResult: 'SUCCESS' });
    expect(box.sandbox.engine.order('main', { id })?.status).toBe('canceled');
    const failed = await call(
      'POST',
      '/api/v3/order/cancelReplace',
      `symbol=ETHUSDT&cancelReplaceMode=STOP_ON_FAILURE&cancelOrderId=${id}&side=BUY&type=MARKET&quantity=0.2`,
    );
    expect(failed.body.code).toBe(-2022);
    const quote = await call(
      'POST',
      '/sapi/v1/convert/getQuote',
      'fromAsset=USDT&toAsset=BTC&fromAmount=600',
    );
    expect(quote.body, JSON.stringify(quote.body)).toMatchObject({
      fromAmount: '600.00000000',
      toAmount: '0.01000000',
    });
    const before = box.sandbox.engine.closedOrders('main').length;
    const accepted = await call(
      'POST',
      '/sapi/v1/convert/acceptQuote',
      `quoteId=${String(quote.body.quoteId)}`,
    );
    expect(accepted.body).toMatchObject({ orderStatus: 'SUCCESS' });
    expect(box.sandbox.engine.closedOrders('main').length).toBe(before + 1);
  });
});
