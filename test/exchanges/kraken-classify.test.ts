import { describe, expect, it } from 'vitest';
import type { Action } from '../../src/core/index.js';
import type { ExchangeRequest } from '../../src/exchanges/adapter.js';
import { kraken } from '../../src/exchanges/kraken/index.js';
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

  it('reads AddOrder: pair normalised, side, type, volume, limit price', () => {
    const c = kraken.classify(
      post('AddOrder', 'nonce=1&ordertype=limit&pair=XXBTZUSD&price=37500&type=buy&volume=1.25'),
    );
    expect(c.rejected).toBeUndefined();
    expect(c.orders).toEqual([
      {
        rawSymbol: 'XXBTZUSD',
        symbol: 'BTC/USD',
        market: 'spot',
        side: 'buy',
        type: 'limit',
        pricing: 'limit',
        quantity: 1.25,
        price: 37500,
        prices: [{ field: 'price', value: 37500 }],
      },
    ]);
    expect(limitNotional(c.orders[0])).toBe(46875);
  });

  it('reads a viqc market buy as a quote quantity, priced at the market', () => {
    const c = kraken.classify(
      post('AddOrder', 'nonce=1&ordertype=market&pair=XDGUSD&type=buy&volume=100&oflags=viqc'),
    );
    expect(c.orders[0]).toMatchObject({ symbol: 'DOGE/USD', quoteQuantity: 100, pricing: 'market' });
    expect(c.orders[0]?.quantity).toBeUndefined();
  });

  it('classifies every order of AddOrderBatch under the top-level pair (JSON, as Kraken and CCXT send it)', () => {
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
        'nonce=1&pair=ETHUSD&orders%5B0%5D%5Btype%5D=buy&orders%5B0%5D%5Bordertype%5D=limit&orders%5B0%5D%5Bvolume%5D=3&orders%5B0%5D%5Bprice%5D=10',
      ),
    );
    expect(form.rejected).toMatch(/JSON body/);
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

const add = (body: string) => kraken.classify(post('AddOrder', body));
const order = (body: string) => {
  const c = add(body);
  expect(c.rejected).toBeUndefined();
  return c.orders[0];
};

describe('kraken strict schemas: a field keywarden did not read is refused', () => {
  const base = 'pair=XBTUSD&type=buy&volume=0.5';
  it.each([
    ['a price on a market order (decoy)', `${base}&ordertype=market&price=1`, /price/],
    ['price2 on a plain limit order', `${base}&ordertype=limit&price=100&price2=1`, /price2/],
    ['an unknown field', `${base}&ordertype=limit&price=100&foo=1`, /foo/],
    ['a misspelt field', `${base}&ordertype=limit&Price=100`, /Price/],
    ['an exponent', 'pair=XBTUSD&type=buy&volume=1e3&ordertype=market', /volume/],
    ['a negative size', 'pair=XBTUSD&type=buy&volume=-1&ordertype=market', /volume/],
    ['Infinity', 'pair=XBTUSD&type=buy&volume=Infinity&ordertype=market', /volume/],
    ['a number out of bounds', `${base}&ordertype=limit&price=9999999999999999`, /price/],
    ['an unknown order type', `${base}&ordertype=iceberg&price=100`, /ordertype/],
    ['viqc on a limit order', `${base}&ordertype=limit&price=100&oflags=viqc`, /viqc/],
    ['viqc on a market sell', 'pair=XBTUSD&type=sell&volume=5&ordertype=market&oflags=viqc', /viqc/],
    ['post on a market order', `${base}&ordertype=market&oflags=post`, /post/],
    ['an unknown order flag', `${base}&ordertype=market&oflags=fciq,zzz`, /flag/],
    ['a trigger reference on a limit order', `${base}&ordertype=limit&price=100&trigger=index`, /trigger/],
    [
      'asset_class (another market under the same pair name)',
      `${base}&ordertype=market&asset_class=tokenized_asset`,
      /asset_class/,
    ],
    ['a trailing stop with an absolute price', `${base}&ordertype=trailing-stop&price=100`, /offset/],
    [
      'a close order of an unknown type',
      `${base}&ordertype=limit&price=100&close%5Bordertype%5D=market&close%5Bprice%5D=1`,
      /close/,
    ],
    [
      'price2 on a plain close limit',
      `${base}&ordertype=limit&price=100&close%5Bordertype%5D=limit&close%5Bprice%5D=1&close%5Bprice2%5D=2`,
      /price2/,
    ],
    [
      'a nested field Kraken does not document',
      `${base}&ordertype=limit&price=100&close%5Bvolume%5D=9`,
      /close%5Bvolume%5D|close\[volume\]/,
    ],
    ['settle-position without leverage', `${base}&ordertype=settle-position`, /leverage/],
    ['a missing pair', 'type=buy&volume=1&ordertype=market', /pair/],
  ])('%s', (_what, body, reason) => {
    const c = add(body);
    expect(c.rejected).toMatch(reason);
  });

  it('refuses a per-order pair, validate or deadline in AddOrderBatch, an empty batch and more than 15 orders', () => {
    const batch = (orders: unknown[], extra = {}) =>
      kraken.classify(post('AddOrderBatch', JSON.stringify({ pair: 'XBTUSD', orders, ...extra }), true));
    const o = { type: 'buy', ordertype: 'limit', volume: '1', price: '100' };
    expect(batch([o, { ...o, pair: 'SOLUSD' }]).rejected).toMatch(/orders\.1.*pair/);
    expect(batch([{ ...o, validate: 'true' }, o]).rejected).toMatch(/validate/);
    expect(batch([o]).rejected).toMatch(/2 to 15/);
    expect(batch([]).rejected).toMatch(/empty batch/);
    expect(batch(Array.from({ length: 16 }, () => o)).rejected).toMatch(/orders/);
    expect(batch([o, o], { request: [o] }).rejected).toMatch(/request/);
    expect(batch([o, o]).rejected).toBeUndefined();
  });

  it('refuses JSON fields as objects or arrays where Kraken reads one value, and duplicated keys', () => {
    const json = (body: string) => kraken.classify(post('AddOrder', body, true));
    expect(json('{"pair":"XBTUSD","type":"buy","ordertype":"market","volume":["1"]}').rejected).toMatch(
      /volume/,
    );
    expect(
      json('{"pair":"XBTUSD","type":"buy","ordertype":"market","volume":"1","volume":"9"}').rejected,
    ).toMatch(/duplicated/);
    expect(
      json('{"pair":"XBTUSD","type":"buy","ordertype":"market","volume":"1","__proto__":{"price":"1"}}')
        .rejected,
    ).toMatch(/__proto__/);
    expect(json('{"pair":"XBTUSD","type":"buy","ordertype":"market","volume":0.5}').rejected).toBeUndefined();
  });

  it('refuses the Funding API and unknown read fields; accepts what CCXT sends on reads', () => {
    expect(kraken.classify(post('/funding/v1/withdrawals', '{}', true)).rejected).toMatch(/Funding/);
    expect(kraken.classify(post('Balance', 'nonce=1&asset=XXBT')).rejected).toMatch(/asset/);
    expect(kraken.classify(post('QueryOrders', 'nonce=1&trades=true&txid=O1')).rejected).toBeUndefined();
    expect(kraken.classify(post('TradesHistory', 'nonce=1&start=1700000000')).rejected).toBeUndefined();
    expect(kraken.classify(post('CancelOrder', 'nonce=1&txid=O1&cl_ord_id=x')).rejected).toMatch(
      /exactly one/,
    );
    expect(kraken.classify(post('Withdraw', 'nonce=1&asset=XXBT&key=k&amount=1e2')).rejected).toMatch(
      /amount/,
    );
  });
});

describe('kraken intent by order type', () => {
  const base = 'pair=XBTUSD&type=sell&volume=0.5';
  it('stop-loss and take-profit fill at the market; their trigger price is band-checked', () => {
    expect(order(`${base}&ordertype=stop-loss&price=55000`)).toMatchObject({
      pricing: 'market',
      prices: [{ field: 'price', value: 55000 }],
    });
    expect(order(`${base}&ordertype=take-profit&price=65000`)?.price).toBeUndefined();
  });
  it('stop-loss-limit: price is the trigger, price2 the limit price', () => {
    expect(order(`${base}&ordertype=stop-loss-limit&price=55000&price2=54000`)).toMatchObject({
      pricing: 'limit',
      price: 54000,
      prices: [
        { field: 'price2', value: 54000 },
        { field: 'price', value: 55000 },
      ],
    });
  });
  it.each(['%2B5', '-5', '%235', '5%25'])('a relative price %s is unevaluable', (p) => {
    expect(order(`${base}&ordertype=limit&price=${p}`)?.unevaluable).toMatch(/relative price/);
  });
  it('trailing stops are unevaluable (their prices are offsets)', () => {
    expect(order(`${base}&ordertype=trailing-stop&price=%2B100`)?.unevaluable).toMatch(/price/);
    expect(order(`${base}&ordertype=trailing-stop-limit&price=%2B1%25&price2=-50`)?.unevaluable).toMatch(
      /price2/,
    );
  });
  it('a conditional close order is a second order: opposite side, same volume, its own prices', () => {
    const c = add(
      `${base}&ordertype=limit&price=60000&close%5Bordertype%5D=stop-loss-limit&close%5Bprice%5D=50000&close%5Bprice2%5D=49000`,
    );
    expect(c.orders).toHaveLength(2);
    expect(c.orders[0]?.prices).toEqual([{ field: 'price', value: 60000 }]);
    expect(c.orders[1]).toMatchObject({
      symbol: 'BTC/USD',
      side: 'buy',
      quantity: 0.5,
      type: 'stop-loss-limit',
      price: 49000,
      prices: [
        { field: 'close[price2]', value: 49000 },
        { field: 'close[price]', value: 50000 },
      ],
    });
    const json = kraken.classify(
      post(
        'AddOrder',
        JSON.stringify({
          pair: 'XBTUSD',
          type: 'buy',
          ordertype: 'limit',
          volume: '1',
          price: '1',
          close: { ordertype: 'take-profit', price: '+10%' },
        }),
        true,
      ),
    );
    expect(json.orders[1]).toMatchObject({
      side: 'sell',
      pricing: 'market',
      unevaluable: 'relative close[price] +10%',
    });
    expect(
      add(
        `pair=XBTUSD&type=buy&volume=5&ordertype=market&oflags=viqc&close%5Bordertype%5D=limit&close%5Bprice%5D=1`,
      ).rejected,
    ).toMatch(/viqc/);
  });
  it('leverage, reduce_only and settle-position are margin trading', () => {
    const lev = add(`${base}&ordertype=limit&price=60000&leverage=5`);
    expect(lev).toMatchObject({ action: 'margin', leverage: 5 });
    expect(lev.orders[0]?.leverage).toBe(5);
    expect(add(`${base}&ordertype=limit&price=60000&leverage=2:1`).leverage).toBe(2);
    expect(add(`${base}&ordertype=market&reduce_only=true`).action).toBe('margin');
    expect(add(`${base}&ordertype=market&reduce_only=false`).action).toBe('trade');
    expect(add(`${base}&ordertype=settle-position&leverage=2`)).toMatchObject({
      action: 'margin',
      orders: [{ unevaluable: expect.stringMatching(/settle-position/) }],
    });
  });
  it('AmendOrder and EditOrder name their resting order; the gateway reads it with QueryOrders', () => {
    const a = kraken.classify(
      post('AmendOrder', 'nonce=1&txid=OABC-1&limit_price=51000&trigger_price=50000&order_qty=0.2'),
    );
    expect(a.orders[0]).toMatchObject({
      amend: true,
      orderRef: { orderId: 'OABC-1' },
      quantity: 0.2,
      price: 51000,
      prices: [
        { field: 'limit_price', value: 51000 },
        { field: 'trigger_price', value: 50000 },
      ],
    });
    expect(a.orders[0]?.symbol).toBeUndefined();
    const byClient = kraken.classify(post('AmendOrder', 'cl_ord_id=mine&limit_price=%2B5'));
    expect(byClient.orders[0]).toMatchObject({
      orderRef: { clientOrderId: 'mine' },
      unevaluable: 'relative limit_price +5',
    });
    expect(kraken.classify(post('AmendOrder', 'txid=O1&pair=SOLUSD')).rejected).toMatch(/pair/);
    expect(kraken.classify(post('AmendOrder', 'limit_price=1')).rejected).toMatch(/exactly one/);
    const e = kraken.classify(post('EditOrder', 'txid=O2&pair=XBTUSD&volume=1&price=50000'));
    expect(e.orders[0]).toMatchObject({
      amend: true,
      orderRef: { orderId: 'O2' },
      quantity: 1,
      price: 50000,
    });
    const q = kraken.restingOrderRequest?.(a.orders[0] ?? {}, post('AmendOrder', ''));
    expect(q).toMatchObject({ method: 'POST', path: '/0/private/QueryOrders', body: 'txid=OABC-1' });
    const o = kraken.restingOrderRequest?.(byClient.orders[0] ?? {}, post('AmendOrder', ''));
    expect(o).toMatchObject({ path: '/0/private/OpenOrders', body: 'cl_ord_id=mine' });
  });
  it('parseRestingOrder reads the one open order of a QueryOrders or OpenOrders answer', () => {
    const answer = (result: unknown) => ({
      status: 200,
      headers: {},
      body: JSON.stringify({ error: [], result }),
    });
    const o = {
      status: 'open',
      descr: { pair: 'XBTUSD', type: 'sell', ordertype: 'stop-loss-limit', price: '55000', price2: '54000' },
      vol: '1.0',
      vol_exec: '0.25',
    };
    expect(kraken.parseRestingOrder?.(answer({ 'O-1': o }))).toEqual({
      symbol: 'BTC/USD',
      rawSymbol: 'XBTUSD',
      side: 'sell',
      quantity: 0.75,
      price: 54000,
    });
    expect(
      kraken.parseRestingOrder?.(
        answer({ open: { 'O-1': { ...o, descr: { ...o.descr, ordertype: 'limit' } } } }),
      )?.price,
    ).toBe(55000);
    expect(kraken.parseRestingOrder?.(answer({ 'O-1': { ...o, status: 'closed' } }))).toBeUndefined();
    expect(kraken.parseRestingOrder?.(answer({ a: o, b: o }))).toBeUndefined();
    expect(kraken.parseRestingOrder?.(answer({}))).toBeUndefined();
  });
});
