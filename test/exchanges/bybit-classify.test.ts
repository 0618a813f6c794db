import { describe, expect, it } from 'vitest';
import type { Action } from '../../src/core/index.js';
import { bybit } from '../../src/exchanges/bybit/index.js';
import { itClassifiesEach, limitNotional, ordersOf, req, withdrawalOf } from './helpers.js';

/** The first order intent Bybit reads from a `POST /v5/order/create` body. */
const created = (body: string) => ordersOf(bybit, 'POST', '/v5/order/create', body)[0];

// Every Bybit endpoint of exchanges.md §5.4–5.5 and §7, plus what CCXT calls (Appendix A).
const TABLE: Array<[string, string, Action]> = [
  ['GET', '/v5/account/wallet-balance', 'read'],
  ['GET', '/v5/asset/transfer/query-account-coins-balance', 'read'],
  ['GET', '/v5/order/realtime', 'read'],
  ['GET', '/v5/order/history', 'read'],
  ['GET', '/v5/execution/list', 'read'],
  ['GET', '/v5/position/list', 'read'],
  ['GET', '/v5/user/query-api', 'read'],
  ['GET', '/v5/asset/coin/query-info', 'read'],
  ['GET', '/v5/account/info', 'read'],
  ['GET', '/v5/asset/withdraw/query-record', 'read'],
  ['POST', '/v5/order/create', 'trade'],
  ['POST', '/v5/order/amend', 'trade'],
  ['POST', '/v5/order/create-batch', 'trade'],
  ['POST', '/v5/order/amend-batch', 'trade'],
  ['POST', '/v5/order/cancel', 'cancel'],
  ['POST', '/v5/order/cancel-all', 'cancel'],
  ['POST', '/v5/order/cancel-batch', 'cancel'],
  ['POST', '/v5/asset/withdraw/create', 'withdraw'],
  ['POST', '/v5/asset/withdraw/cancel', 'withdraw'],
  ['POST', '/v5/asset/transfer/inter-transfer', 'transfer'],
  ['POST', '/v5/asset/transfer/universal-transfer', 'transfer'],
  ['POST', '/v5/user/create-sub-api', 'account-admin'],
  ['POST', '/v5/user/update-api', 'account-admin'],
  ['POST', '/v5/position/set-leverage', 'margin'],
  ['POST', '/v5/account/set-margin-mode', 'margin'],
  ['POST', '/v5/spot-margin-trade/switch-mode', 'margin'],
  ['POST', '/v5/account/upgrade-to-uta', 'account-admin'],
  ['POST', '/v5/market/tickers', 'unknown'],
  ['GET', '/v5/market/instruments-info', 'public'],
  ['GET', '/v5/market/tickers', 'public'],
  ['GET', '/v5/market/time', 'public'],
  ['GET', '/v5/market/orderbook', 'public'],
  ['POST', '/v5/asset/exchange/convert-execute', 'unknown'],
  ['GET', '/v5/order/create', 'unknown'],
  ['PUT', '/v5/order/create', 'unknown'],
];

describe('bybit classify', () => {
  itClassifiesEach(bybit, TABLE);

  it('reads a spot limit order', () => {
    const body =
      '{"category":"spot","symbol":"BTCUSDT","side":"Buy","orderType":"Limit","qty":"0.01","price":"50000"}';
    expect(ordersOf(bybit, 'POST', '/v5/order/create', body)).toEqual([
      {
        symbol: 'BTC/USDT',
        rawSymbol: 'BTCUSDT',
        market: 'spot',
        side: 'buy',
        type: 'limit',
        pricing: 'limit',
        quantity: 0.01,
        price: 50000,
        prices: [{ field: 'price', value: 50000 }],
      },
    ]);
  });

  it('counts spot market buys in quote coin unless marketUnit is baseCoin', () => {
    const quote = created(
      '{"category":"spot","symbol":"BTCUSDT","side":"Buy","orderType":"Market","qty":"200"}',
    );
    expect(quote).toMatchObject({ quoteQuantity: 200, pricing: 'market', prices: [] });
    expect(quote?.quantity).toBeUndefined();
    const base = created(
      '{"category":"spot","symbol":"BTCUSDT","side":"Buy","orderType":"Market","qty":"0.5","marketUnit":"baseCoin"}',
    );
    expect(base).toMatchObject({ quantity: 0.5 });
    const sell = created(
      '{"category":"spot","symbol":"ETHUSDT","side":"Sell","orderType":"Market","qty":"2"}',
    );
    expect(sell).toMatchObject({ side: 'sell', quantity: 2 });
  });

  it('normalises linear and inverse symbols by category', () => {
    const linear = created(
      '{"category":"linear","symbol":"BTCUSDT","side":"Sell","orderType":"Limit","qty":"1","price":"1"}',
    );
    expect(linear).toMatchObject({ symbol: 'BTC/USDT:USDT', market: 'swap', quantity: 1 });
    expect(linear?.contracts).toBeUndefined();
    const inverse = created(
      '{"category":"inverse","symbol":"BTCUSD","side":"Sell","orderType":"Limit","qty":"100","price":"1"}',
    );
    expect(inverse).toMatchObject({ symbol: 'BTC/USD:BTC', market: 'swap', quantity: 100, contracts: true });
    expect(limitNotional(inverse)).toBeUndefined();
  });

  it('classifies every element of create-batch and cancel-batch', () => {
    const body = JSON.stringify({
      category: 'spot',
      request: [
        { symbol: 'BTCUSDT', side: 'Buy', orderType: 'Limit', qty: '1', price: '100' },
        { symbol: 'ETHUSDT', side: 'Sell', orderType: 'Limit', qty: '2', price: '10' },
      ],
    });
    const orders = ordersOf(bybit, 'POST', '/v5/order/create-batch', body);
    expect(orders.map((o) => [o.symbol, limitNotional(o)])).toEqual([
      ['BTC/USDT', 100],
      ['ETH/USDT', 20],
    ]);
    const cancels = ordersOf(
      bybit,
      'POST',
      '/v5/order/cancel-batch',
      '{"category":"spot","request":[{"symbol":"BTCUSDT","orderId":"1"}]}',
    );
    expect(cancels).toMatchObject([{ symbol: 'BTC/USDT', rawSymbol: 'BTCUSDT', market: 'spot' }]);
  });

  it('reads withdrawal coin, amount, address, chain and tag', () => {
    const body =
      '{"coin":"USDT","chain":"TRX","address":"TXabc","tag":"77","amount":"25","timestamp":1,"accountType":"FUND"}';
    expect(withdrawalOf(bybit, 'POST', '/v5/asset/withdraw/create', body)).toEqual({
      coin: 'USDT',
      amount: 25,
      address: 'TXabc',
      network: 'TRX',
      tag: '77',
    });
    const t = withdrawalOf(
      bybit,
      'POST',
      '/v5/asset/transfer/inter-transfer',
      '{"transferId":"0c6b8a2e-4b7a-4f5e-9a51-1f3c2d4e5f60","coin":"BTC","amount":"0.1","fromAccountType":"UNIFIED","toAccountType":"FUND"}',
    );
    expect(t).toEqual({ coin: 'BTC', amount: 0.1 });
  });

  it('reads GET parameters from the query', () => {
    const c = bybit.classify(req('GET', '/v5/order/realtime', '', 'category=spot&symbol=BTCUSDT'));
    expect(c).toMatchObject({ action: 'read', orders: [] });
  });
});
