import { describe, expect, it } from 'vitest';
import { kucoin } from '../../src/exchanges/kucoin/index.js';
import { itClassifiesEach, limitNotional, ordersOf, req, withdrawalOf } from './helpers.js';

const classify = (method: string, path: string, body = '', query = '') =>
  kucoin.classify(req(method, path, body, query));
const order = (o: Record<string, unknown>) => classify('POST', '/api/v1/orders', JSON.stringify(o));
const limit = {
  clientOid: 'c1',
  side: 'buy',
  symbol: 'BTC-USDT',
  type: 'limit',
  price: '59000',
  size: '0.01',
};
const market = { clientOid: 'c2', side: 'buy', symbol: 'ETH-USDT', type: 'market' };

describe('kucoin endpoints', () => {
  itClassifiesEach(kucoin, [
    ['GET', '/api/v2/symbols', 'public'],
    ['GET', '/api/v3/currencies', 'public'],
    ['GET', '/api/v1/market/orderbook/level1', 'public'],
    ['GET', '/api/v1/market/allTickers', 'public'],
    ['GET', '/api/v1/accounts', 'read'],
    ['GET', '/api/v1/orders', 'read'],
    ['GET', '/api/v1/fills', 'read'],
    ['GET', '/api/v1/user/api-key', 'read'],
    ['GET', '/api/v1/hf/accounts/opened', 'read'],
    ['GET', '/api/v3/margin/symbols', 'read'],
    ['POST', '/api/v1/orders', 'trade'],
    ['DELETE', '/api/v1/orders', 'cancel'],
    ['POST', '/api/v3/withdrawals', 'withdraw'],
    ['POST', '/api/v1/withdrawals', 'withdraw'],
    ['POST', '/api/v3/accounts/universal-transfer', 'transfer'],
    ['POST', '/api/v2/accounts/inner-transfer', 'transfer'],
    ['POST', '/api/v1/margin/order', 'margin'],
    ['POST', '/api/v3/margin/borrow', 'margin'],
    ['POST', '/api/v1/sub/api-key', 'account-admin'],
    ['POST', '/api/v1/hf/orders', 'unknown'],
    ['POST', '/api/v1/stop-order', 'unknown'],
  ]);

  it('names path ids {id}: cancel by order id and by clientOid, reads of one order, cancelling a withdrawal', () => {
    expect(classify('DELETE', '/api/v1/orders/5bd6e9286d99522a52e458de')).toEqual({
      action: 'cancel',
      endpoint: 'DELETE /api/v1/orders/{id}',
      orders: [],
    });
    expect(classify('DELETE', '/api/v1/order/client-order/0b7f-4c3e_x')).toMatchObject({
      action: 'cancel',
      endpoint: 'DELETE /api/v1/order/client-order/{id}',
    });
    expect(classify('GET', '/api/v1/orders/123')).toMatchObject({
      action: 'read',
      endpoint: 'GET /api/v1/orders/{id}',
    });
    expect(classify('DELETE', '/api/v1/withdrawals/42')).toMatchObject({ action: 'withdraw' });
    expect(classify('POST', '/api/v1/orders/123')).toMatchObject({ action: 'unknown' });
    expect(classify('DELETE', '/api/v1/orders/a%2Fb').rejected).toMatch(/not a KuCoin id/);
    expect(classify('DELETE', '/api/v1/orders/1', '', 'symbol=BTC-USDT').rejected).toMatch(/query/);
  });
});

describe('kucoin order intents', () => {
  it('reads a limit order: symbol, side, price and base size', () => {
    const [o] = ordersOf(kucoin, 'POST', '/api/v1/orders', JSON.stringify(limit));
    expect(o).toMatchObject({
      symbol: 'BTC/USDT',
      rawSymbol: 'BTC-USDT',
      side: 'buy',
      type: 'limit',
      price: 59000,
      quantity: 0.01,
    });
    expect(o?.prices).toEqual([{ field: 'price', value: 59000 }]);
    expect(limitNotional(o)).toBeCloseTo(590, 6);
  });

  it('reads a market order by size (base) or by funds (quote), priced from the market', () => {
    const [bySize] = order({ ...market, size: '0.5' }).orders;
    expect(bySize).toMatchObject({ pricing: 'market', quantity: 0.5, prices: [] });
    expect(bySize?.quoteQuantity).toBeUndefined();
    const [byFunds] = order({ ...market, funds: '100' }).orders;
    expect(byFunds).toMatchObject({ pricing: 'market', quoteQuantity: 100 });
    expect(byFunds?.quantity).toBeUndefined();
  });

  it('accepts what CCXT sends: clientOid, remark, postOnly, timeInForce, JSON numbers', () => {
    expect(
      order({ ...limit, remark: 'grid 1', postOnly: true, timeInForce: 'GTC', stp: 'CN', tradeType: 'TRADE' })
        .rejected,
    ).toBeUndefined();
    expect(order({ ...limit, price: 59000, size: 0.01 }).rejected).toBeUndefined();
    expect(order({ ...limit, timeInForce: 'GTT', cancelAfter: 60 }).rejected).toBeUndefined();
  });

  it.each([
    ['an unknown field', { ...limit, request: [market] }, /"request"/],
    ['a price on a market order', { ...market, size: '0.5', price: '1' }, /"price"/],
    [
      'a trigger price (stop orders have their own endpoint)',
      { ...limit, stopPrice: '50000', stop: 'loss' },
      /stop/,
    ],
    ['a margin trade type', { ...limit, tradeType: 'MARGIN_TRADE' }, /tradeType/],
    ['both size and funds', { ...market, size: '1', funds: '100' }, /exactly one/],
    ['neither size nor funds', market, /exactly one/],
    ['a limit without a price', { ...limit, price: undefined }, /"price"/],
    ['an exponent', { ...limit, size: '1e3' }, /"size"/],
    ['a number out of bounds', { ...limit, size: 1e300 }, /"size"/],
    ['a negative size', { ...limit, size: '-1' }, /"size"/],
    ['cancelAfter without GTT', { ...limit, cancelAfter: 60 }, /GTT/],
    ['postOnly with IOC', { ...limit, postOnly: true, timeInForce: 'IOC' }, /postOnly/],
    ['a lower-case symbol', { ...limit, symbol: 'btc-usdt' }, /symbol/],
    ['an unknown order type', { ...limit, type: 'stop' }, /type/],
  ])('rejects %s', (_what, body, why) => {
    const c = order(body);
    expect(c.rejected).toMatch(why);
    expect(c.orders).toEqual([]);
  });

  it('rejects a POST query, a missing body and an array body', () => {
    expect(classify('POST', '/api/v1/orders', JSON.stringify(limit), 'symbol=ETH-USDT').rejected).toMatch(
      /query/,
    );
    expect(classify('POST', '/api/v1/orders').rejected).toMatch(/body/);
    expect(classify('POST', '/api/v1/orders', '[]').rejected).toMatch(/object/);
  });

  it('reads cancel-all with its symbol, and refuses a margin trade type or another parameter', () => {
    expect(classify('DELETE', '/api/v1/orders', '', 'symbol=BTC-USDT&tradeType=TRADE').orders).toEqual([
      expect.objectContaining({ symbol: 'BTC/USDT' }),
    ]);
    expect(classify('DELETE', '/api/v1/orders', '', 'tradeType=MARGIN_TRADE').rejected).toMatch(/TRADE/);
    expect(classify('DELETE', '/api/v1/orders', '', 'orderIds=1').rejected).toMatch(/orderIds/);
  });

  it('refuses an unknown parameter on a read', () => {
    expect(classify('GET', '/api/v1/accounts', '', 'type=trade').rejected).toBeUndefined();
    expect(classify('GET', '/api/v1/accounts', '', 'sneaky=1').rejected).toMatch(/sneaky/);
  });
});

describe('kucoin withdrawals and transfers', () => {
  it('reads a v3 withdrawal as CCXT sends it (amount a JSON number, chain lower-case)', () => {
    const body = JSON.stringify({
      currency: 'USDT',
      toAddress: 'TXYZ1',
      withdrawType: 'ADDRESS',
      chain: 'trx',
      memo: 'm1',
      amount: 10,
    });
    expect(withdrawalOf(kucoin, 'POST', '/api/v3/withdrawals', body)).toEqual({
      coin: 'USDT',
      amount: 10,
      address: 'TXYZ1',
      network: 'trx',
      tag: 'm1',
    });
    expect(
      classify(
        'POST',
        '/api/v3/withdrawals',
        JSON.stringify({ currency: 'USDT', toAddress: 'T', withdrawType: 'ADDRESS', amount: 1, to: 'x' }),
      ).rejected,
    ).toMatch(/"to"/);
  });

  it('reads universal and inner transfers as transfers with their coin and amount', () => {
    const universal = {
      clientOid: 'u1',
      currency: 'USDT',
      amount: '1',
      type: 'INTERNAL',
      fromAccountType: 'MAIN',
      toAccountType: 'TRADE',
    };
    expect(
      withdrawalOf(kucoin, 'POST', '/api/v3/accounts/universal-transfer', JSON.stringify(universal)),
    ).toEqual({ coin: 'USDT', amount: 1 });
    const inner = { clientOid: 'i1', currency: 'BTC', amount: '0.1', from: 'main', to: 'trade' };
    expect(withdrawalOf(kucoin, 'POST', '/api/v2/accounts/inner-transfer', JSON.stringify(inner))).toEqual({
      coin: 'BTC',
      amount: 0.1,
    });
    expect(
      classify('POST', '/api/v2/accounts/inner-transfer', JSON.stringify({ ...inner, toUserId: '7' }))
        .rejected,
    ).toMatch(/toUserId/);
  });
});
