/**
 * Bybit's strict request schemas (issue 10, "forward only what was understood"): each
 * classified endpoint and order type accepts exactly its fields; anything else is `rejected`
 * with the field named, and the intent is read by Bybit's own semantics.
 */
import { describe, expect, it } from 'vitest';
import type { Classification } from '../../src/exchanges/adapter.js';
import { bybit } from '../../src/exchanges/bybit/index.js';
import { reply, req } from './helpers.js';

const classify = (path: string, body: unknown, query = ''): Classification =>
  bybit.classify(req('POST', path, typeof body === 'string' ? body : JSON.stringify(body), query));
const create = (body: Record<string, unknown>) => classify('/v5/order/create', body);
const limit = {
  category: 'spot',
  symbol: 'BTCUSDT',
  side: 'Buy',
  orderType: 'Limit',
  qty: '0.01',
  price: '60000',
};
const market = { category: 'spot', symbol: 'BTCUSDT', side: 'Buy', orderType: 'Market', qty: '100' };
const item = { symbol: 'BTCUSDT', side: 'Buy', orderType: 'Limit', qty: '0.01', price: '60000' };

const rejected = (c: Classification, field: RegExp) => {
  expect(c.rejected).toMatch(field);
  expect(c.orders).toEqual([]);
};

describe('bybit strict order schemas', () => {
  it('accepts the honest orders and reads them', () => {
    expect(create(limit).rejected).toBeUndefined();
    expect(create(market).rejected).toBeUndefined();
    expect(
      create({ ...limit, timeInForce: 'PostOnly', orderLinkId: 'bot-1_a', smpType: 'None' }).rejected,
    ).toBeUndefined();
  });

  it('refuses a decoy batch array on the single-order endpoint (finding 1)', () => {
    rejected(
      create({ ...market, symbol: 'ETHUSDT', qty: '15000', request: [item] }),
      /field "request" is not accepted/,
    );
  });

  it('refuses an empty batch, a per-item category and oversized batches (finding 1)', () => {
    rejected(classify('/v5/order/create-batch', { category: 'spot', request: [] }), /empty batch/);
    rejected(
      classify('/v5/order/create-batch', {
        category: 'spot',
        request: [{ ...item, category: 'linear', qty: '900' }],
      }),
      /request\.0\.category" is not accepted/,
    );
    for (const path of ['/v5/order/amend-batch', '/v5/order/cancel-batch'])
      rejected(
        classify(path, {
          category: 'spot',
          request: [{ symbol: 'BTCUSDT', orderId: '1', category: 'linear' }],
        }),
        /category" is not accepted/,
      );
    rejected(
      classify('/v5/order/create-batch', { category: 'spot', request: Array(11).fill(item) }),
      /at most 10 spot/,
    );
    expect(
      classify('/v5/order/create-batch', { category: 'linear', request: Array(11).fill(item) }).orders,
    ).toHaveLength(11);
    rejected(
      classify('/v5/order/create-batch', { category: 'linear', request: Array(21).fill(item) }),
      /at most 20/,
    );
  });

  it('refuses unknown fields, case variants Bybit would bind, and fields the order type does not use', () => {
    rejected(create({ ...limit, Symbol: 'ETHUSDT' }), /field "Symbol" is not accepted/);
    rejected(create({ ...limit, bboSideType: 'Queue' }), /bboSideType/);
    rejected(create({ ...market, price: '1' }), /"price" is not used by Market orders/);
    rejected(create({ ...limit, price: undefined }), /"price" is required/);
    rejected(create({ ...limit, marketUnit: 'baseCoin' }), /"marketUnit" is used only by Market/);
    rejected(
      create({ ...limit, category: 'linear', marketUnit: 'baseCoin' }),
      /marketUnit" is not used by linear/,
    );
    rejected(create({ ...limit, positionIdx: 1 }), /"positionIdx" is not used by spot/);
    rejected(create({ ...limit, reduceOnly: true }), /"reduceOnly" is not used by spot/);
    rejected(create({ ...limit, triggerPrice: '59000' }), /"triggerPrice" needs orderFilter/);
    rejected(
      create({ ...limit, category: 'linear', triggerPrice: '59000' }),
      /"triggerPrice" needs its pair/,
    );
    rejected(create({ ...limit, triggerBy: 'MarkPrice' }), /"triggerBy" needs triggerPrice/);
    rejected(create({ ...limit, category: 'option', symbol: 'BTC-29JUL22-25000-C' }), /category/);
    rejected(create({ ...limit, symbol: 'BTCPERP', category: 'linear' }), /not a linear instrument/);
  });

  it('refuses TP/SL limit prices Bybit would ignore or read differently (finding 4)', () => {
    rejected(create({ ...limit, tpLimitPrice: '1' }), /"tpLimitPrice" needs takeProfit/);
    rejected(
      create({ ...limit, takeProfit: '61000', tpLimitPrice: '1' }),
      /"tpLimitPrice" needs tpOrderType Limit/,
    );
    rejected(
      create({ ...limit, takeProfit: '61000', tpOrderType: 'Limit' }),
      /tpOrderType" Limit needs tpLimitPrice/,
    );
    const linear = {
      ...limit,
      category: 'linear',
      stopLoss: '59000',
      slOrderType: 'Limit',
      slLimitPrice: '58900',
    };
    rejected(create(linear), /"slLimitPrice" needs tpslMode Partial/);
    rejected(create({ ...market, takeProfit: '61000' }), /"takeProfit" is not used by spot Market/);
  });

  it('names every price field for the band (finding 4)', () => {
    const c = create({
      ...limit,
      category: 'linear',
      takeProfit: '61000',
      stopLoss: '59000',
      tpslMode: 'Partial',
      tpOrderType: 'Limit',
      tpLimitPrice: '61100',
      slOrderType: 'Limit',
      slLimitPrice: '58900',
      triggerPrice: '60500',
      triggerDirection: 1,
    });
    expect(c.orders[0]?.prices).toEqual([
      { field: 'price', value: 60000 },
      { field: 'triggerPrice', value: 60500 },
      { field: 'takeProfit', value: 61000 },
      { field: 'stopLoss', value: 59000 },
      { field: 'tpLimitPrice', value: 61100 },
      { field: 'slLimitPrice', value: 58900 },
    ]);
  });

  it('refuses numbers that are not plain finite decimals', () => {
    for (const qty of ['1e300', '-1', '+5', '5%', 'Infinity', 'NaN', '0x10', ' 1', '1,5', '', '00.5', '1e-3'])
      rejected(create({ ...limit, qty }), /field "qty"/);
    rejected(create({ ...limit, price: 1e300 }), /field "price"/);
    expect(create({ ...limit, qty: 0.01, price: 60000 }).orders[0]).toMatchObject({
      quantity: 0.01,
      price: 60000,
    });
  });

  it('refuses a query string beside a JSON body, and a non-object body', () => {
    rejected(classify('/v5/order/create', limit, 'symbol=ETHUSDT'), /query string is not accepted/);
    rejected(classify('/v5/order/create', '[1]'), /JSON object/);
  });

  it('reads market orders by Bybit semantics: quote-sized buys, base-sized sells, market pricing', () => {
    expect(create(market).orders[0]).toMatchObject({ quoteQuantity: 100, pricing: 'market', prices: [] });
    expect(create({ ...market, marketUnit: 'baseCoin', qty: '0.5' }).orders[0]).toMatchObject({
      quantity: 0.5,
    });
    expect(create({ ...market, side: 'Sell', marketUnit: 'quoteCoin' }).orders[0]).toMatchObject({
      quoteQuantity: 100,
    });
    const stopMarket = create({
      ...market,
      category: 'linear',
      qty: '1',
      triggerPrice: '61000',
      triggerDirection: 1,
    });
    expect(stopMarket.orders[0]).toMatchObject({
      symbol: 'BTC/USDT:USDT',
      market: 'swap',
      pricing: 'market',
      quantity: 1,
      prices: [{ field: 'triggerPrice', value: 61000 }],
    });
  });

  it('reads spot orders with isLeverage as margin (finding 7)', () => {
    expect(create({ ...limit, isLeverage: 1 }).action).toBe('margin');
    expect(create({ ...limit, isLeverage: 0 }).action).toBe('trade');
    expect(
      classify('/v5/order/create-batch', { category: 'spot', request: [item, { ...item, isLeverage: '1' }] })
        .action,
    ).toBe('margin');
    rejected(create({ ...limit, category: 'linear', isLeverage: 1 }), /isLeverage" is not used by linear/);
  });

  it('reads set-leverage and set-margin-mode as margin with the leverage stated (finding 7)', () => {
    const c = classify('/v5/position/set-leverage', {
      category: 'linear',
      symbol: 'BTCUSDT',
      buyLeverage: '10',
      sellLeverage: '25',
    });
    expect(c).toMatchObject({
      action: 'margin',
      leverage: 25,
      orders: [{ symbol: 'BTC/USDT:USDT', market: 'swap', leverage: 25 }],
    });
    expect(c.rejected).toBeUndefined();
    expect(classify('/v5/account/set-margin-mode', { setMarginMode: 'ISOLATED_MARGIN' })).toMatchObject({
      action: 'margin',
    });
    rejected(classify('/v5/account/set-margin-mode', { setMarginMode: 'X' }), /setMarginMode/);
    expect(classify('/v5/spot-margin-trade/set-leverage', { leverage: '4' })).toMatchObject({
      action: 'margin',
      leverage: 4,
    });
  });

  it('reads amends as amends of the named resting order, with every new price (finding 4)', () => {
    const c = classify('/v5/order/amend', {
      category: 'spot',
      symbol: 'BTCUSDT',
      orderId: 'o1',
      price: '59000',
      qty: '0.2',
    });
    expect(c.orders).toEqual([
      expect.objectContaining({
        symbol: 'BTC/USDT',
        amend: true,
        orderRef: { orderId: 'o1' },
        price: 59000,
        quantity: 0.2,
        prices: [{ field: 'price', value: 59000 }],
      }),
    ]);
    expect(c.orders[0]?.side).toBeUndefined();
    const tp = classify('/v5/order/amend', {
      category: 'linear',
      symbol: 'BTCUSDT',
      orderLinkId: 'x',
      takeProfit: '0',
      stopLoss: '1',
    });
    expect(tp.orders[0]).toMatchObject({
      orderRef: { clientOrderId: 'x' },
      prices: [{ field: 'stopLoss', value: 1 }],
    });
    rejected(classify('/v5/order/amend', { category: 'spot', symbol: 'BTCUSDT', price: '1' }), /exactly one/);
    rejected(
      classify('/v5/order/amend', {
        category: 'spot',
        symbol: 'BTCUSDT',
        orderId: '1',
        orderLinkId: 'a',
        price: '1',
      }),
      /exactly one/,
    );
    rejected(
      classify('/v5/order/amend', { category: 'spot', symbol: 'BTCUSDT', orderId: '1', side: 'Sell' }),
      /"side"/,
    );
    const batch = classify('/v5/order/amend-batch', {
      category: 'linear',
      request: [
        { symbol: 'BTCUSDT', orderId: 'a', qty: '2' },
        { symbol: 'ETHUSDT', orderLinkId: 'b', price: '3100' },
      ],
    });
    expect(batch.orders.map((o) => [o.symbol, o.orderRef, o.quantity, o.price])).toEqual([
      ['BTC/USDT:USDT', { orderId: 'a' }, 2, undefined],
      ['ETH/USDT:USDT', { clientOrderId: 'b' }, undefined, 3100],
    ]);
  });

  it('checks cancels, withdrawals and transfers field by field', () => {
    expect(
      classify('/v5/order/cancel', {
        category: 'spot',
        symbol: 'BTCUSDT',
        orderId: '1',
        orderFilter: 'Order',
      }).rejected,
    ).toBeUndefined();
    rejected(
      classify('/v5/order/cancel', {
        category: 'linear',
        symbol: 'BTCUSDT',
        orderId: '1',
        orderFilter: 'Order',
      }),
      /orderFilter/,
    );
    expect(classify('/v5/order/cancel-all', { category: 'spot' }).rejected).toBeUndefined();
    expect(
      classify('/v5/order/cancel-all', { category: 'linear', settleCoin: 'USDT' }).rejected,
    ).toBeUndefined();
    const w = {
      coin: 'USDT',
      amount: '25',
      address: 'TXabc',
      timestamp: 1,
      accountType: 'UTA',
      chain: 'TRX',
    };
    expect(classify('/v5/asset/withdraw/create', w).withdrawal).toMatchObject({
      coin: 'USDT',
      amount: 25,
      address: 'TXabc',
    });
    expect(classify('/v5/asset/withdraw/create', { ...w, beneficiary: {} }).rejected).toMatch(/beneficiary/);
    expect(classify('/v5/asset/withdraw/create', { ...w, amount: '1e3' }).rejected).toMatch(/amount/);
  });

  it('checks read and public queries loosely', () => {
    const get = (path: string, query: string) => bybit.classify(req('GET', path, '', query));
    expect(get('/v5/order/realtime', 'category=spot&symbol=BTCUSDT&openOnly=0').rejected).toBeUndefined();
    expect(get('/v5/market/tickers', 'category=linear&symbol=BTCUSDT').rejected).toBeUndefined();
    expect(get('/v5/order/realtime', 'category=spot&sym%20bol=x').rejected).toMatch(/field "sym bol"/);
  });
});

describe('bybit look-ups for the policy', () => {
  it('reads the resting order an amend names from GET /v5/order/realtime', () => {
    const amend = req(
      'POST',
      '/v5/order/amend',
      JSON.stringify({ category: 'linear', symbol: 'BTCUSDT', orderLinkId: 'b-1', price: '1' }),
    );
    const order = bybit.classify(amend).orders[0];
    if (!order) throw new Error('no order');
    const r = bybit.restingOrderRequest?.(order, amend);
    expect(r && `${r.method} ${r.path}?${r.query}`).toBe(
      'GET /v5/order/realtime?category=linear&symbol=BTCUSDT&orderLinkId=b-1',
    );
    const answer = (row: Record<string, unknown>) =>
      reply({ retCode: 0, retMsg: 'OK', result: { category: 'linear', list: [row], nextPageCursor: '' } });
    const row = { symbol: 'BTCUSDT', side: 'Sell', leavesQty: '0.3', price: '61000', orderStatus: 'New' };
    expect(bybit.parseRestingOrder?.(answer(row))).toEqual({
      symbol: 'BTC/USDT:USDT',
      rawSymbol: 'BTCUSDT',
      market: 'swap',
      side: 'sell',
      quantity: 0.3,
      price: 61000,
    });
    expect(bybit.parseRestingOrder?.(answer({ ...row, orderStatus: 'Filled' }))).toBeUndefined();
    expect(
      bybit.parseRestingOrder?.(reply({ retCode: 0, result: { category: 'linear', list: [] } })),
    ).toBeUndefined();
  });

  it('reads contract specs from GET /v5/market/instruments-info: linear in base coin, inverse in USD', () => {
    const r = bybit.instrumentRequest?.('BTC/USD:BTC', 'swap');
    expect(r && `${r.path}?${r.query}`).toBe('/v5/market/instruments-info?category=inverse&symbol=BTCUSD');
    const answer = (contractType: string, status = 'Trading') =>
      reply({ retCode: 0, result: { category: 'x', list: [{ symbol: 'BTCUSD', contractType, status }] } });
    expect(bybit.parseInstrument?.(answer('InversePerpetual'))).toEqual({ contractSize: 1, inverse: true });
    expect(bybit.parseInstrument?.(answer('LinearPerpetual'))).toEqual({ contractSize: 1, inverse: false });
    expect(bybit.parseInstrument?.(answer('LinearPerpetual', 'PreLaunch'))).toBeUndefined();
    expect(bybit.parseInstrument?.(reply({ retCode: 10001 }))).toBeUndefined();
  });
});
