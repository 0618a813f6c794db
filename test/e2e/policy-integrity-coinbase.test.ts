/**
 * Issue 10, Coinbase: each finding end to end, through the gateway to the sandbox. Every denial
 * is asserted in Coinbase's own error shape and by the sandbox's engine (nothing executed),
 * and paired with the honest variant that does execute.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildJwt, loadSigningKey } from '../../src/exchanges/coinbase/index.js';
import type { Policy } from '../../src/policy/policy-types.js';
import { type Harness, startHarness } from '../gateway/harness.js';
import { markEngine } from '../security/differential.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ exchanges: ['coinbase'] });
});
afterAll(() => h.close());

const V3 = '/api/v3/brokerage';
const ORDERS = `${V3}/orders`;

interface Answer {
  status: number;
  code: string | undefined;
  body: string;
  json: Record<string, unknown>;
}

async function send(auth: string, method: string, path: string, body?: string, query = ''): Promise<Answer> {
  const r = await request(`${h.url}/coinbase${path}${query === '' ? '' : `?${query}`}`, {
    method: method as 'POST',
    headers: { authorization: auth, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body } : {}),
  });
  const text = await r.body.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Coinbase answers auth failures in plain text.
  }
  const code = r.headers['x-keywarden-code'];
  return { status: r.statusCode, code: typeof code === 'string' ? code : undefined, body: text, json };
}

async function client(policy: Policy): Promise<{ token: string; apiKey: string; secret: string }> {
  const issued = await h.issue('coinbase', `cb-${Math.random().toString(36).slice(2)}`, { policy });
  return {
    token: `Bearer ${issued.token}`,
    apiKey: issued.credential.apiKey,
    secret: issued.credential.secret,
  };
}

function order(
  config: Record<string, unknown>,
  extra: Record<string, unknown> = {},
  side = 'BUY',
  product = 'BTC-USD',
) {
  return JSON.stringify({
    client_order_id: `c-${Math.random().toString(36).slice(2)}`,
    product_id: product,
    side,
    order_configuration: config,
    ...extra,
  });
}

/** POST /orders with `order(...)`'s body. */
const place = (token: string, ...args: Parameters<typeof order>): Promise<Answer> =>
  send(token, 'POST', ORDERS, order(...args));

/** The request executed nothing: the denial came from keywarden, in Coinbase's shape, and the engine is unchanged. */
async function expectDenied(
  run: () => Promise<Answer>,
  code: string,
  status = code === 'policy_denied' ? 403 : 400,
) {
  const executed = markEngine(h.sandbox.engine);
  const before = h.sandbox.log.length;
  const r = await run();
  expect(r.code, r.body).toBe(code);
  expect(r.status).toBe(status);
  if (status !== 401) {
    expect(r.json).toMatchObject({
      error: status === 403 ? 'PERMISSION_DENIED' : 'INVALID_ARGUMENT',
      message: expect.stringContaining(code),
    });
  } else expect(r.body).toBe('Unauthorized\n');
  // Only reads may have reached the exchange: market data for the price rules, and the resting
  // order (or convert quote) an amend names.
  const forwarded = h.sandbox.log.slice(before).filter((e) => e.method !== 'GET');
  expect(forwarded).toEqual([]);
  expect(executed()).toEqual({ orders: [], withdrawals: [] });
  return r;
}

async function expectExecuted(run: () => Promise<Answer>, orders = 1) {
  const executed = markEngine(h.sandbox.engine);
  const r = await run();
  expect(r.code, r.body).toBeUndefined();
  expect(r.status, r.body).toBe(200);
  expect(executed().orders, r.body).toHaveLength(orders);
  return r;
}

const capped: Policy = {
  mode: 'enforce',
  actions: ['read', 'trade', 'cancel'],
  symbols: { allow: ['BTC/USD'] },
  maxOrderNotional: 1_000,
  priceBandPercent: 5,
};

describe('finding 2: a market order priced from a decoy', () => {
  it('refuses market_market_ioc with a limit_price; the honest quote-sized order executes', async () => {
    const c = await client(capped);
    await expectDenied(
      () => place(c.token, { market_market_ioc: { base_size: '0.5', limit_price: '1' } }),
      'request_rejected',
    );
    await expectExecuted(() => place(c.token, { market_market_ioc: { quote_size: '500' } }));
  });

  it('refuses base_size and quote_size together; a base-sized order is priced from the market', async () => {
    const c = await client(capped);
    await expectDenied(
      () => place(c.token, { market_market_ioc: { base_size: '0.5', quote_size: '10' } }),
      'request_rejected',
    );
    // 0.5 BTC at 60,000 is 30,000: over the cap now that the notional comes from the market.
    await expectDenied(() => place(c.token, { market_market_ioc: { base_size: '0.5' } }), 'policy_denied');
    await expectExecuted(() => place(c.token, { market_market_ioc: { base_size: '0.01' } }));
  });

  it('refuses decoys beside the order: an unknown field, a second configuration, a query, a duplicated key', async () => {
    const c = await client(capped);
    const honest = { market_market_ioc: { quote_size: '100' } };
    await expectDenied(() => place(c.token, honest, { size: '5' }), 'request_rejected');
    await expectDenied(
      () => place(c.token, { ...honest, limit_limit_gtc: { base_size: '5', limit_price: '60000' } }),
      'request_rejected',
    );
    await expectDenied(
      () => send(c.token, 'POST', ORDERS, order(honest), 'product_id=ETH-USD'),
      'request_rejected',
    );
    const dup = order(honest).replace('"side":"BUY"', '"side":"BUY","side":"SELL"');
    await expectDenied(() => send(c.token, 'POST', ORDERS, dup), 'bad_request');
    await expectExecuted(() => place(c.token, honest));
  });

  it('refuses odd number forms', async () => {
    const c = await client(capped);
    for (const v of ['1e300', '-1', '+5', 'Infinity', '0x10', ' 1']) {
      await expectDenied(() => place(c.token, { market_market_ioc: { quote_size: v } }), 'request_rejected');
    }
  });
});

describe('finding 4: every price field is band-checked', () => {
  it('denies a stop-limit whose stop price is outside the band; a limit inside it executes', async () => {
    const c = await client(capped);
    await expectDenied(
      () =>
        place(c.token, {
          stop_limit_stop_limit_gtc: { base_size: '0.01', limit_price: '60000', stop_price: '1000' },
        }),
      'policy_denied',
    );
    await expectExecuted(() =>
      place(c.token, { limit_limit_gtc: { base_size: '0.01', limit_price: '59500' } }),
    );
  });

  it('denies a scaled order whose max price is outside the band, and an attached bracket outside it', async () => {
    const c = await client(capped);
    await expectDenied(
      () =>
        place(c.token, {
          scaled_limit_gtc: { base_size: '0.01', num_orders: '5', min_price: '59000', max_price: '90000' },
        }),
      'policy_denied',
    );
    await expectDenied(
      () =>
        place(
          c.token,
          { limit_limit_gtc: { base_size: '0.01', limit_price: '59500' } },
          {
            attached_order_configuration: {
              trigger_bracket_gtc: { limit_price: '61000', stop_trigger_price: '100' },
            },
          },
        ),
      'policy_denied',
    );
  });

  it('a limit sell far below the market counts at the market price', async () => {
    const c = await client(capped);
    await expectDenied(
      () => place(c.token, { limit_limit_gtc: { base_size: '0.3', limit_price: '1' } }, {}, 'SELL'),
      'policy_denied',
    );
  });

  it('an edit is judged as the resting order it changes: band and cap hold, the honest edit executes', async () => {
    const c = await client(capped);
    const placed = await expectExecuted(() =>
      place(c.token, { limit_limit_gtc: { base_size: '0.01', limit_price: '58000' } }),
    );
    const id = String((placed.json.success_response as Record<string, unknown>).order_id);
    await expectDenied(
      () =>
        send(
          c.token,
          'POST',
          `${ORDERS}/edit`,
          JSON.stringify({ order_id: id, price: '59000', product_id: 'ETH-USD' }),
        ),
      'request_rejected',
    );
    // 1,000,000 is far outside the 5 % band: denied (once the gateway reads the resting order, by the band itself).
    await expectDenied(
      () => send(c.token, 'POST', `${ORDERS}/edit`, JSON.stringify({ order_id: id, price: '1000000' })),
      'policy_denied',
    );
    // A new size is judged with the resting order's price: 1 BTC at 58,000 is over the 1,000 cap.
    await expectDenied(
      () => send(c.token, 'POST', `${ORDERS}/edit`, JSON.stringify({ order_id: id, size: '1' })),
      'policy_denied',
    );
    expect(h.sandbox.engine.order('main', { id })).toMatchObject({ status: 'open', price: 58000 });
    // Positive control: inside the band and the cap, the same client's edit executes.
    const edited = await send(
      c.token,
      'POST',
      `${ORDERS}/edit`,
      JSON.stringify({ order_id: id, price: '57500' }),
    );
    expect(edited.code, edited.body).toBeUndefined();
    expect(edited.json, edited.body).toMatchObject({ success: true });
    expect(h.sandbox.engine.order('main', { id })?.status).toBe('canceled');
    expect(h.sandbox.engine.openOrders('main').some((o) => o.price === 57500 && o.quantity === 0.01)).toBe(
      true,
    );
  });
});

describe('finding 4: an edit that names only a size', () => {
  it('is band-checked at the resting price it keeps; inside the band it executes', async () => {
    const c = await client(capped);
    const { engine } = h.sandbox;
    const far = engine.placeOrder({
      account: 'main',
      symbol: 'BTC/USD',
      side: 'buy',
      type: 'limit',
      quantity: 0.01,
      price: 50000,
    });
    if (!far.ok) throw new Error(far.error.message);
    await expectDenied(
      () =>
        send(c.token, 'POST', `${ORDERS}/edit`, JSON.stringify({ order_id: far.value.id, size: '0.005' })),
      'policy_denied',
    );
    expect(engine.order('main', { id: far.value.id })).toMatchObject({ status: 'open', quantity: 0.01 });
    const near = engine.placeOrder({
      account: 'main',
      symbol: 'BTC/USD',
      side: 'buy',
      type: 'limit',
      quantity: 0.01,
      price: 59000,
    });
    if (!near.ok) throw new Error(near.error.message);
    const edited = await send(
      c.token,
      'POST',
      `${ORDERS}/edit`,
      JSON.stringify({ order_id: near.value.id, size: '0.005' }),
    );
    expect(edited.code, edited.body).toBeUndefined();
    expect(engine.openOrders('main').some((o) => o.price === 59000 && o.quantity === 0.005)).toBe(true);
  });
});

describe('finding 6: convert is a trade with an order', () => {
  const convertPolicy = (allow: string[]): Policy => ({
    mode: 'enforce',
    actions: ['read', 'trade', 'convert'],
    symbols: { allow },
  });

  it('a trade-only policy does not convert; an off-list pair is denied; an allowed pair converts', async () => {
    const tradeOnly = await client(capped);
    const quote = JSON.stringify({ from_account: 'USD', to_account: 'ETH', amount: '100' });
    await expectDenied(() => send(tradeOnly.token, 'POST', `${V3}/convert/quote`, quote), 'policy_denied');
    const btcOnly = await client(convertPolicy(['BTC/USD']));
    await expectDenied(() => send(btcOnly.token, 'POST', `${V3}/convert/quote`, quote), 'policy_denied');
    await expectDenied(
      () =>
        send(
          btcOnly.token,
          'POST',
          `${V3}/convert/quote`,
          JSON.stringify({ from_account: 'USD', to_account: 'BTC', amount: '100', to_amount: '1' }),
        ),
      'request_rejected',
    );

    // A quote made by another client of the same key: committing it is judged by the pair too.
    const open = await client(convertPolicy(['ETH/USD', 'BTC/USD']));
    const q = await send(open.token, 'POST', `${V3}/convert/quote`, quote);
    expect(q.status, q.body).toBe(200);
    const tradeId = String((q.json.trade as Record<string, unknown>).id);
    const commit = JSON.stringify({ from_account: 'USD', to_account: 'ETH' });
    await expectDenied(
      () => send(btcOnly.token, 'POST', `${V3}/convert/trade/${tradeId}`, commit),
      'policy_denied',
    );
    await expectDenied(
      () => send(tradeOnly.token, 'POST', `${V3}/convert/trade/${tradeId}`, commit),
      'policy_denied',
    );
    const done = await expectExecuted(() =>
      send(open.token, 'POST', `${V3}/convert/trade/${tradeId}`, commit),
    );
    expect(done.json).toMatchObject({ trade: { status: 'TRADE_STATUS_COMPLETED' } });
    expect(h.sandbox.engine.closedOrders('main').at(-1)).toMatchObject({ symbol: 'ETH/USD', side: 'buy' });
  });

  it('under a notional cap a commit is judged by the size its quote fixed', async () => {
    const open = await client(convertPolicy(['ETH/USD']));
    const q = await send(
      open.token,
      'POST',
      `${V3}/convert/quote`,
      JSON.stringify({ from_account: 'USD', to_account: 'ETH', amount: '50000' }),
    );
    const tradeId = String((q.json.trade as Record<string, unknown>).id);
    const capped1k = await client({ ...convertPolicy(['ETH/USD']), maxOrderNotional: 1_000 });
    await expectDenied(
      () =>
        send(
          capped1k.token,
          'POST',
          `${V3}/convert/trade/${tradeId}`,
          JSON.stringify({ from_account: 'USD', to_account: 'ETH' }),
        ),
      'policy_denied',
    );
    await expectDenied(
      () =>
        send(
          capped1k.token,
          'POST',
          `${V3}/convert/quote`,
          JSON.stringify({ from_account: 'USD', to_account: 'ETH', amount: '50000' }),
        ),
      'policy_denied',
    );
    // Positive control: a small quote commits under the same cap (its size read back from the quote).
    const small = await send(
      open.token,
      'POST',
      `${V3}/convert/quote`,
      JSON.stringify({ from_account: 'USD', to_account: 'ETH', amount: '300' }),
    );
    const smallId = String((small.json.trade as Record<string, unknown>).id);
    await expectExecuted(() =>
      send(
        capped1k.token,
        'POST',
        `${V3}/convert/trade/${smallId}`,
        JSON.stringify({ from_account: 'USD', to_account: 'ETH' }),
      ),
    );
  });
});

describe('finding 7: leverage and margin_type make a margin trade', () => {
  it('a spot trade-only policy denies them; the same order without them executes', async () => {
    const c = await client(capped);
    for (const extra of [
      { leverage: '3' },
      { margin_type: 'CROSS' },
      { leverage: '1', margin_type: 'ISOLATED' },
    ]) {
      await expectDenied(
        () => place(c.token, { market_market_ioc: { quote_size: '100' } }, extra),
        'policy_denied',
      );
    }
    await expectExecuted(() => place(c.token, { market_market_ioc: { quote_size: '100' } }));
  });

  it('a margin policy holds its maxLeverage', async () => {
    const c = await client({ mode: 'enforce', actions: ['trade', 'margin'], maxLeverage: 2 });
    await expectDenied(
      () => place(c.token, { market_market_ioc: { quote_size: '100' } }, { leverage: '3' }),
      'policy_denied',
    );
    await expectExecuted(() =>
      place(c.token, { market_market_ioc: { quote_size: '100' } }, { leverage: '2' }),
    );
  });
});

describe('finding 9: one Coinbase JWT places one order', () => {
  function jwtFor(c: { apiKey: string; secret: string }, method: string, path: string): string {
    const key = loadSigningKey({ apiKey: c.apiKey, secret: c.secret });
    if (key.kind === 'hmac') throw new Error('expected a CDP key');
    const host = new URL(h.url).host;
    return `Bearer ${buildJwt({ apiKey: c.apiKey, key, uri: `${method} ${host}/coinbase${path}`, nowSeconds: Math.floor(Date.now() / 1000) })}`;
  }

  it('refuses a second request with the same JWT, even with another body; a fresh JWT executes', async () => {
    const c = await client({
      mode: 'enforce',
      actions: ['read', 'trade'],
      symbols: { allow: ['BTC/USD', 'ETH/USD'] },
    });
    const jwt = jwtFor(c, 'POST', ORDERS);
    await expectExecuted(() => place(jwt, { market_market_ioc: { quote_size: '100' } }));
    await expectDenied(
      () => place(jwt, { market_market_ioc: { quote_size: '100' } }, {}, 'BUY', 'ETH-USD'),
      'auth_replayed',
      401,
    );
    await expectDenied(() => place(jwt, { market_market_ioc: { quote_size: '100' } }), 'auth_replayed', 401);
    await expectExecuted(() =>
      send(
        jwtFor(c, 'POST', ORDERS),
        'POST',
        ORDERS,
        order({ market_market_ioc: { quote_size: '100' } }, {}, 'BUY', 'ETH-USD'),
      ),
    );
  });
});
