import { describe, expect, it } from 'vitest';
import { bitget } from '../../src/exchanges/bitget/index.js';
import { itClassifiesEach, ordersOf, post, req, withdrawalOf } from './helpers.js';

const PLACE = '/api/v2/spot/trade/place-order';
const order = (fields: Record<string, unknown>) =>
  JSON.stringify({ symbol: 'BTCUSDT', side: 'buy', ...fields });
const classifyPost = (path: string, body: unknown, query = '') =>
  bitget.classify(req('POST', path, typeof body === 'string' ? body : JSON.stringify(body), query));

describe('bitget endpoints', () => {
  itClassifiesEach(bitget, [
    ['GET', '/api/v2/spot/account/assets', 'read'],
    ['GET', '/api/v2/spot/account/info', 'read'],
    ['GET', '/api/v2/spot/trade/unfilled-orders', 'read'],
    ['GET', '/api/v2/spot/trade/fills', 'read'],
    ['GET', '/api/v2/spot/trade/orderInfo', 'read'],
    ['GET', '/api/v2/spot/wallet/withdrawal-records', 'read'],
    ['GET', '/api/v2/spot/market/tickers', 'public'],
    ['GET', '/api/v2/spot/public/symbols', 'public'],
    ['GET', '/api/v2/spot/public/coins', 'public'],
    ['GET', '/api/v2/public/time', 'public'],
    ['GET', '/api/v2/margin/currencies', 'public'],
    // Only spot is understood: futures, margin, plan orders and unified accounts are unknown (denied).
    ['POST', '/api/v2/mix/order/place-order', 'unknown'],
    ['POST', '/api/v2/margin/crossed/place-order', 'unknown'],
    ['POST', '/api/v2/spot/trade/place-plan-order', 'unknown'],
    ['POST', '/api/v2/spot/trade/cancel-replace-order', 'unknown'],
    ['POST', '/api/v2/spot/wallet/subaccount-transfer', 'unknown'],
    ['GET', '/api/v3/account/settings', 'unknown'],
    ['POST', '/api/v2/spot/market/tickers', 'unknown'],
  ]);
});

describe('bitget order intents', () => {
  it('reads a limit order in base units at its price', () => {
    expect(
      ordersOf(
        bitget,
        'POST',
        PLACE,
        order({ orderType: 'limit', force: 'GTC', price: '50000', size: '0.01' }),
      ),
    ).toEqual([
      {
        symbol: 'BTC/USDT',
        rawSymbol: 'BTCUSDT',
        market: 'spot',
        side: 'buy',
        type: 'limit',
        pricing: 'limit',
        price: 50000,
        prices: [{ field: 'price', value: 50000 }],
        quantity: 0.01,
      },
    ]);
  });

  it('reads a market buy size as the quote amount to spend, a market sell size as base', () => {
    const [buy] = ordersOf(bitget, 'POST', PLACE, order({ orderType: 'market', force: 'GTC', size: '1500' }));
    expect(buy).toMatchObject({ side: 'buy', pricing: 'market', quoteQuantity: 1500, prices: [] });
    expect(buy?.quantity).toBeUndefined();
    const [sell] = ordersOf(
      bitget,
      'POST',
      PLACE,
      JSON.stringify({ symbol: 'ETHUSDT', side: 'sell', orderType: 'market', size: '0.5' }),
    );
    expect(sell).toMatchObject({ symbol: 'ETH/USDT', side: 'sell', pricing: 'market', quantity: 0.5 });
    expect(sell?.quoteQuantity).toBeUndefined();
  });

  it('reads every order of a batch, all on the request symbol', () => {
    const c = classifyPost('/api/v2/spot/trade/batch-orders', {
      symbol: 'ETHUSDT',
      orderList: [
        { side: 'buy', orderType: 'limit', force: 'gtc', price: '2900', size: '1' },
        { side: 'buy', orderType: 'market', size: '100' },
      ],
    });
    expect(c.rejected).toBeUndefined();
    expect(c.orders.map((o) => [o.symbol, o.quantity, o.quoteQuantity])).toEqual([
      ['ETH/USDT', 1, undefined],
      ['ETH/USDT', undefined, 100],
    ]);
  });
});

describe('bitget strict schemas: what keywarden did not read is refused', () => {
  it.each([
    [
      'an unknown field',
      order({ orderType: 'limit', force: 'gtc', price: '1', size: '1', foo: '1' }),
      /"foo"/,
    ],
    [
      'a trigger price (plan order)',
      order({ orderType: 'limit', force: 'gtc', price: '1', size: '1', triggerPrice: '2' }),
      /triggerPrice/,
    ],
    [
      'a TP/SL order',
      order({ orderType: 'limit', force: 'gtc', price: '1', size: '1', tpslType: 'tpsl' }),
      /tpslType/,
    ],
    [
      'a preset stop loss',
      order({ orderType: 'market', size: '1', presetStopLossPrice: '1' }),
      /presetStopLossPrice/,
    ],
    ['a price on a market order', order({ orderType: 'market', size: '10', price: '1' }), /"price"/],
    ['a limit order without price', order({ orderType: 'limit', force: 'gtc', size: '1' }), /"price"/],
    ['a limit order without force', order({ orderType: 'limit', price: '1', size: '1' }), /force/],
    ['an exponent size', order({ orderType: 'limit', force: 'gtc', price: '1', size: '1e3' }), /size/],
    ['a negative price', order({ orderType: 'limit', force: 'gtc', price: '-1', size: '1' }), /price/],
    ['an unknown order type', order({ orderType: 'stop', size: '1' }), /orderType/],
    [
      'a lower-case symbol',
      JSON.stringify({ symbol: 'btcusdt', side: 'buy', orderType: 'market', size: '1' }),
      /symbol/,
    ],
    [
      'an unknown quote',
      JSON.stringify({ symbol: 'BTCXYZ', side: 'buy', orderType: 'market', size: '1' }),
      /not understood/,
    ],
  ])('refuses %s', (_, body, message) => {
    const c = classifyPost(PLACE, body);
    expect(c.action).toBe('trade');
    expect(c.rejected).toMatch(message);
    expect(c.orders).toEqual([]);
  });

  it('refuses query parameters on a POST and a POST without body', () => {
    expect(classifyPost(PLACE, order({ orderType: 'market', size: '1' }), 'size=1000').rejected).toMatch(
      /query/,
    );
    expect(bitget.classify(post(PLACE, '')).rejected).toMatch(/JSON body/);
  });

  it('refuses a batch item whose symbol differs from the request symbol', () => {
    const c = classifyPost('/api/v2/spot/trade/batch-orders', {
      symbol: 'BTCUSDT',
      orderList: [{ symbol: 'SOLUSDT', side: 'buy', orderType: 'market', size: '1' }],
    });
    expect(c.rejected).toMatch(/differs/);
  });

  it('refuses reads with parameters keywarden does not know', () => {
    expect(
      bitget.classify(req('GET', '/api/v2/spot/trade/fills', '', 'symbol=BTCUSDT&limit=10')).rejected,
    ).toBeUndefined();
    expect(
      bitget.classify(req('GET', '/api/v2/spot/trade/fills', '', 'symbol=BTCUSDT&x=1')).rejected,
    ).toMatch(/"x"/);
  });
});

describe('bitget cancels, withdrawals and transfers', () => {
  it('reads a cancel by exactly one of orderId and clientOid, with its symbol', () => {
    const c = classifyPost('/api/v2/spot/trade/cancel-order', { symbol: 'BTCUSDT', orderId: '1001' });
    expect(c).toMatchObject({ action: 'cancel', orders: [{ symbol: 'BTC/USDT' }] });
    expect(c.rejected).toBeUndefined();
    expect(classifyPost('/api/v2/spot/trade/cancel-order', { symbol: 'BTCUSDT' }).rejected).toMatch(
      /exactly one/,
    );
    expect(
      classifyPost('/api/v2/spot/trade/cancel-order', { symbol: 'BTCUSDT', orderId: '1', clientOid: 'a' })
        .rejected,
    ).toMatch(/exactly one/);
    const batch = classifyPost('/api/v2/spot/trade/batch-cancel-order', {
      symbol: 'ETHUSDT',
      orderList: [{ orderId: '1' }, { clientOid: 'x-1' }],
    });
    expect(batch).toMatchObject({ action: 'cancel', orders: [{ symbol: 'ETH/USDT' }] });
    expect(classifyPost('/api/v2/spot/trade/cancel-symbol-order', { symbol: 'ETHUSDT' }).action).toBe(
      'cancel',
    );
  });

  it('reads a withdrawal: coin, amount, address, network and tag', () => {
    const body = JSON.stringify({
      coin: 'usdt',
      address: 'TXYZabc',
      chain: 'TRC20',
      size: '10',
      transferType: 'on_chain',
      tag: 'memo1',
    });
    expect(bitget.classify(post('/api/v2/spot/wallet/withdrawal', body)).action).toBe('withdraw');
    expect(withdrawalOf(bitget, 'POST', '/api/v2/spot/wallet/withdrawal', body)).toEqual({
      coin: 'USDT',
      amount: 10,
      address: 'TXYZabc',
      network: 'TRC20',
      tag: 'memo1',
    });
    const extra = classifyPost('/api/v2/spot/wallet/withdrawal', {
      ...JSON.parse(body),
      memberCode: 'bithumb',
    });
    expect(extra.rejected).toMatch(/memberCode/);
    expect(extra.withdrawal).toBeUndefined();
  });

  it('reads a transfer (CCXT sends the amount as a JSON number)', () => {
    const c = classifyPost('/api/v2/spot/wallet/transfer', {
      fromType: 'spot',
      toType: 'usdt_futures',
      amount: 5,
      coin: 'USDT',
    });
    expect(c).toMatchObject({ action: 'transfer', withdrawal: { coin: 'USDT', amount: 5 } });
    expect(c.rejected).toBeUndefined();
    expect(
      classifyPost('/api/v2/spot/wallet/transfer', {
        fromType: 'spot',
        toType: 'spot',
        amount: 5,
        coin: 'USDT',
      }).rejected,
    ).toMatch(/same account/);
  });
});
