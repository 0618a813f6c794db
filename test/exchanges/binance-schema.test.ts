/**
 * Binance's strict schemas (issue 10): forward only what keywarden read. Each refusal names
 * the field; each accepted form is what CCXT or the official docs send.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { binance } from '../../src/exchanges/binance/index.js';
import { get, ordersOf, reply, req, verifyCtxAt } from './helpers.js';

const rejectedOf = (method: string, path: string, body = '', query = '') =>
  binance.classify(req(method, path, body, query)).rejected;

const ORDER = '/api/v3/order';
const LIMIT = 'symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.5&price=60000';

describe('binance strict order schemas', () => {
  it('accepts what CCXT sends for limit, market and stop orders', () => {
    for (const body of [
      `${LIMIT}&newClientOrderId=x-TKT5PX2Fabc&newOrderRespType=FULL&timestamp=1&recvWindow=10000`,
      'symbol=BTCUSDT&side=BUY&type=MARKET&quoteOrderQty=100&newClientOrderId=x-TKT5PX2Fabc&newOrderRespType=FULL',
      'symbol=BTCUSDT&side=SELL&type=MARKET&quantity=0.01',
      'symbol=BTCUSDT&side=SELL&type=STOP_LOSS_LIMIT&timeInForce=GTC&quantity=0.01&price=50000&stopPrice=50500',
      'symbol=BTCUSDT&side=SELL&type=LIMIT_MAKER&quantity=0.01&price=70000&selfTradePreventionMode=EXPIRE_MAKER',
    ])
      expect(rejectedOf('POST', ORDER, body), body).toBeUndefined();
  });

  it.each([
    ['a price on a market order', 'symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.5&price=1', 'price'],
    [
      'base and quote size together',
      'symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.5&quoteOrderQty=10',
      'not both',
    ],
    ['an unknown field', `${LIMIT}&pegPriceType=PRIMARY_PEG`, 'pegPriceType'],
    ['a margin flag on a spot order', `${LIMIT}&sideEffectType=MARGIN_BUY`, 'sideEffectType'],
    ['a stop price on a limit order', `${LIMIT}&stopPrice=1`, 'stopPrice'],
    [
      'a time in force on a market order',
      'symbol=BTCUSDT&side=BUY&type=MARKET&quantity=1&timeInForce=GTC',
      'timeInForce',
    ],
    ['a quote size on a limit order', `${LIMIT}&quoteOrderQty=10`, 'quoteOrderQty'],
    ['no size', 'symbol=BTCUSDT&side=BUY&type=MARKET', 'quantity'],
    ['a stop order without trigger', 'symbol=BTCUSDT&side=SELL&type=STOP_LOSS&quantity=1', 'stopPrice'],
    ['an exponent', 'symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1e300&price=1', 'quantity'],
    ['a relative price', 'symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=%2B5', 'price'],
    ['a lower-case type', 'symbol=BTCUSDT&side=BUY&type=market&quantity=1', 'type'],
    ['a recvWindow over 60000', `${LIMIT}&recvWindow=999999`, 'recvWindow'],
    ['a batch array', `${LIMIT}&batchOrders=%5B%5D`, 'batchOrders'],
  ])('refuses %s', (_what, body, field) => {
    expect(rejectedOf('POST', ORDER, body)).toContain(field);
  });

  it('refuses a GET with a body, and an unknown transfer-like endpoint', () => {
    expect(rejectedOf('GET', '/api/v3/account', 'omitZeroBalances=true')).toMatch(/no body/);
    expect(rejectedOf('POST', '/sapi/v1/sub-account/newThing/transfer', 'asset=BTC&amount=1')).toMatch(
      /no schema/,
    );
  });

  it('reads every OCO price: stopLimitPrice, stopPrice, and a trailing delta as unevaluable', () => {
    const legacy = ordersOf(
      binance,
      'POST',
      '/api/v3/order/oco',
      'symbol=BTCUSDT&side=SELL&quantity=1&price=70000&stopPrice=50000&stopLimitPrice=10000&stopLimitTimeInForce=GTC',
    );
    expect(legacy[1]).toMatchObject({
      pricing: 'limit',
      price: 10000,
      prices: [
        { field: 'stopLimitPrice', value: 10000 },
        { field: 'stopPrice', value: 50000 },
      ],
    });
    const trailing = ordersOf(
      binance,
      'POST',
      '/api/v3/orderList/oco',
      'symbol=BTCUSDT&side=SELL&quantity=1&aboveType=LIMIT_MAKER&abovePrice=70000&belowType=STOP_LOSS&belowTrailingDelta=100',
    );
    expect(trailing[1]?.unevaluable).toMatch(/belowTrailingDelta/);
    expect(
      rejectedOf(
        'POST',
        '/api/v3/order/oco',
        'symbol=BTCUSDT&side=SELL&quantity=1&price=70000&stopPrice=50000&stopLimitTimeInForce=GTC',
      ),
    ).toMatch(/stopLimitTimeInForce/);
  });

  it('reads cancelReplace as its new order and an amend as an amend of the named order', () => {
    const [replace] = ordersOf(
      binance,
      'POST',
      '/api/v3/order/cancelReplace',
      'symbol=BTCUSDT&cancelReplaceMode=STOP_ON_FAILURE&cancelOrderId=5&side=BUY&type=MARKET&quantity=2',
    );
    expect(replace).toMatchObject({ symbol: 'BTC/USDT', pricing: 'market', quantity: 2, side: 'buy' });
    const [amend] = ordersOf(
      binance,
      'PUT',
      '/api/v3/order/amend/keepPriority',
      'symbol=BTCUSDT&orderId=42&newQty=0.1',
    );
    expect(amend).toMatchObject({
      amend: true,
      orderRef: { orderId: '42' },
      quantity: 0.1,
      symbol: 'BTC/USDT',
    });
    expect(amend?.side).toBeUndefined();
    const lookup = binance.restingOrderRequest?.(amend ?? {}, req('PUT', '/api/v3/order/amend/keepPriority'));
    expect(lookup).toMatchObject({
      method: 'GET',
      path: '/api/v3/order',
      query: 'symbol=BTCUSDT&orderId=42',
    });
    const resting = binance.parseRestingOrder?.(
      reply({
        symbol: 'BTCUSDT',
        side: 'SELL',
        status: 'NEW',
        price: '50000.00',
        origQty: '1.0',
        executedQty: '0.25',
      }),
    );
    expect(resting).toEqual({
      symbol: 'BTC/USDT',
      rawSymbol: 'BTCUSDT',
      market: 'spot',
      side: 'sell',
      quantity: 0.75,
      price: 50000,
    });
    expect(
      binance.parseRestingOrder?.(reply({ symbol: 'BTCUSDT', side: 'SELL', status: 'FILLED' })),
    ).toBeUndefined();
  });

  it('classifies margin orders, borrowing and leverage as margin; convert quotes as convert', () => {
    const margin = binance.classify(
      req('POST', '/sapi/v1/margin/order', `${LIMIT}&isIsolated=TRUE&sideEffectType=MARGIN_BUY`),
    );
    expect(margin).toMatchObject({ action: 'margin', orders: [{ symbol: 'BTC/USDT', quantity: 0.5 }] });
    expect(margin.rejected).toBeUndefined();
    expect(
      binance.classify(
        req('POST', '/sapi/v1/margin/borrow-repay', 'asset=USDT&isIsolated=FALSE&amount=5&type=BORROW'),
      ),
    ).toMatchObject({ action: 'margin', orders: [] });
    expect(binance.classify(req('POST', '/sapi/v1/margin/max-leverage', 'maxLeverage=10'))).toMatchObject({
      action: 'margin',
      leverage: 10,
    });
    const quote = binance.classify(
      req('POST', '/sapi/v1/convert/getQuote', 'fromAsset=USDT&toAsset=BTC&fromAmount=100'),
    );
    expect(quote).toMatchObject({
      action: 'convert',
      orders: [{ symbol: 'BTC/USDT', side: 'buy', quoteQuantity: 100 }],
    });
    expect(
      rejectedOf('POST', '/sapi/v1/convert/getQuote', 'fromAsset=USDT&toAsset=BTC&fromAmount=100&toAmount=1'),
    ).toMatch(/exactly one/);
    expect(binance.classify(req('POST', '/sapi/v1/convert/acceptQuote', 'quoteId=abc'))).toMatchObject({
      action: 'convert',
      orders: [],
    });
  });

  it('refuses an unknown withdrawal field and reads the checked amount', () => {
    expect(
      rejectedOf('POST', '/sapi/v1/capital/withdraw/apply', 'coin=USDT&address=T1&amount=5&extra=1'),
    ).toMatch(/extra/);
    expect(rejectedOf('POST', '/sapi/v1/capital/withdraw/apply', 'coin=USDT&address=T1&amount=5e3')).toMatch(
      /amount/,
    );
  });
});

describe('binance replay key and public weights', () => {
  it('names the request by path and signature, for recvWindow + 1000 ms', () => {
    const secret = 's3cret';
    const payload = 'symbol=BTCUSDT&timestamp=1000&recvWindow=20000';
    const sig = createHmac('sha256', secret).update(payload).digest('hex');
    const r = binance.verifyClient(
      req('GET', '/api/v3/openOrders', '', `${payload}&signature=${sig.toUpperCase()}`),
      { apiKey: 'k', secret },
      verifyCtxAt(1500, '/binance'),
    );
    expect(r).toMatchObject({ ok: false });
    const ok = binance.verifyClient(
      {
        ...req('GET', '/api/v3/openOrders', '', `${payload}&signature=${sig.toUpperCase()}`),
        headers: { 'x-mbx-apikey': 'k' },
      },
      { apiKey: 'k', secret },
      verifyCtxAt(1500, '/binance'),
    );
    expect(ok).toEqual({ ok: true, replayKey: `GET /api/v3/openOrders ${sig}`, replayWindowMs: 21000 });
  });

  it.each([
    ['/api/v3/depth', 'symbol=BTCUSDT&limit=5000', 250],
    ['/api/v3/depth', 'symbol=BTCUSDT', 5],
    ['/api/v3/depth', 'symbol=BTCUSDT&limit=500', 25],
    ['/api/v3/ticker/24hr', '', 80],
    ['/api/v3/ticker/24hr', 'symbol=BTCUSDT', 2],
    ['/api/v3/ticker/price', '', 4],
    ['/api/v3/exchangeInfo', '', 20],
    ['/api/v3/klines', 'symbol=BTCUSDT&interval=1m', 2],
    ['/api/v3/ping', '', 1],
  ])('weighs %s?%s as %i', (path, query, weight) => {
    expect(binance.publicWeight?.(get(path, query))).toBe(weight);
  });
});

describe('binance OPO: pending orders sized by what the working order receives', () => {
  it('reads a pending sell of the bought base, a pending buy of the sold proceeds, and refuses a pending quantity', () => {
    const buy = ordersOf(
      binance,
      'POST',
      '/api/v3/orderList/opo',
      'symbol=BTCUSDT&workingType=LIMIT&workingSide=BUY&workingPrice=59000&workingQuantity=0.01&workingTimeInForce=GTC&pendingType=LIMIT_MAKER&pendingSide=SELL&pendingPrice=61000',
    );
    expect(buy[1]).toMatchObject({ side: 'sell', quantity: 0.01, price: 61000 });
    const sell = ordersOf(
      binance,
      'POST',
      '/api/v3/orderList/opoco',
      'symbol=BTCUSDT&workingType=LIMIT&workingSide=SELL&workingPrice=61000&workingQuantity=0.01&workingTimeInForce=GTC&pendingSide=BUY&pendingAboveType=STOP_LOSS&pendingAboveStopPrice=62000&pendingBelowType=LIMIT_MAKER&pendingBelowPrice=59000',
    );
    expect(sell[2]).toMatchObject({ side: 'buy', quoteQuantity: 610 });
    expect(
      binance.classify(
        req(
          'POST',
          '/api/v3/orderList/opo',
          'symbol=BTCUSDT&workingType=LIMIT&workingSide=BUY&workingPrice=59000&workingQuantity=0.01&workingTimeInForce=GTC&pendingType=MARKET&pendingSide=SELL&pendingQuantity=5',
        ),
      ).rejected,
    ).toMatch(/pendingQuantity/);
  });
});
