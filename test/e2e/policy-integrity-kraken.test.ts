/**
 * Issue 10 for Kraken, end to end: a token-mode client through the real gateway to the
 * sandbox. Each attack is denied in Kraken's error shape and the sandbox executes nothing;
 * each is paired with the honest variant, which executes.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Policy } from '../../src/policy/policy-types.js';
import { type Harness, startHarness } from '../gateway/harness.js';
import { markEngine } from '../security/differential.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ exchanges: ['kraken'] });
});
afterAll(() => h.close());

const FORM = 'application/x-www-form-urlencoded';
const JSON_CT = 'application/json';

/** BTC/USD only, 1,000 USD per order, 5 % band: the policy every attack tries to get around. */
const STRICT: Policy = {
  mode: 'enforce',
  actions: ['read', 'trade', 'cancel'],
  symbols: { allow: ['BTC/USD'] },
  maxOrderNotional: 1_000,
  priceBandPercent: 5,
};

let n = 0;
async function client(policy: Policy = STRICT): Promise<string> {
  const issued = await h.issue('kraken', `kraken-integrity-${++n}`, { policy });
  return issued.token;
}

async function call(token: string, method: string, body: string, contentType = FORM) {
  const r = await request(`${h.url}/kraken/0/private/${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
    body,
  });
  const text = await r.body.text();
  return { status: r.statusCode, body: JSON.parse(text) as { error: string[]; result?: unknown } };
}

/** The request is answered as Kraken answers a refusal (HTTP 200, `error` array) naming keywarden's code. */
async function expectDenied(token: string, method: string, body: string, code: RegExp, ct = FORM) {
  const executed = markEngine(h.sandbox.engine);
  const r = await call(token, method, body, ct);
  expect(r.status).toBe(200);
  expect(r.body.error[0]).toMatch(/^E(General|API):/);
  expect(r.body.error.join(' ')).toMatch(code);
  expect(executed()).toEqual({ orders: [], withdrawals: [] });
  return r;
}

async function expectExecuted(token: string, method: string, body: string, orders: number, ct = FORM) {
  const executed = markEngine(h.sandbox.engine);
  const r = await call(token, method, body, ct);
  expect(r.body.error).toEqual([]);
  expect(executed().orders).toHaveLength(orders);
  return executed().orders;
}

describe('kraken #1 decoy fields: AddOrderBatch', () => {
  const batch = (orders: unknown[]) => JSON.stringify({ pair: 'XBTUSD', orders });
  const small = { type: 'buy', ordertype: 'limit', volume: '0.01', price: '60000' };

  it('refuses a per-order pair (Kraken would trade it instead of the batch pair)', async () => {
    const token = await client();
    const r = await expectDenied(
      token,
      'AddOrderBatch',
      batch([small, { ...small, pair: 'SOLUSD', volume: '5', price: '150' }]),
      /request_rejected.*pair/,
      JSON_CT,
    );
    expect(r.body.error[0]).toBe('EGeneral:Invalid arguments');
  });

  it('refuses an empty batch, a market order with a decoy price in a batch, and a form-encoded batch', async () => {
    const token = await client();
    await expectDenied(token, 'AddOrderBatch', batch([]), /request_rejected.*empty batch/, JSON_CT);
    await expectDenied(
      token,
      'AddOrderBatch',
      batch([small, { type: 'buy', ordertype: 'market', volume: '0.5', price: '1' }]),
      /request_rejected.*price/,
      JSON_CT,
    );
    await expectDenied(
      token,
      'AddOrderBatch',
      'pair=XBTUSD&orders%5B0%5D%5Btype%5D=buy&orders%5B0%5D%5Bordertype%5D=market&orders%5B0%5D%5Bvolume%5D=0.5',
      /request_rejected.*JSON/,
    );
  });

  it('positive control: an honest batch on the batch pair executes every order', async () => {
    const token = await client();
    const placed = await expectExecuted(token, 'AddOrderBatch', batch([small, small]), 2, JSON_CT);
    expect(placed.map((o) => [o.symbol, o.side, o.quantity])).toEqual([
      ['BTC/USD', 'buy', 0.01],
      ['BTC/USD', 'buy', 0.01],
    ]);
  });
});

describe('kraken #2 market order notional from a decoy', () => {
  it.each([
    [
      'a price on ordertype=market (the exchange fills at the market)',
      'pair=XBTUSD&type=buy&ordertype=market&volume=0.5&price=1',
      /request_rejected.*price/,
    ],
    [
      'viqc (quote sizing) where Kraken does not read it as quote',
      'pair=XBTUSD&type=buy&ordertype=limit&volume=10&price=60000&oflags=viqc',
      /request_rejected.*viqc/,
    ],
    [
      'a market buy counted at the market (0.5 BTC is over the cap)',
      'pair=XBTUSD&type=buy&ordertype=market&volume=0.5',
      /policy_denied.*maxOrderNotional/,
    ],
  ])('denies %s', async (_what, body, code) => {
    await expectDenied(await client(), 'AddOrder', body, code);
  });

  it('positive control: a market buy under the cap, and a viqc market buy of 500 USD, execute', async () => {
    const token = await client();
    const [o] = await expectExecuted(
      token,
      'AddOrder',
      'pair=XBTUSD&type=buy&ordertype=market&volume=0.01',
      1,
    );
    expect(o).toMatchObject({ symbol: 'BTC/USD', quantity: 0.01, status: 'filled' });
    const [q] = await expectExecuted(
      token,
      'AddOrder',
      'pair=XBTUSD&type=buy&ordertype=market&volume=500&oflags=viqc',
      1,
    );
    expect((q?.quantity ?? 0) * 60000).toBeCloseTo(500, 6);
  });
});

describe('kraken #4 unchecked price fields', () => {
  it('a relative limit price (+5 is not 5 USD) is unevaluable under a cap or band', async () => {
    const token = await client();
    for (const p of ['%2B5', '%235', '5%25', '-5'])
      await expectDenied(
        token,
        'AddOrder',
        `pair=XBTUSD&type=buy&ordertype=limit&volume=1&price=${p}`,
        /policy_denied.*unpriced.*relative price/,
      );
  });

  it('a conditional close price outside the band is denied (close[price]=1 would sell at the market)', async () => {
    const token = await client();
    await expectDenied(
      token,
      'AddOrder',
      'pair=XBTUSD&type=buy&ordertype=limit&volume=0.01&price=60000&close%5Bordertype%5D=limit&close%5Bprice%5D=1',
      /policy_denied.*priceBand.*close\[price\]/,
    );
    await expectDenied(
      token,
      'AddOrder',
      JSON.stringify({
        pair: 'XBTUSD',
        type: 'buy',
        ordertype: 'limit',
        volume: '0.01',
        price: '60000',
        close: { ordertype: 'limit', price: '1' },
      }),
      /policy_denied.*priceBand.*close\[price\]/,
      JSON_CT,
    );
  });

  it('price2 on a plain limit, and a close field Kraken does not document, are refused', async () => {
    const token = await client();
    await expectDenied(
      token,
      'AddOrder',
      'pair=XBTUSD&type=buy&ordertype=limit&volume=0.01&price=60000&price2=1',
      /request_rejected.*price2/,
    );
    await expectDenied(
      token,
      'AddOrder',
      'pair=XBTUSD&type=buy&ordertype=limit&volume=0.01&price=60000&close%5Bvolume%5D=9',
      /request_rejected.*close\[volume\]/,
    );
  });

  it('positive control: a limit buy with a close order inside the band executes both', async () => {
    const token = await client();
    const placed = await expectExecuted(
      token,
      'AddOrder',
      'pair=XBTUSD&type=buy&ordertype=limit&volume=0.01&price=60000&close%5Bordertype%5D=limit&close%5Bprice%5D=61000',
      2,
    );
    placed.sort((a, b) => Number(a.id) - Number(b.id));
    expect(placed.map((o) => [o.side, o.price, o.status])).toEqual([
      ['buy', 60000, 'filled'],
      ['sell', 61000, 'open'],
    ]);
    h.sandbox.engine.cancelOrder('main', { id: placed[1]?.id ?? '' });
  });
});

describe('kraken amends: AmendOrder and EditOrder', () => {
  async function resting(token: string): Promise<string> {
    const r = await call(token, 'AddOrder', 'pair=XBTUSD&type=buy&ordertype=limit&volume=0.01&price=59000');
    expect(r.body.error).toEqual([]);
    return (r.body.result as { txid: string[] }).txid[0] ?? '';
  }
  const open: Policy = { mode: 'enforce', actions: ['read', 'trade', 'cancel'] };

  it('refuses an amend that names a pair or a field AmendOrder does not take, and a relative price under a band', async () => {
    const token = await client({ ...open, priceBandPercent: 5 });
    const txid = await resting(await client(open));
    await expectDenied(
      token,
      'AmendOrder',
      `txid=${txid}&limit_price=59500&pair=SOLUSD`,
      /request_rejected.*pair/,
    );
    await expectDenied(
      token,
      'AmendOrder',
      `txid=${txid}&limit_price=%2B50%25`,
      /policy_denied.*relative limit_price/,
    );
    await expectDenied(token, 'AmendOrder', `limit_price=59500`, /request_rejected.*exactly one/);
    await expectDenied(
      token,
      'EditOrder',
      `txid=${txid}&pair=XBTUSD&price=59500&type=sell`,
      /request_rejected.*type/,
    );
    h.sandbox.engine.cancelOrder('main', { id: (txid.match(/\d+/)?.[0] ?? '').replace(/^0+/, '') });
  });

  it('positive control: an honest AmendOrder replaces the resting order with the new size and price', async () => {
    const token = await client(open);
    const txid = await resting(token);
    const placed = await expectExecuted(
      token,
      'AmendOrder',
      `txid=${txid}&order_qty=0.02&limit_price=59500`,
      1,
    );
    expect(placed[0]).toMatchObject({
      symbol: 'BTC/USD',
      side: 'buy',
      quantity: 0.02,
      price: 59500,
      status: 'open',
    });
    h.sandbox.engine.cancelOrder('main', { id: placed[0]?.id ?? '' });
  });
});

describe('kraken amends are judged against the resting order (read with QueryOrders / OpenOrders)', () => {
  const placeWith = async (token: string, body: string) => {
    const r = await call(token, 'AddOrder', body);
    expect(r.body.error).toEqual([]);
    return (r.body.result as { txid: string[] }).txid[0] ?? '';
  };
  const trader: Policy = { mode: 'enforce', actions: ['read', 'trade', 'cancel'] };

  it('an amend outside the band, over the cap, or of an off-list order is denied; the resting order is unchanged', async () => {
    const maker = await client(trader);
    const btc = await placeWith(maker, 'pair=XBTUSD&type=buy&ordertype=limit&volume=0.01&price=59000');
    const sol = await placeWith(maker, 'pair=SOLUSD&type=buy&ordertype=limit&volume=1&price=140');
    const token = await client();
    await expectDenied(
      token,
      'AmendOrder',
      `txid=${btc}&limit_price=40000`,
      /policy_denied.*priceBand.*limit_price/,
    );
    await expectDenied(token, 'AmendOrder', `txid=${btc}&order_qty=1`, /policy_denied.*maxOrderNotional/);
    await expectDenied(token, 'AmendOrder', `txid=${sol}&limit_price=141`, /policy_denied.*symbols/);
    await expectDenied(
      token,
      'AmendOrder',
      `txid=${btc}&trigger_price=1`,
      /policy_denied.*priceBand.*trigger_price/,
    );
    expect(h.sandbox.engine.openOrders('main').map((o) => [o.symbol, o.price])).toEqual([
      ['BTC/USD', 59000],
      ['SOL/USD', 140],
    ]);
    // Positive control: the same client amends the BTC order inside band and cap.
    const [amended] = await expectExecuted(token, 'AmendOrder', `txid=${btc}&limit_price=59500`, 1);
    expect(amended).toMatchObject({ symbol: 'BTC/USD', side: 'buy', quantity: 0.01, price: 59500 });
    for (const o of h.sandbox.engine.openOrders('main')) h.sandbox.engine.cancelOrder('main', { id: o.id });
  });

  it('an amend by client order id is read through OpenOrders', async () => {
    const maker = await client(trader);
    await placeWith(maker, 'pair=SOLUSD&type=buy&ordertype=limit&volume=1&price=145&cl_ord_id=sol-1');
    await expectDenied(
      await client(),
      'AmendOrder',
      'cl_ord_id=sol-1&limit_price=146',
      /policy_denied.*symbols/,
    );
    await expectExecuted(
      await client({ ...STRICT, symbols: { allow: ['SOL/USD'] } }),
      'AmendOrder',
      'cl_ord_id=sol-1&limit_price=146',
      1,
    );
    for (const o of h.sandbox.engine.openOrders('main')) h.sandbox.engine.cancelOrder('main', { id: o.id });
  });
});

describe('kraken #7 margin and leverage flags', () => {
  it('leverage, reduce_only and settle-position are margin: a spot trade-only policy denies them', async () => {
    const token = await client();
    const base = 'pair=XBTUSD&type=buy&ordertype=limit&volume=0.01&price=60000';
    await expectDenied(token, 'AddOrder', `${base}&leverage=2`, /policy_denied.*action margin/);
    await expectDenied(token, 'AddOrder', `${base}&reduce_only=true`, /policy_denied.*action margin/);
    await expectDenied(
      token,
      'AddOrder',
      'pair=XBTUSD&type=sell&ordertype=settle-position&volume=0&leverage=2',
      /policy_denied.*action margin/,
    );
  });

  it('maxLeverage holds for a policy that allows margin; positive control: within it the order executes', async () => {
    const token = await client({ ...STRICT, actions: ['trade', 'margin'], maxLeverage: 3 });
    const base = 'pair=XBTUSD&type=buy&ordertype=limit&volume=0.01&price=60000';
    await expectDenied(token, 'AddOrder', `${base}&leverage=5`, /policy_denied.*maxLeverage/);
    await expectExecuted(token, 'AddOrder', `${base}&leverage=2`, 1);
    await expectExecuted(await client(), 'AddOrder', base, 1);
  });
});

describe('kraken strict parsing: nothing unparsed rides along', () => {
  it('refuses unknown fields in form and JSON bodies, odd numbers, and a query on a private call', async () => {
    const token = await client();
    const base = 'pair=XBTUSD&type=buy&ordertype=limit&volume=0.01&price=60000';
    await expectDenied(
      token,
      'AddOrder',
      `${base}&asset_class=tokenized_asset`,
      /request_rejected.*asset_class/,
    );
    await expectDenied(token, 'AddOrder', `${base}&starttm=0&foo=1`, /request_rejected.*foo/);
    await expectDenied(
      token,
      'AddOrder',
      '{"pair":"XBTUSD","type":"buy","ordertype":"market","volume":"0.01","oflags":"viqc,zzz"}',
      /request_rejected.*unknown order flag/,
      JSON_CT,
    );
    await expectDenied(token, 'AddOrder', base.replace('0.01', '1e-2'), /request_rejected.*volume/);
    const executed = markEngine(h.sandbox.engine);
    const r = await request(`${h.url}/kraken/0/private/AddOrder?pair=SOLUSD`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': FORM },
      body: base,
    });
    expect(JSON.parse(await r.body.text()).error[0]).toBe('EGeneral:Invalid arguments');
    expect(executed().orders).toEqual([]);
  });
});

describe('kraken: an unmodified CCXT client keeps working through the strict schemas', () => {
  it('createOrders (AddOrderBatch), editOrder (AmendOrder), fetchOrder, cancelOrders (CancelOrderBatch), a cost market buy and a stop-loss', async () => {
    const issued = await h.issue('kraken', `kraken-ccxt-${++n}`, {
      policy: { mode: 'enforce', actions: ['read', 'trade', 'cancel'] },
    });
    const ex = await h.ccxt('kraken', issued.credential);
    await ex.loadMarkets();
    const placed = await ex.createOrders([
      { symbol: 'BTC/USD', type: 'limit', side: 'buy', amount: 0.01, price: 50000 },
      { symbol: 'BTC/USD', type: 'limit', side: 'buy', amount: 0.02, price: 51000 },
    ]);
    expect(placed).toHaveLength(2);
    const id = String(placed[0]?.id);
    await ex.editOrder(id, 'BTC/USD', 'limit', 'buy', 0.015, 50500);
    const after = await ex.fetchOrder(id);
    expect(after).toMatchObject({ amount: 0.015, price: 50500, status: 'open' });
    await ex.cancelOrders([id, String(placed[1]?.id)]);
    expect(h.sandbox.engine.openOrders('main')).toEqual([]);
    const cost = await ex.createOrder('ETH/USD', 'market', 'buy', 300, undefined, { oflags: 'viqc' });
    expect(cost.id).toBeTruthy();
    // A trigger order passes keywarden; the sandbox does not emulate triggers and refuses it itself.
    await expect(
      ex.createOrder('BTC/USD', 'market', 'sell', 0.01, undefined, { stopLossPrice: 50000 }),
    ).rejects.toThrow(/ordertype/);
  });
});
