import { describe, expect, it } from 'vitest';
import type { Action, ExchangeRequest } from '../../src/exchanges/adapter.js';
import { okx } from '../../src/exchanges/okx.js';

const req = (method: string, path: string, body = '', query = ''): ExchangeRequest => ({
  method,
  path,
  query,
  headers: {},
  body,
});

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
  it.each(TABLE)('%s %s is %s', (method, path, action) => {
    const c = okx.classify(req(method, path));
    expect(c.action).toBe(action);
    expect(c.endpoint).toBe(`${method} ${path}`);
  });

  it('reads a limit order: symbol, side, quantity, price and notional', () => {
    const body =
      '{"instId":"BTC-USDT","tdMode":"cash","side":"buy","ordType":"limit","px":"50000","sz":"0.01"}';
    expect(okx.classify(req('POST', '/api/v5/trade/order', body)).orders).toEqual([
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
    const orders = okx.classify(req('POST', '/api/v5/trade/batch-orders', body)).orders;
    expect(orders).toHaveLength(3);
    expect(orders[0]).toMatchObject({ symbol: 'BTC/USDT', notional: 200 });
    expect(orders[1]).toMatchObject({ symbol: 'ETH/USDT', side: 'sell', type: 'market', quantity: 3 });
    expect(orders[1]?.notional).toBeUndefined();
    // OKX's default unit for a spot market buy is the quote currency.
    expect(orders[2]).toMatchObject({ symbol: 'SOL/USDT', quoteQuantity: 250, notional: 250 });
    expect(orders[2]?.quantity).toBeUndefined();
  });

  it('reads tgtCcy for spot market orders', () => {
    const base = okx.classify(
      req(
        'POST',
        '/api/v5/trade/order',
        '{"instId":"BTC-USDT","side":"buy","ordType":"market","sz":"0.5","tgtCcy":"base_ccy"}',
      ),
    ).orders[0];
    expect(base).toMatchObject({ quantity: 0.5 });
    const quote = okx.classify(
      req(
        'POST',
        '/api/v5/trade/order',
        '{"instId":"BTC-USDT","side":"sell","ordType":"market","sz":"100","tgtCcy":"quote_ccy"}',
      ),
    ).orders[0];
    expect(quote).toMatchObject({ quoteQuantity: 100 });
  });

  it('normalises derivatives and keeps contract sizes out of the notional', () => {
    const o = okx.classify(
      req(
        'POST',
        '/api/v5/trade/order',
        '{"instId":"BTC-USDT-SWAP","side":"buy","ordType":"limit","px":"60000","sz":"3"}',
      ),
    ).orders[0];
    expect(o).toMatchObject({ symbol: 'BTC/USDT:USDT', quantity: 3, price: 60000 });
    expect(o?.notional).toBeUndefined();
  });

  it('classifies every cancel of cancel-batch-orders', () => {
    const body = '[{"instId":"BTC-USDT","ordId":"1"},{"instId":"ETH-USDT","clOrdId":"x"}]';
    const c = okx.classify(req('POST', '/api/v5/trade/cancel-batch-orders', body));
    expect(c.orders.map((o) => o.symbol)).toEqual(['BTC/USDT', 'ETH/USDT']);
  });

  it('reads withdrawal currency, amount, address and network', () => {
    const body = '{"ccy":"USDT","amt":"12.5","dest":"4","toAddr":"TXabc","chain":"USDT-TRC20","fee":"1"}';
    expect(okx.classify(req('POST', '/api/v5/asset/withdrawal', body)).withdrawal).toEqual({
      coin: 'USDT',
      amount: 12.5,
      address: 'TXabc',
      network: 'TRC20',
    });
    const transfer = okx.classify(
      req('POST', '/api/v5/asset/transfer', '{"ccy":"BTC","amt":"1","from":"6","to":"18"}'),
    );
    expect(transfer.withdrawal).toEqual({ coin: 'BTC', amount: 1 });
  });

  it('ignores a trailing slash in the path', () => {
    expect(okx.classify(req('POST', '/api/v5/asset/withdrawal/', '{}')).action).toBe('withdraw');
  });
});
