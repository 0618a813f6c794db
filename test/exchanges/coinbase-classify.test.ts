import { describe, expect, it } from 'vitest';
import { coinbase } from '../../src/exchanges/coinbase/index.js';
import { limitNotional, post, reply, req } from './helpers.js';

const ORDERS = '/api/v3/brokerage/orders';

function order(
  config: Record<string, unknown>,
  extra: Record<string, unknown> = {},
  side = 'BUY',
  product = 'BTC-USD',
) {
  return JSON.stringify({
    client_order_id: 'ccxt-1',
    product_id: product,
    side,
    order_configuration: config,
    ...extra,
  });
}

const classify = (body: string, path = ORDERS) => coinbase.classify(post(path, body));

describe('coinbase order intents by configuration', () => {
  it('reads market_market_ioc quote_size as a market-priced quote size', () => {
    const c = classify(order({ market_market_ioc: { quote_size: '25.5' } }));
    expect(c.rejected).toBeUndefined();
    expect(c.orders).toEqual([
      {
        rawSymbol: 'BTC-USD',
        symbol: 'BTC/USD',
        market: 'spot',
        side: 'buy',
        type: 'market',
        pricing: 'market',
        prices: [],
        quoteQuantity: 25.5,
      },
    ]);
  });

  it('reads market_market_ioc base_size as a base quantity, sells too', () => {
    const c = classify(order({ market_market_ioc: { base_size: '0.5' } }, {}, 'SELL', 'ETH-USDT'));
    expect(c.orders[0]).toMatchObject({ symbol: 'ETH/USDT', side: 'sell', pricing: 'market', quantity: 0.5 });
    expect(c.orders[0]?.quoteQuantity).toBeUndefined();
  });

  it('refuses a market sell sized in quote (Coinbase sizes sells in base)', () => {
    expect(classify(order({ market_market_ioc: { quote_size: '10' } }, {}, 'SELL')).rejected).toMatch(
      /base_size/,
    );
  });

  it('reads stablecoin conversions as their pair (USDC -> USD sells USDC)', () => {
    const c = classify(
      '{"from_account":"USDC","to_account":"USD","amount":"100"}',
      '/api/v3/brokerage/convert/quote',
    );
    expect(c.orders[0]).toMatchObject({ symbol: 'USDC/USD', side: 'sell', quantity: 100 });
    const py = classify(
      '{"from_account":"USD","to_account":"PYUSD","amount":"5"}',
      '/api/v3/brokerage/convert/quote',
    );
    expect(py.orders[0]).toMatchObject({ symbol: 'PYUSD/USD', side: 'buy', quoteQuantity: 5 });
  });

  it('refuses a market order with a limit price, with both sizes, or with none (finding 2)', () => {
    for (const detail of [
      { base_size: '0.5', limit_price: '1' },
      { base_size: '0.5', quote_size: '10' },
      {},
      { quote_size: '10', post_only: false },
    ]) {
      const c = classify(order({ market_market_ioc: detail }));
      expect(c.rejected, JSON.stringify(detail)).toBeDefined();
      expect(c.action).toBe('trade');
    }
  });

  it('reads limit configurations: the limit price, every price by name', () => {
    for (const key of ['limit_limit_gtc', 'limit_limit_fok', 'sor_limit_ioc']) {
      const detail: Record<string, unknown> = { base_size: '0.1', limit_price: '50000' };
      if (key === 'limit_limit_gtc') detail.post_only = false;
      const c = classify(order({ [key]: detail }));
      expect(c.rejected, key).toBeUndefined();
      expect(c.orders[0]).toMatchObject({ type: 'limit', pricing: 'limit', quantity: 0.1, price: 50000 });
      expect(c.orders[0]?.prices).toEqual([{ field: 'limit_price', value: 50000 }]);
      expect(limitNotional(c.orders[0])).toBe(5000);
    }
    const gtd = classify(
      order({ limit_limit_gtd: { base_size: '1', limit_price: '10', end_time: '2026-12-31T00:00:00Z' } }),
    );
    expect(gtd.orders[0]).toMatchObject({ type: 'limit', price: 10 });
  });

  it('band-checks every price of stop, bracket, TWAP and scaled configurations (finding 4)', () => {
    const stop = classify(
      order({
        stop_limit_stop_limit_gtc: {
          base_size: '1',
          limit_price: '10',
          stop_price: '11',
          stop_direction: 'STOP_DIRECTION_STOP_DOWN',
        },
      }),
    );
    expect(stop.orders[0]).toMatchObject({ type: 'stop_limit', quantity: 1, price: 10 });
    expect(stop.orders[0]?.prices).toEqual([
      { field: 'limit_price', value: 10 },
      { field: 'stop_price', value: 11 },
    ]);
    const bracket = classify(
      order({ trigger_bracket_gtc: { base_size: '1', limit_price: '10', stop_trigger_price: '9' } }),
    );
    expect(bracket.orders[0]?.prices).toContainEqual({ field: 'stop_trigger_price', value: 9 });
    const twap = classify(
      order({
        twap_limit_gtd: {
          base_size: '1',
          limit_price: '12',
          start_time: '2026-12-01T00:00:00Z',
          end_time: '2026-12-02T00:00:00Z',
          number_buckets: '10',
        },
      }),
    );
    expect(twap.orders[0]).toMatchObject({ type: 'twap', price: 12 });
    const scaled = classify(
      order({ scaled_limit_gtc: { base_size: '1', num_orders: '5', min_price: '100', max_price: '90000' } }),
    );
    expect(scaled.rejected).toBeUndefined();
    expect(scaled.orders[0]).toMatchObject({ type: 'scaled', price: 90000 });
    expect(scaled.orders[0]?.prices).toEqual([
      { field: 'max_price', value: 90000 },
      { field: 'min_price', value: 100 },
    ]);
    const attached = classify(
      order(
        { limit_limit_gtc: { base_size: '1', limit_price: '10' } },
        {
          attached_order_configuration: {
            trigger_bracket_gtc: { limit_price: '20', stop_trigger_price: '5' },
          },
        },
      ),
    );
    expect(attached.orders[0]?.prices).toEqual([
      { field: 'limit_price', value: 10 },
      { field: 'attached.limit_price', value: 20 },
      { field: 'attached.stop_trigger_price', value: 5 },
    ]);
  });

  it('refuses a field a configuration does not use, or quote sizes outside market orders', () => {
    for (const config of [
      { limit_limit_gtc: { base_size: '1', limit_price: '1', stop_price: '2' } },
      { limit_limit_gtc: { quote_size: '100', limit_price: '1' } },
      { limit_limit_fok: { base_size: '1', limit_price: '1', post_only: true } },
      { stop_limit_stop_limit_gtc: { base_size: '1', limit_price: '1' } },
      { scaled_limit_gtc: { base_size: '1', num_orders: '2', min_price: '1', max_price: '2', orders: [] } },
      { trigger_bracket_gtc: { base_size: '1', limit_price: '1', stop_trigger_price: '1', end_time: 'x' } },
    ]) {
      expect(classify(order(config)).rejected, JSON.stringify(config)).toBeDefined();
    }
  });

  it('refuses two configurations, an unknown one, and an empty one', () => {
    for (const config of [
      { market_market_ioc: { quote_size: '1' }, limit_limit_gtc: { base_size: '9', limit_price: '9' } },
      { market_market_ioc_v2: { quote_size: '1' } },
      {},
      { __proto__: { quote_size: '1' } },
    ]) {
      expect(classify(order(config)).rejected).toBeDefined();
    }
    expect(classify(order({ market_market_ioc: { quote_size: '1' } })).rejected).toBeUndefined();
  });

  it('refuses unknown and decoy top-level fields (a batch, a second product, a size beside the configuration)', () => {
    for (const extra of [
      { orders: [] },
      { size: '100' },
      { products: ['ETH-USD'] },
      { retail_portfolio_id: 'p' },
      { order_configuration_2: {} },
    ]) {
      const c = classify(order({ market_market_ioc: { quote_size: '10' } }, extra));
      expect(c.rejected, JSON.stringify(extra)).toMatch(/not accepted/);
    }
  });

  it('refuses __proto__ keys at any level (JSON.parse keeps them as own fields)', () => {
    const base = order({ market_market_ioc: { quote_size: '1' } });
    expect(
      classify(base.replace('{"client_order_id"', '{"__proto__":{"side":"SELL"},"client_order_id"')).rejected,
    ).toMatch(/__proto__/);
    expect(
      classify(base.replace('{"quote_size":"1"}', '{"quote_size":"1","__proto__":{"base_size":"9"}}'))
        .rejected,
    ).toMatch(/__proto__/);
  });

  it('refuses numbers that are not plain positive decimals', () => {
    for (const v of ['1e300', '-1', '+5', '5%', 'Infinity', '0x10', '0', '00.5', 10]) {
      const c = classify(order({ market_market_ioc: { quote_size: v } }));
      expect(c.rejected, String(v)).toBeDefined();
    }
  });

  it('refuses sides, products and encodings Coinbase would read differently', () => {
    expect(classify(order({ market_market_ioc: { quote_size: '1' } }, {}, 'buy')).rejected).toBeDefined();
    expect(
      classify(order({ market_market_ioc: { quote_size: '1' } }, {}, 'BUY', 'BTC-PERP-INTX')).rejected,
    ).toMatch(/spot/);
    expect(
      classify(order({ market_market_ioc: { quote_size: '1' } }, {}, 'BUY', 'BIT-31JAN25-CDE')).rejected,
    ).toBeDefined();
    expect(
      classify(order({ market_market_ioc: { quote_size: '1' } }, {}, 'BUY', 'BTC-PERP')).rejected,
    ).toBeDefined();
    const withQuery = coinbase.classify(
      req('POST', ORDERS, order({ market_market_ioc: { quote_size: '1' } }), 'product_id=ETH-USD'),
    );
    expect(withQuery.rejected).toMatch(/query/);
  });

  it('reads leverage and margin_type as a margin trade (finding 7)', () => {
    const lev = classify(
      order({ market_market_ioc: { quote_size: '10' } }, { leverage: '3', margin_type: 'CROSS' }),
    );
    expect(lev).toMatchObject({ action: 'margin', leverage: 3 });
    expect(lev.orders[0]).toMatchObject({ symbol: 'BTC/USD', leverage: 3 });
    const mode = classify(order({ market_market_ioc: { quote_size: '10' } }, { margin_type: 'ISOLATED' }));
    expect(mode.action).toBe('margin');
    expect(
      classify(order({ market_market_ioc: { quote_size: '10' } }, { margin_type: 'PORTFOLIO' })).rejected,
    ).toBeDefined();
  });

  it('reads a preview like an order, without a client order id', () => {
    const p = classify(
      JSON.stringify({
        product_id: 'BTC-USD',
        side: 'SELL',
        order_configuration: { market_market_ioc: { base_size: '1' } },
      }),
      `${ORDERS}/preview`,
    );
    expect(p.orders[0]).toMatchObject({ side: 'sell', quantity: 1 });
  });
});

describe('coinbase edits', () => {
  it('reads an edit as an amend of the named order, with its new price and size', () => {
    for (const path of [`${ORDERS}/edit`, `${ORDERS}/edit_preview`]) {
      const c = classify('{"order_id":"o-1","price":"100","size":"2"}', path);
      expect(c.action).toBe('trade');
      expect(c.orders[0]).toMatchObject({
        amend: true,
        orderRef: { orderId: 'o-1' },
        price: 100,
        quantity: 2,
      });
      expect(c.orders[0]?.symbol).toBeUndefined();
    }
    expect(
      classify('{"order_id":"o-1","price":"100","side":"BUY"}', `${ORDERS}/edit`).rejected,
    ).toBeDefined();
    expect(classify('{"order_id":"o-1"}', `${ORDERS}/edit`).rejected).toBeDefined();
    expect(classify('{"order_id":"o-1","stop_price":"5"}', `${ORDERS}/edit`).rejected).toBeDefined();
    // A size-only edit keeps the resting price: no price list, so the one read back is band-checked.
    expect(classify('{"order_id":"o-1","size":"2"}', `${ORDERS}/edit`).orders[0]?.prices).toBeUndefined();
    expect(classify('{"order_id":"o-1","price":"1e9999"}', `${ORDERS}/edit`).rejected).toBeDefined();
  });

  it('looks the resting order up and reads its symbol, side, remaining size and price', () => {
    const c = classify('{"order_id":"o/1","price":"100"}', `${ORDERS}/edit`);
    const r = coinbase.restingOrderRequest?.(c.orders[0] ?? {}, post(`${ORDERS}/edit`, '{}'));
    expect(r).toMatchObject({ method: 'GET', path: '/api/v3/brokerage/orders/historical/o%2F1', body: '' });
    const resting = coinbase.parseRestingOrder?.(
      reply({
        order: {
          order_id: 'o/1',
          product_id: 'ETH-USD',
          side: 'SELL',
          status: 'OPEN',
          filled_size: '0.25',
          order_configuration: { limit_limit_gtc: { base_size: '1', limit_price: '3100', post_only: false } },
        },
      }),
    );
    expect(resting).toEqual({
      symbol: 'ETH/USD',
      rawSymbol: 'ETH-USD',
      market: 'spot',
      side: 'sell',
      quantity: 0.75,
      price: 3100,
    });
    expect(
      coinbase.parseRestingOrder?.(
        reply({ order: { product_id: 'ETH-USD', side: 'SELL', status: 'FILLED' } }),
      ),
    ).toBeUndefined();
    expect(coinbase.parseRestingOrder?.(reply({}, 404))).toBeUndefined();
  });
});

describe('coinbase convert (finding 6)', () => {
  it('reads a quote as a convert with the pair and amount', () => {
    const buy = classify(
      '{"from_account":"USD","to_account":"BTC","amount":"100"}',
      '/api/v3/brokerage/convert/quote',
    );
    expect(buy.action).toBe('convert');
    expect(buy.orders).toEqual([
      expect.objectContaining({ symbol: 'BTC/USD', side: 'buy', quoteQuantity: 100, pricing: 'market' }),
    ]);
    const sell = classify(
      '{"from_account":"ETH","to_account":"USD","amount":"2"}',
      '/api/v3/brokerage/convert/quote',
    );
    expect(sell.orders[0]).toMatchObject({ symbol: 'ETH/USD', side: 'sell', quantity: 2 });
  });

  it('reads a commit as a convert of the pair that names its quote', () => {
    const c = classify('{"from_account":"USD","to_account":"BTC"}', '/api/v3/brokerage/convert/trade/q-1');
    expect(c.action).toBe('convert');
    expect(c.orders[0]).toMatchObject({
      symbol: 'BTC/USD',
      side: 'buy',
      amend: true,
      orderRef: { orderId: 'q-1' },
    });
    expect(c.orders[0]?.quoteQuantity).toBeUndefined();
    const r = coinbase.restingOrderRequest?.(
      c.orders[0] ?? {},
      post('/api/v3/brokerage/convert/trade/q-1', '{"from_account":"USD","to_account":"BTC"}'),
    );
    expect(r).toMatchObject({
      path: '/api/v3/brokerage/convert/trade/q-1',
      query: 'from_account=USD&to_account=BTC',
    });
    const resting = coinbase.parseRestingOrder?.(
      reply({
        trade: {
          user_entered_amount: { value: '100', currency: 'USD' },
          amount: { value: '0.002', currency: 'BTC' },
        },
      }),
    );
    expect(resting).toEqual({ symbol: 'BTC/USD', market: 'spot', side: 'buy', quantity: 0.002 });
  });

  it('refuses extra fields, account ids for currencies, a pair of one asset', () => {
    for (const body of [
      '{"from_account":"USD","to_account":"BTC","amount":"1","to_amount":"5"}',
      '{"from_account":"8bfc20d7-f7c6-4422-bf07-8243ca4169fe","to_account":"BTC","amount":"1"}',
      '{"from_account":"USD","to_account":"usd","amount":"1"}',
      '{"from_account":"USD","to_account":"BTC"}',
      '{"from_account":"BTC","to_account":"ETH","amount":"1"}',
    ]) {
      expect(classify(body, '/api/v3/brokerage/convert/quote').rejected, body).toBeDefined();
    }
    expect(
      classify('{"from_account":"USD","to_account":"BTC","amount":"1"}', '/api/v3/brokerage/convert/trade/q')
        .rejected,
    ).toBeDefined();
  });
});

describe('coinbase cancels and funds', () => {
  it('refuses an empty, oversized or decorated batch_cancel', () => {
    const path = `${ORDERS}/batch_cancel`;
    const ok = classify('{"order_ids":["a","b"]}', path);
    expect(ok.action).toBe('cancel');
    expect(ok.rejected).toBeUndefined();
    expect(classify('{"order_ids":[]}', path).rejected).toBeDefined();
    expect(
      classify(JSON.stringify({ order_ids: Array.from({ length: 101 }, (_, i) => `o${i}`) }), path).rejected,
    ).toBeDefined();
    expect(classify('{"order_ids":["a"],"product_id":"BTC-USD"}', path).rejected).toBeDefined();
  });

  it('refuses sends with fields keywarden does not read, and money requests', () => {
    const path = '/v2/accounts/a-1/transactions';
    expect(
      classify('{"type":"send","to":"bc1q","amount":"0.1","currency":"BTC","travel_rule":{}}', path).rejected,
    ).toBeDefined();
    expect(
      classify('{"type":"request","to":"x@y.z","amount":"1","currency":"BTC"}', path).rejected,
    ).toBeDefined();
    expect(
      classify('{"type":"send","to":"bc1q","amount":"1e3","currency":"BTC"}', path).rejected,
    ).toBeDefined();
    expect(
      classify('{"type":"send","to":"bc1q","amount":"0.1","currency":"BTC","idem":"i-1"}', path),
    ).toMatchObject({
      action: 'withdraw',
      withdrawal: { coin: 'BTC', amount: 0.1, address: 'bc1q' },
    });
  });

  it('refuses a malformed convert trade id and deposits with fields keywarden does not read', () => {
    const commit = '{"from_account":"USD","to_account":"BTC"}';
    expect(classify(commit, '/api/v3/brokerage/convert/trade/%E0%A4%A').rejected).toMatch(/trade id/);
    const path = '/v2/accounts/a-1/deposits';
    expect(classify('{"amount":"10","currency":"USD","payment_method":"pm"}', path).rejected).toBeUndefined();
    expect(
      classify('{"amount":"10","currency":"USD","payment_method":"pm","to":"x"}', path).rejected,
    ).toBeDefined();
    expect(classify('{"x":1}', `${path}/d-1/commit`).rejected).toBeDefined();
  });

  it('refuses move_funds with extra fields', () => {
    const path = '/api/v3/brokerage/portfolios/move_funds';
    expect(
      classify(
        '{"funds":{"value":"5","currency":"USD","fee":"1"},"source_portfolio_uuid":"a","target_portfolio_uuid":"b"}',
        path,
      ).rejected,
    ).toBeDefined();
    expect(
      classify(
        '{"funds":{"value":"5","currency":"USD"},"source_portfolio_uuid":"a","target_portfolio_uuid":"b","x":1}',
        path,
      ).rejected,
    ).toBeDefined();
  });

  it('refuses close_position: Coinbase derivatives are not supported', () => {
    expect(
      classify('{"client_order_id":"c","product_id":"BTC-PERP-INTX","size":"1"}', `${ORDERS}/close_position`)
        .rejected,
    ).toMatch(/futures/);
  });
});
