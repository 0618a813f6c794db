import { describe, expect, it } from 'vitest';
import type { Action, ExchangeRequest } from '../../src/exchanges/adapter.js';
import { kraken } from '../../src/exchanges/kraken.js';
import { limitNotional } from './helpers.js';

const post = (method: string, body = '', json = false): ExchangeRequest => ({
  method: 'POST',
  path: method.startsWith('/') ? method : `/0/private/${method}`,
  query: '',
  body,
  headers: json ? { 'content-type': 'application/json' } : {},
});

// Every Kraken endpoint named in exchanges.md §3.4/§3.5/§7.
const TABLE: Array<[string, Action]> = [
  ['Balance', 'read'],
  ['BalanceEx', 'read'],
  ['TradeBalance', 'read'],
  ['OpenOrders', 'read'],
  ['ClosedOrders', 'read'],
  ['QueryOrders', 'read'],
  ['TradesHistory', 'read'],
  ['QueryTrades', 'read'],
  ['OpenPositions', 'read'],
  ['Ledgers', 'read'],
  ['QueryLedgers', 'read'],
  ['TradeVolume', 'read'],
  ['DepositMethods', 'read'],
  ['DepositAddresses', 'read'],
  ['DepositStatus', 'read'],
  ['WithdrawStatus', 'read'],
  ['WithdrawInfo', 'read'],
  ['GetWebSocketsToken', 'read'],
  ['GetApiKeyInfo', 'read'],
  ['AddOrder', 'trade'],
  ['AddOrderBatch', 'trade'],
  ['EditOrder', 'trade'],
  ['AmendOrder', 'trade'],
  ['CancelOrder', 'cancel'],
  ['CancelAll', 'cancel'],
  ['CancelAllOrdersAfter', 'cancel'],
  ['CancelOrderBatch', 'cancel'],
  ['Withdraw', 'withdraw'],
  ['WithdrawCancel', 'withdraw'],
  ['WalletTransfer', 'transfer'],
  ['AccountTransfer', 'transfer'],
  ['Earn/Allocate', 'transfer'],
  ['Earn/Deallocate', 'transfer'],
  ['Stake', 'transfer'],
  ['Unstake', 'transfer'],
  ['CreateSubaccount', 'account-admin'],
  ['SomethingNew', 'unknown'],
];

describe('kraken classify: every documented endpoint', () => {
  it.each(TABLE)('POST /0/private/%s is %s', (method, action) => {
    const c = kraken.classify(post(method));
    expect(c.action).toBe(action);
    expect(c.endpoint).toBe(`POST /0/private/${method}`);
  });

  it('public market data and the funding withdrawals endpoint', () => {
    for (const m of ['Time', 'Assets', 'AssetPairs', 'Ticker', 'Depth', 'OHLC', 'SystemStatus']) {
      expect(kraken.classify({ ...post(''), method: 'GET', path: `/0/public/${m}` }).action).toBe('public');
    }
    expect(kraken.classify(post('/funding/v1/withdrawals')).action).toBe('withdraw');
    expect(kraken.classify({ ...post('Balance'), method: 'GET' }).action).toBe('unknown');
  });

  it('reads AddOrder: pair normalised, side, type, volume, price, notional', () => {
    const c = kraken.classify(
      post('AddOrder', 'nonce=1&ordertype=limit&pair=XXBTZUSD&price=37500&type=buy&volume=1.25'),
    );
    expect(c.orders).toEqual([
      {
        rawSymbol: 'XXBTZUSD',
        symbol: 'BTC/USD',
        side: 'buy',
        type: 'limit',
        quantity: 1.25,
        price: 37500,
        notional: 46875,
      },
    ]);
  });

  it('reads a viqc market order as a quote quantity', () => {
    const c = kraken.classify(
      post('AddOrder', 'nonce=1&ordertype=market&pair=XDGUSD&type=buy&volume=100&oflags=viqc'),
    );
    expect(c.orders[0]).toMatchObject({ symbol: 'DOGE/USD', quoteQuantity: 100, notional: 100 });
  });

  it('classifies every order of AddOrderBatch, JSON and form encoded', () => {
    const json = kraken.classify(
      post(
        'AddOrderBatch',
        JSON.stringify({
          nonce: '1',
          pair: 'XBTUSD',
          orders: [
            { type: 'buy', ordertype: 'limit', volume: '1', price: '100' },
            { type: 'sell', ordertype: 'limit', volume: '2', price: '200' },
          ],
        }),
        true,
      ),
    );
    expect(json.orders.map((o) => [o.symbol, o.side, o.quantity, limitNotional(o)])).toEqual([
      ['BTC/USD', 'buy', 1, 100],
      ['BTC/USD', 'sell', 2, 400],
    ]);
    const form = kraken.classify(
      post(
        'AddOrderBatch',
        'nonce=1&pair=ETHUSD&orders%5B0%5D%5Btype%5D=buy&orders%5B0%5D%5Bordertype%5D=limit&orders%5B0%5D%5Bvolume%5D=3&orders%5B0%5D%5Bprice%5D=10&orders%5B1%5D%5Btype%5D=sell&orders%5B1%5D%5Bvolume%5D=1',
      ),
    );
    expect(form.orders.map((o) => [o.symbol, o.side, o.quantity])).toEqual([
      ['ETH/USD', 'buy', 3],
      ['ETH/USD', 'sell', 1],
    ]);
  });

  it('reads a withdrawal: asset normalised, amount, address key', () => {
    const c = kraken.classify(post('Withdraw', 'nonce=1&asset=XXBT&key=cold-wallet&amount=0.5'));
    expect(c.withdrawal).toEqual({ coin: 'BTC', amount: 0.5, address: 'cold-wallet' });
    const t = kraken.classify(
      post('WalletTransfer', 'nonce=1&asset=ZUSD&from=Spot%20Wallet&to=Futures%20Wallet&amount=10'),
    );
    expect(t.withdrawal).toEqual({ coin: 'USD', amount: 10, address: 'Futures Wallet' });
  });
});
