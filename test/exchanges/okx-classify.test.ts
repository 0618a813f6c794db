import { describe, expect, it } from 'vitest';
import type { Action } from '../../src/exchanges/adapter.js';
import { okx } from '../../src/exchanges/okx.js';
import { itClassifiesEach, limitNotional, ordersOf, req, withdrawalOf } from './helpers.js';

/** The first order intent OKX reads from a `POST /api/v5/trade/order` body. */
const placed = (body: string) => ordersOf(okx, 'POST', '/api/v5/trade/order', body)[0];

// Every OKX endpoint of exchanges.md §4.4–4.5 and §7, plus what CCXT calls (Appendix A).
const TABLE: Array<[string, string, Action]> = [
  ['GET', '/api/v5/account/balance', 'read'],
  ['GET', '/api/v5/asset/balances', 'read'],
  ['GET', '/api/v5/account/positions', 'read'],
  ['GET', '/api/v5/trade/orders-pending', 'read'],
  ['GET', '/api/v5/trade/order', 'read'],
  ['GET', '/api/v5/trade/orders-history', 'read'],
  ['GET', '/api/v5/trade/orders-history-archive', 'read'],
  ['GET', '/api/v5/trade/fills', 'read'],
  ['GET', '/api/v5/trade/fills-history', 'read'],
  ['GET', '/api/v5/account/config', 'read'],
  ['GET', '/api/v5/asset/withdrawal-history', 'read'],
  ['GET', '/api/v5/asset/deposit-history', 'read'],
  ['GET', '/api/v5/account/max-withdrawal', 'read'],
  ['GET', '/api/v5/asset/currencies', 'read'],
  ['GET', '/api/v5/trade/account-rate-limit', 'read'],
  ['POST', '/api/v5/trade/order', 'trade'],
  ['POST', '/api/v5/trade/batch-orders', 'trade'],
  ['POST', '/api/v5/trade/amend-order', 'trade'],
  ['POST', '/api/v5/trade/amend-batch-orders', 'trade'],
  ['POST', '/api/v5/trade/order-algo', 'trade'],
  ['POST', '/api/v5/trade/amend-algos', 'trade'],
  ['POST', '/api/v5/trade/close-position', 'trade'],
  ['POST', '/api/v5/trade/cancel-order', 'cancel'],
  ['POST', '/api/v5/trade/cancel-batch-orders', 'cancel'],
  ['POST', '/api/v5/trade/cancel-algos', 'cancel'],
  ['POST', '/api/v5/asset/withdrawal', 'withdraw'],
  ['POST', '/api/v5/asset/withdrawal-lightning', 'withdraw'],
  ['POST', '/api/v5/asset/cancel-withdrawal', 'withdraw'],
  ['POST', '/api/v5/asset/transfer', 'transfer'],
  ['POST', '/api/v5/asset/subaccount/transfer', 'transfer'],
  ['POST', '/api/v5/users/subaccount/apikey', 'account-admin'],
  ['POST', '/api/v5/account/set-leverage', 'account-admin'],
  ['GET', '/api/v5/public/instruments', 'public'],
  ['GET', '/api/v5/public/time', 'public'],
  ['GET', '/api/v5/market/ticker', 'public'],
  ['GET', '/api/v5/market/tickers', 'public'],
  ['GET', '/api/v5/market/books', 'public'],
  ['GET', '/api/v5/system/status', 'public'],
  ['POST', '/api/v5/asset/something-new', 'unknown'],
  ['GET', '/api/v5/trade/order-precheck-unknown', 'unknown'],
  // Method matters: a GET on a trade path is not a trade, and an unlisted verb is unknown.
  ['GET', '/api/v5/trade/batch-orders', 'unknown'],
  ['DELETE', '/api/v5/account/balance', 'unknown'],
];

describe('okx classify', () => {
  itClassifiesEach(okx, TABLE);

  it('reads a limit order: symbol, side, quantity, price and notional', () => {
    const body =
      '{"instId":"BTC-USDT","tdMode":"cash","side":"buy","ordType":"limit","px":"50000","sz":"0.01"}';
    expect(ordersOf(okx, 'POST', '/api/v5/trade/order', body)).toEqual([
      {
        symbol: 'BTC/USDT',
        rawSymbol: 'BTC-USDT',
        side: 'buy',
        type: 'limit',
        quantity: 0.01,
        price: 50000,
        notional: 500,
      },
    ]);
  });

  it('classifies every element of a batch-orders array', () => {
    const body = JSON.stringify([
      { instId: 'BTC-USDT', side: 'buy', ordType: 'limit', px: '100', sz: '2', tdMode: 'cash' },
      { instId: 'ETH-USDT', side: 'sell', ordType: 'market', sz: '3', tdMode: 'cash', tgtCcy: 'base_ccy' },
      { instId: 'SOL-USDT', side: 'buy', ordType: 'market', sz: '250', tdMode: 'cash' },
    ]);
    const orders = ordersOf(okx, 'POST', '/api/v5/trade/batch-orders', body);
    expect(orders).toHaveLength(3);
    expect(orders[0]).toMatchObject({ symbol: 'BTC/USDT', notional: 200 });
    expect(orders[1]).toMatchObject({ symbol: 'ETH/USDT', side: 'sell', type: 'market', quantity: 3 });
    expect(limitNotional(orders[1])).toBeUndefined();
    // OKX's default unit for a spot market buy is the quote currency.
    expect(orders[2]).toMatchObject({ symbol: 'SOL/USDT', quoteQuantity: 250, notional: 250 });
    expect(orders[2]?.quantity).toBeUndefined();
  });

  it('reads tgtCcy for spot market orders', () => {
    const base = placed(
      '{"instId":"BTC-USDT","side":"buy","ordType":"market","sz":"0.5","tgtCcy":"base_ccy"}',
    );
    expect(base).toMatchObject({ quantity: 0.5 });
    const quote = placed(
      '{"instId":"BTC-USDT","side":"sell","ordType":"market","sz":"100","tgtCcy":"quote_ccy"}',
    );
    expect(quote).toMatchObject({ quoteQuantity: 100 });
  });

  it('normalises derivatives and keeps contract sizes out of the notional', () => {
    const o = placed('{"instId":"BTC-USDT-SWAP","side":"buy","ordType":"limit","px":"60000","sz":"3"}');
    expect(o).toMatchObject({ symbol: 'BTC/USDT:USDT', quantity: 3, price: 60000 });
    expect(limitNotional(o)).toBeUndefined();
  });

  it('classifies every cancel of cancel-batch-orders', () => {
    const body = '[{"instId":"BTC-USDT","ordId":"1"},{"instId":"ETH-USDT","clOrdId":"x"}]';
    const c = okx.classify(req('POST', '/api/v5/trade/cancel-batch-orders', body));
    expect(c.orders.map((o) => o.symbol)).toEqual(['BTC/USDT', 'ETH/USDT']);
  });

  it('reads withdrawal currency, amount, address and network', () => {
    const body = '{"ccy":"USDT","amt":"12.5","dest":"4","toAddr":"TXabc","chain":"USDT-TRC20","fee":"1"}';
    expect(withdrawalOf(okx, 'POST', '/api/v5/asset/withdrawal', body)).toEqual({
      coin: 'USDT',
      amount: 12.5,
      address: 'TXabc',
      network: 'TRC20',
    });
    const transfer = withdrawalOf(
      okx,
      'POST',
      '/api/v5/asset/transfer',
      '{"ccy":"BTC","amt":"1","from":"6","to":"18"}',
    );
    expect(transfer).toEqual({ coin: 'BTC', amount: 1 });
  });

  it('ignores a trailing slash in the path', () => {
    expect(okx.classify(req('POST', '/api/v5/asset/withdrawal/', '{}')).action).toBe('withdraw');
  });
});
