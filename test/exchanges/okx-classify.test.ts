import { describe, expect, it } from 'vitest';
import type { Action } from '../../src/core/index.js';
import { okx } from '../../src/exchanges/okx/index.js';
import { itClassifiesEach, limitNotional, ordersOf, req, withdrawalOf } from './helpers.js';

const classifyPost = (path: string, body: string) => okx.classify(req('POST', path, body));

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
  ['POST', '/api/v5/account/set-leverage', 'margin'],
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

  it('reads a limit order: symbol, market, side, quantity and every price', () => {
    const body =
      '{"instId":"BTC-USDT","tdMode":"cash","side":"buy","ordType":"limit","px":"50000","sz":"0.01"}';
    const orders = ordersOf(okx, 'POST', '/api/v5/trade/order', body);
    expect(orders).toEqual([
      {
        symbol: 'BTC/USDT',
        rawSymbol: 'BTC-USDT',
        market: 'spot',
        side: 'buy',
        type: 'limit',
        pricing: 'limit',
        quantity: 0.01,
        price: 50000,
        prices: [{ field: 'px', value: 50000 }],
      },
    ]);
    expect(limitNotional(orders[0])).toBe(500);
  });

  it('classifies every element of a batch-orders array', () => {
    const body = JSON.stringify([
      { instId: 'BTC-USDT', side: 'buy', ordType: 'limit', px: '100', sz: '2', tdMode: 'cash' },
      { instId: 'ETH-USDT', side: 'sell', ordType: 'market', sz: '3', tdMode: 'cash', tgtCcy: 'base_ccy' },
      { instId: 'SOL-USDT', side: 'buy', ordType: 'market', sz: '250', tdMode: 'cash' },
    ]);
    const orders = ordersOf(okx, 'POST', '/api/v5/trade/batch-orders', body);
    expect(orders).toHaveLength(3);
    expect(limitNotional(orders[0])).toBe(200);
    expect(orders[1]).toMatchObject({ symbol: 'ETH/USDT', side: 'sell', pricing: 'market', quantity: 3 });
    expect(orders[1]?.price).toBeUndefined();
    // OKX's default unit for a spot market buy is the quote currency.
    expect(orders[2]).toMatchObject({ symbol: 'SOL/USDT', quoteQuantity: 250, pricing: 'market' });
    expect(orders[2]?.quantity).toBeUndefined();
  });

  it('reads tgtCcy for spot market orders', () => {
    const base = placed(
      '{"instId":"BTC-USDT","tdMode":"cash","side":"buy","ordType":"market","sz":"0.5","tgtCcy":"base_ccy"}',
    );
    expect(base).toMatchObject({ quantity: 0.5 });
    const quote = placed(
      '{"instId":"BTC-USDT","tdMode":"cash","side":"sell","ordType":"market","sz":"100","tgtCcy":"quote_ccy"}',
    );
    expect(quote).toMatchObject({ quoteQuantity: 100 });
  });

  it('reads derivatives as contracts of a swap market, never as spot', () => {
    const o = placed(
      '{"instId":"DOGE-USDT-SWAP","tdMode":"cross","side":"buy","ordType":"limit","px":"0.1","sz":"3"}',
    );
    expect(o).toMatchObject({ symbol: 'DOGE/USDT:USDT', market: 'swap', contracts: true, quantity: 3 });
    expect(limitNotional(o)).toBeUndefined();
    const ioc = placed(
      '{"instId":"BTC-USDT-SWAP","tdMode":"isolated","side":"sell","ordType":"optimal_limit_ioc","sz":"1"}',
    );
    expect(ioc).toMatchObject({ pricing: 'market', prices: [] });
    const future = placed(
      '{"instId":"BTC-USD-250627","tdMode":"cross","side":"buy","ordType":"market","sz":"1"}',
    );
    expect(future).toMatchObject({ symbol: 'BTC/USD:BTC-250627', market: 'future', contracts: true });
  });

  it('bands every price of attached TP/SL legs, algo orders and amends', () => {
    const attached = placed(
      JSON.stringify({
        instId: 'BTC-USDT',
        tdMode: 'cash',
        side: 'buy',
        ordType: 'limit',
        px: '60000',
        sz: '0.01',
        attachAlgoOrds: [{ tpTriggerPx: '70000', tpOrdPx: '-1', slTriggerPx: '50000', slOrdPx: '49000' }],
      }),
    );
    expect(attached?.prices?.map((p) => p.field)).toEqual([
      'px',
      'attachAlgoOrds[0].tpTriggerPx',
      'attachAlgoOrds[0].slTriggerPx',
      'attachAlgoOrds[0].slOrdPx',
    ]);
    const algo = (body: object) => ordersOf(okx, 'POST', '/api/v5/trade/order-algo', JSON.stringify(body))[0];
    const trigger = { instId: 'BTC-USDT', tdMode: 'cash', side: 'buy', sz: '0.01', tgtCcy: 'base_ccy' };
    expect(algo({ ...trigger, ordType: 'trigger', triggerPx: '61000', orderPx: '-1' })).toMatchObject({
      pricing: 'market',
      prices: [{ field: 'triggerPx', value: 61000 }],
    });
    expect(algo({ ...trigger, ordType: 'trigger', triggerPx: '61000', orderPx: '62000' })).toMatchObject({
      pricing: 'limit',
      price: 62000,
    });
    const oco = algo({
      ...trigger,
      ordType: 'oco',
      tpTriggerPx: '70000',
      tpOrdPx: '70500',
      slTriggerPx: '50000',
      slOrdPx: '49000',
    });
    expect(oco).toMatchObject({ pricing: 'limit', price: 70500 });
    expect(oco?.prices).toHaveLength(4);
    expect(
      algo({ ...trigger, ordType: 'move_order_stop', callbackRatio: '0.05' })?.unevaluable,
    ).toBeDefined();
    const amend = ordersOf(
      okx,
      'POST',
      '/api/v5/trade/amend-order',
      '{"instId":"BTC-USDT-SWAP","ordId":"123","newSz":"5","newPx":"61000","newSlTriggerPx":"50000","newSlOrdPx":"-1"}',
    )[0];
    expect(amend).toMatchObject({
      amend: true,
      orderRef: { orderId: '123' },
      symbol: 'BTC/USDT:USDT',
      contracts: true,
      quantity: 5,
      price: 61000,
      prices: [
        { field: 'newPx', value: 61000 },
        { field: 'newSlTriggerPx', value: 50000 },
      ],
    });
    expect(amend?.side).toBeUndefined();
  });

  it('reads margin: tdMode cross/isolated on spot, set-leverage, manual borrow', () => {
    const c = classifyPost(
      '/api/v5/trade/batch-orders',
      '[{"instId":"BTC-USDT","tdMode":"cross","ccy":"USDT","side":"buy","ordType":"limit","px":"60000","sz":"0.01"}]',
    );
    expect([c.action, c.rejected, c.orders[0]?.symbol]).toEqual(['margin', undefined, 'BTC/USDT']);
    const swap = classifyPost(
      '/api/v5/trade/order',
      '{"instId":"BTC-USDT-SWAP","tdMode":"cross","side":"buy","ordType":"market","sz":"1"}',
    );
    expect(swap.action).toBe('trade');
    const lever = classifyPost(
      '/api/v5/account/set-leverage',
      '{"instId":"BTC-USDT-SWAP","lever":"20","mgnMode":"cross"}',
    );
    expect([lever.action, lever.leverage, lever.rejected]).toEqual(['margin', 20, undefined]);
    const borrow = classifyPost(
      '/api/v5/account/spot-manual-borrow-repay',
      '{"ccy":"USDT","side":"borrow","amt":"100"}',
    );
    expect(borrow.action).toBe('margin');
  });

  it('reads a conversion as a convert order of its pair', () => {
    const c = classifyPost(
      '/api/v5/asset/convert/trade',
      '{"quoteId":"q1","baseCcy":"BTC","quoteCcy":"USDT","side":"buy","sz":"100","szCcy":"USDT"}',
    );
    expect(c.action).toBe('convert');
    expect(c.orders[0]).toMatchObject({ symbol: 'BTC/USDT', side: 'buy', quoteQuantity: 100 });
  });

  describe('refuses what it did not read (rejected, never forwarded)', () => {
    const order = {
      instId: 'BTC-USDT',
      tdMode: 'cash',
      side: 'buy',
      ordType: 'limit',
      px: '60000',
      sz: '0.01',
    };
    const market = { instId: 'BTC-USDT', tdMode: 'cash', side: 'buy', ordType: 'market', sz: '100' };
    const rejected = (path: string, body: unknown, query = '') =>
      okx.classify(req('POST', path, typeof body === 'string' ? body : JSON.stringify(body), query)).rejected;
    const cases: Array<[string, string, unknown, RegExp, string?]> = [
      ['unknown field', '/api/v5/trade/order', { ...order, request: [] }, /"request"/],
      ['deprecated top-level TP', '/api/v5/trade/order', { ...order, tpTriggerPx: '1' }, /tpTriggerPx/],
      ['price on a market order', '/api/v5/trade/order', { ...market, px: '1' }, /"px"/],
      [
        'px on optimal_limit_ioc',
        '/api/v5/trade/order',
        { ...market, instId: 'BTC-USDT-SWAP', tdMode: 'cross', ordType: 'optimal_limit_ioc', px: '1' },
        /"px"/,
      ],
      ['array on a single-order endpoint', '/api/v5/trade/order', [order], /one JSON object/],
      ['object on a batch endpoint', '/api/v5/trade/batch-orders', order, /array/],
      ['empty batch', '/api/v5/trade/batch-orders', [], /empty/],
      ['21 orders', '/api/v5/trade/batch-orders', Array(21).fill(order), /at most 20/],
      ['exponent size', '/api/v5/trade/order', { ...order, sz: '1e300' }, /sz/],
      ['negative price', '/api/v5/trade/order', { ...order, px: '-1' }, /px/],
      [
        'huge JSON number',
        '/api/v5/trade/order',
        '{"instId":"BTC-USDT","tdMode":"cash","side":"buy","ordType":"limit","px":1e300,"sz":"1"}',
        /px/,
      ],
      ['posSide on spot', '/api/v5/trade/order', { ...order, posSide: 'long' }, /posSide/],
      ['cash on a derivative', '/api/v5/trade/order', { ...order, instId: 'BTC-USDT-SWAP' }, /tdMode/],
      [
        'tgtCcy on a derivative',
        '/api/v5/trade/order',
        { ...market, instId: 'BTC-USDT-SWAP', tdMode: 'cross', tgtCcy: 'base_ccy' },
        /tgtCcy/,
      ],
      ['quote size on a limit order', '/api/v5/trade/order', { ...order, tgtCcy: 'quote_ccy' }, /tgtCcy/],
      [
        'option order',
        '/api/v5/trade/order',
        { ...order, instId: 'BTC-USD-250627-60000-C', tdMode: 'cross' },
        /option/,
      ],
      ['bad instId', '/api/v5/trade/order', { ...order, instId: 'btc_usdt' }, /instId/],
      ['empty attachAlgoOrds', '/api/v5/trade/order', { ...order, attachAlgoOrds: [] }, /attachAlgoOrds/],
      [
        'sized split TP leg',
        '/api/v5/trade/order',
        { ...order, attachAlgoOrds: [{ tpTriggerPx: '70000', tpOrdPx: '-1', sz: '1' }] },
        /"attachAlgoOrds.0.sz"/,
      ],
      [
        'leg without order price',
        '/api/v5/trade/order',
        { ...order, attachAlgoOrds: [{ slTriggerPx: '50000' }] },
        /slOrdPx/,
      ],
      ['query on a POST', '/api/v5/trade/order', order, /query/, 'instId=ETH-USDT'],
      [
        'amend naming two orders',
        '/api/v5/trade/amend-order',
        { instId: 'BTC-USDT', ordId: '1', clOrdId: 'a', newSz: '1' },
        /exactly one/,
      ],
      [
        'amend changing nothing',
        '/api/v5/trade/amend-order',
        { instId: 'BTC-USDT', ordId: '1' },
        /changes nothing/,
      ],
      [
        'amend in USD',
        '/api/v5/trade/amend-order',
        { instId: 'BTC-USDT', ordId: '1', newPxUsd: '1' },
        /newPxUsd/,
      ],
      [
        'iceberg algo',
        '/api/v5/trade/order-algo',
        { ...market, ordType: 'iceberg', pxVar: '0.01' },
        /ordType/,
      ],
      [
        'algo market buy without unit',
        '/api/v5/trade/order-algo',
        { ...market, ordType: 'trigger', triggerPx: '1', orderPx: '-1' },
        /tgtCcy/,
      ],
      [
        'oco with one leg',
        '/api/v5/trade/order-algo',
        { ...market, tgtCcy: 'base_ccy', ordType: 'oco', slTriggerPx: '1', slOrdPx: '-1' },
        /both/,
      ],
      [
        'amend-algos',
        '/api/v5/trade/amend-algos',
        { instId: 'BTC-USDT', algoId: '1', newSz: '1' },
        /not supported/,
      ],
      [
        'cancel naming two orders',
        '/api/v5/trade/cancel-order',
        { instId: 'BTC-USDT', ordId: '1', clOrdId: 'a' },
        /exactly one/,
      ],
      [
        'withdrawal extra field',
        '/api/v5/asset/withdrawal',
        { ccy: 'USDT', amt: '1', dest: '4', toAddr: 'T1', pwd: 'x' },
        /pwd/,
      ],
      [
        'transfer to another account type',
        '/api/v5/asset/transfer',
        { ccy: 'USDT', amt: '1', from: '6', to: '7' },
        /to/,
      ],
    ];
    it.each(cases)('%s', (_name, path, body, reason, query) => {
      expect(rejected(path, body, query)).toMatch(reason);
    });

    it('refuses unknown query parameters on reads, accepts what CCXT sends', () => {
      const read = (query: string) =>
        okx.classify(req('GET', '/api/v5/trade/orders-pending', '', query)).rejected;
      expect(read('instType=SPOT&instId=BTC-USDT&limit=100')).toBeUndefined();
      expect(read('instId=BTC-USDT&sz=1')).toMatch(/"sz"/);
    });
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
    const c = okx.classify(req('POST', '/api/v5/asset/withdrawal/', '{}'));
    expect(c.action).toBe('withdraw');
    expect(c.rejected).toMatch(/required/);
  });
});
