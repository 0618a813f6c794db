/**
 * Issue 10, OKX: every finding end to end through the gateway to the sandbox. Each attack is
 * denied in OKX's error shape and the sandbox executed nothing (its orders are unchanged);
 * each is paired with the honest variant, which executes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Credential, ExchangeRequest } from '../../src/exchanges/adapter.js';
import type { Policy } from '../../src/policy/policy-types.js';
import { type Harness, startHarness } from '../gateway/harness.js';
import { type Executed, markEngine } from '../security/differential.js';
import { type OkxAnswer, okxCall, okxPost, okxSigned, sendOkx } from './okx-wire.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ exchanges: ['okx'] });
});
afterAll(() => h.close());

let clients = 0;
async function bot(policy: Partial<Policy>): Promise<Credential> {
  const issued = await h.issue('okx', `okx-integrity-${++clients}`, {
    policy: { mode: 'enforce', actions: ['public', 'read', 'trade', 'cancel'], ...policy },
  });
  return issued.credential;
}

/** Send, and what the sandbox executed meanwhile. */
async function run(
  cred: Credential,
  request: ExchangeRequest,
): Promise<{ answer: OkxAnswer; executed: Executed }> {
  const since = markEngine(h.sandbox.engine);
  const answer = await okxCall(h.url, cred, request);
  return { answer, executed: since() };
}

/** Denied by keywarden with `code`, in OKX's shape, and nothing executed. */
async function expectDenied(cred: Credential, request: ExchangeRequest, code: string, reason?: RegExp) {
  const log = h.sandbox.log.length;
  const { answer, executed } = await run(cred, request);
  expect(answer.keywarden, answer.json.msg).toBe(code);
  expect(answer.json).toMatchObject({ code: expect.stringMatching(/^5\d{4}$/), data: [] });
  expect(answer.json.msg).toContain(`keywarden denied [${code}]`);
  if (reason) expect(answer.json.msg).toMatch(reason);
  expect(executed).toEqual({ orders: [], withdrawals: [] });
  // Never forwarded: the sandbox saw no request that changes anything (only public market data
  // for the price rules, and the gateway's own read of the order an amend changes).
  const seen = h.sandbox.log.slice(log).filter((l) => l.method !== 'GET');
  expect(seen.map((l) => `${l.method} ${l.path}`)).toEqual([]);
}

/** Forwarded and executed by the sandbox: returns the orders it placed. */
async function expectExecuted(cred: Credential, request: ExchangeRequest) {
  const { answer, executed } = await run(cred, request);
  expect(answer.keywarden, answer.json.msg).toBeUndefined();
  expect(answer.json.code, JSON.stringify(answer.json)).toBe('0');
  expect(executed.orders.length).toBeGreaterThan(0);
  return executed.orders;
}

const ORDER = '/api/v5/trade/order';
const BATCH = '/api/v5/trade/batch-orders';
const limitBuy = {
  instId: 'BTC-USDT',
  tdMode: 'cash',
  side: 'buy',
  ordType: 'limit',
  px: '59000',
  sz: '0.01',
};
const marketBuy = {
  instId: 'BTC-USDT',
  tdMode: 'cash',
  side: 'buy',
  ordType: 'market',
  sz: '0.01',
  tgtCcy: 'base_ccy',
};
const capped: Partial<Policy> = {
  symbols: { allow: ['BTC/USDT'] },
  maxOrderNotional: 1_000,
  priceBandPercent: 5,
};

describe('#1 decoy fields: nothing keywarden did not read is forwarded', () => {
  it('refuses an unknown field, a batch array on the single-order endpoint, an empty batch and a POST query', async () => {
    const cred = await bot(capped);
    const decoy = { ...limitBuy, request: [{ ...limitBuy, instId: 'ETH-USDT' }] };
    await expectDenied(cred, okxPost(ORDER, decoy), 'request_rejected', /"request"/);
    await expectDenied(
      cred,
      okxPost(ORDER, [limitBuy, { ...limitBuy, instId: 'ETH-USDT' }]),
      'request_rejected',
    );
    await expectDenied(cred, okxPost(BATCH, []), 'request_rejected', /empty/);
    await expectDenied(cred, okxPost(ORDER, limitBuy, 'instId=ETH-USDT'), 'request_rejected', /query/);
    // Deprecated top-level TP/SL fields OKX still reads on place-order.
    await expectDenied(
      cred,
      okxPost(ORDER, { ...limitBuy, slTriggerPx: '1', slOrdPx: '-1' }),
      'request_rejected',
    );
    const [placed] = await expectExecuted(cred, okxPost(ORDER, limitBuy));
    expect(placed).toMatchObject({ symbol: 'BTC/USDT', side: 'buy', quantity: 0.01, price: 59000 });
  });
});

describe('#2 market orders are priced from the market, never from a decoy price', () => {
  it('refuses a px on a market order; the honest market order is counted at the ticker', async () => {
    const cred = await bot(capped);
    await expectDenied(
      cred,
      okxPost(BATCH, [{ ...marketBuy, sz: '0.5', px: '1' }]),
      'request_rejected',
      /"px"/,
    );
    // 0.5 BTC at 60,000 (+ slippage) is over the 1,000 cap, whatever the request says.
    await expectDenied(
      cred,
      okxPost(BATCH, [{ ...marketBuy, sz: '0.5' }]),
      'policy_denied',
      /maxOrderNotional/,
    );
    const [placed] = await expectExecuted(cred, okxPost(BATCH, [marketBuy]));
    expect(placed).toMatchObject({ symbol: 'BTC/USDT', type: 'market', quantity: 0.01 });
  });
});

describe('#4 every price and size field is checked: amends, algo orders, attached TP/SL', () => {
  const resting = () => {
    const placed = h.sandbox.engine.placeOrder({
      account: 'main',
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'limit',
      quantity: 0.01,
      price: 58_000,
    });
    if (!placed.ok) throw new Error(placed.error.message);
    return placed.value.id;
  };

  it('bands amend-order newPx and amend-batch-orders; the in-band amend executes', async () => {
    const cred = await bot({ priceBandPercent: 5 });
    const id = resting();
    const amend = (newPx: string) => ({ instId: 'BTC-USDT', ordId: id, newPx });
    await expectDenied(cred, okxPost('/api/v5/trade/amend-order', amend('70000')), 'policy_denied', /newPx/);
    await expectDenied(
      cred,
      okxPost('/api/v5/trade/amend-batch-orders', [amend('59000'), amend('90000')]),
      'policy_denied',
      /priceBand/,
    );
    expect(h.sandbox.engine.order('main', { id })?.status).toBe('open');
    const [amended] = await expectExecuted(cred, okxPost('/api/v5/trade/amend-order', amend('59500')));
    expect(amended).toMatchObject({ symbol: 'BTC/USDT', side: 'buy', price: 59_500 });
  });

  it('an amend is judged as a new order of the resting order: its side and price, the new size', async () => {
    const cred = await bot({ maxOrderNotional: 1_000 });
    const id = resting();
    // No price in the amend: the gateway reads the resting order (a buy at 58,000).
    const amend = (newSz: string) => ({ instId: 'BTC-USDT', ordId: id, newSz });
    await expectDenied(
      cred,
      okxPost('/api/v5/trade/amend-order', amend('1')),
      'policy_denied',
      /maxOrderNotional/,
    );
    const [amended] = await expectExecuted(cred, okxPost('/api/v5/trade/amend-order', amend('0.015')));
    expect(amended).toMatchObject({ side: 'buy', quantity: 0.015, price: 58_000 });
  });

  it('refuses an amend whose instrument is not that of the resting order', async () => {
    const cred = await bot({ symbols: { allow: ['ETH/USDT'] } });
    const id = resting();
    await expectDenied(
      cred,
      okxPost('/api/v5/trade/amend-order', { instId: 'ETH-USDT', ordId: id, newSz: '0.5' }),
      'request_rejected',
      /BTC\/USDT/,
    );
  });

  it('bands order-algo orderPx, triggerPx, tpOrdPx and slOrdPx; a -1 order price is a market order', async () => {
    const cred = await bot(capped);
    const algo = { instId: 'BTC-USDT', tdMode: 'cash', side: 'buy', sz: '0.01', tgtCcy: 'base_ccy' };
    const path = '/api/v5/trade/order-algo';
    await expectDenied(
      cred,
      okxPost(path, { ...algo, ordType: 'trigger', triggerPx: '60000', orderPx: '90000' }),
      'policy_denied',
      /orderPx/,
    );
    await expectDenied(
      cred,
      okxPost(path, { ...algo, ordType: 'trigger', triggerPx: '90000', orderPx: '-1' }),
      'policy_denied',
      /triggerPx/,
    );
    await expectDenied(
      cred,
      okxPost(path, { ...algo, ordType: 'conditional', slTriggerPx: '59000', slOrdPx: '80000' }),
      'policy_denied',
      /slOrdPx/,
    );
    await expectDenied(
      cred,
      okxPost(path, {
        ...algo,
        ordType: 'oco',
        tpTriggerPx: '61000',
        tpOrdPx: '85000',
        slTriggerPx: '59000',
        slOrdPx: '-1',
      }),
      'policy_denied',
      /tpOrdPx/,
    );
    // 0.5 BTC at the market: over the cap even though no price field says so.
    await expectDenied(
      cred,
      okxPost(path, { ...algo, sz: '0.5', ordType: 'trigger', triggerPx: '60000', orderPx: '-1' }),
      'policy_denied',
      /maxOrderNotional/,
    );
    const [placed] = await expectExecuted(
      cred,
      okxPost(path, { ...algo, ordType: 'trigger', triggerPx: '60000', orderPx: '60500' }),
    );
    expect(placed).toMatchObject({ symbol: 'BTC/USDT', side: 'buy', price: 60_500, quantity: 0.01 });
  });

  it('bands every price of attachAlgoOrds', async () => {
    const cred = await bot(capped);
    const legs = (slOrdPx: string) => [
      { tpTriggerPx: '61000', tpOrdPx: '-1', slTriggerPx: '58000', slOrdPx },
    ];
    await expectDenied(
      cred,
      okxPost(ORDER, { ...limitBuy, attachAlgoOrds: legs('1000') }),
      'policy_denied',
      /attachAlgoOrds\[0\]\.slOrdPx/,
    );
    await expectExecuted(cred, okxPost(ORDER, { ...limitBuy, attachAlgoOrds: legs('57500') }));
  });
});

describe('#5 notional by execution semantics: contracts × contract value, sells at max(limit, market)', () => {
  const swap = { instId: 'DOGE-USDT-SWAP', tdMode: 'cross', side: 'buy', ordType: 'market' };

  it('counts DOGE-USDT-SWAP at 1,000 DOGE a contract', async () => {
    const cred = await bot({
      markets: ['spot', 'swap'],
      symbols: { allow: ['DOGE/USDT:USDT'] },
      maxOrderNotional: 1_000,
    });
    // 50 contracts = 50,000 DOGE = 5,000 USDT.
    await expectDenied(cred, okxPost(BATCH, [{ ...swap, sz: '50' }]), 'policy_denied', /maxOrderNotional/);
    await expectDenied(
      cred,
      okxPost(BATCH, [{ ...swap, ordType: 'optimal_limit_ioc', sz: '50', px: '0.0001' }]),
      'request_rejected',
      /"px"/,
    );
    const [placed] = await expectExecuted(
      cred,
      okxPost(BATCH, [{ ...swap, ordType: 'optimal_limit_ioc', sz: '5' }]),
    );
    expect(placed).toMatchObject({ symbol: 'DOGE/USDT:USDT', quantity: 5_000 });
  });

  it('never lets a spot policy or a spot pattern reach a perpetual', async () => {
    const spotOnly = await bot({ symbols: { allow: ['DOGE/*'] } });
    await expectDenied(spotOnly, okxPost(BATCH, [{ ...swap, sz: '1' }]), 'policy_denied', /markets/);
    const pattern = await bot({ markets: ['spot', 'swap'], symbols: { allow: ['DOGE/*'] } });
    await expectDenied(pattern, okxPost(BATCH, [{ ...swap, sz: '1' }]), 'policy_denied', /symbols/);
  });

  it('counts a sell limit far below the market at the market', async () => {
    const cred = await bot({ maxOrderNotional: 1_000 });
    const sell = { instId: 'BTC-USDT', tdMode: 'cash', side: 'sell', ordType: 'limit' };
    // 0.3 BTC "at 3,100" fills at 60,000: 18,000 USDT.
    await expectDenied(
      cred,
      okxPost(ORDER, { ...sell, px: '31000', sz: '0.3' }),
      'policy_denied',
      /maxOrderNotional/,
    );
    await expectExecuted(cred, okxPost(ORDER, { ...sell, px: '60000', sz: '0.01' }));
  });
});

describe('#7 margin: tdMode cross/isolated on spot and set-leverage need the margin action', () => {
  it('refuses margin orders under a spot trade-only policy; a margin policy allows them', async () => {
    const tradeOnly = await bot({ symbols: { allow: ['BTC/USDT'] } });
    const margin = { ...limitBuy, tdMode: 'cross', ccy: 'USDT' };
    await expectDenied(tradeOnly, okxPost(ORDER, margin), 'policy_denied', /action margin/);
    await expectDenied(
      tradeOnly,
      okxPost(BATCH, [limitBuy, { ...limitBuy, tdMode: 'isolated' }]),
      'policy_denied',
      /margin/,
    );
    await expectExecuted(tradeOnly, okxPost(ORDER, limitBuy));
    const marginBot = await bot({ actions: ['trade', 'margin'], symbols: { allow: ['BTC/USDT'] } });
    await expectExecuted(marginBot, okxPost(ORDER, margin));
  });

  it('reads set-leverage as margin with its lever, judged by maxLeverage', async () => {
    const path = '/api/v5/account/set-leverage';
    const lever = (n: string) => okxPost(path, { instId: 'BTC-USDT-SWAP', lever: n, mgnMode: 'cross' });
    await expectDenied(await bot({}), lever('3'), 'policy_denied', /action margin/);
    const cred = await bot({ actions: ['margin'], markets: ['spot', 'swap'], maxLeverage: 5 });
    await expectDenied(cred, lever('20'), 'policy_denied', /maxLeverage/);
    const log = h.sandbox.log.length;
    const answer = await okxCall(h.url, cred, lever('3'));
    expect([answer.keywarden, answer.json.code], answer.json.msg).toEqual([undefined, '0']);
    expect(h.sandbox.log.slice(log).map((l) => l.path)).toEqual([path]);
  });
});

describe('#9 replay: an identical signed request is used once', () => {
  it('refuses the second copy inside the 30 s window; a freshly signed one passes', async () => {
    const cred = await bot({});
    const signed = okxSigned(cred, okxPost(ORDER, limitBuy));
    const since = markEngine(h.sandbox.engine);
    expect((await sendOkx(h.url, signed)).json.code).toBe('0');
    const again = await sendOkx(h.url, signed);
    expect(again.keywarden).toBe('auth_replayed');
    expect(again.json).toMatchObject({ code: '50113', data: [] });
    expect(since().orders).toHaveLength(1);
    await expectExecuted(cred, okxPost(ORDER, limitBuy));
  });

  it('refuses a request past its expTime deadline', async () => {
    const cred = await bot({});
    const late = okxSigned(cred, {
      ...okxPost(ORDER, limitBuy),
      headers: { expTime: String(Date.now() - 1_000) },
    });
    const answer = await sendOkx(h.url, late);
    expect(answer.keywarden).toBe('auth_stale');
  });
});

describe('#13 numbers out of bounds are a bad request, not a store failure', () => {
  it('refuses sz=1e300 and px=1e300 as request_rejected', async () => {
    const cred = await bot(capped);
    await expectDenied(cred, okxPost(ORDER, { ...limitBuy, sz: '1e300', px: '1e300' }), 'request_rejected');
    const number =
      '{"instId":"BTC-USDT","tdMode":"cash","side":"buy","ordType":"limit","px":"59000","sz":1e300}';
    await expectDenied(cred, okxPost(ORDER, number), 'request_rejected');
    expect(h.audit.records.some((r) => r.rule === 'audit.write_failed')).toBe(false);
  });
});

describe('unmodified CCXT keeps working on what the schemas accept', () => {
  it('trades spot and a perpetual, amends and cancels through the gateway', async () => {
    const cred = await bot({
      actions: ['public', 'read', 'trade', 'cancel'],
      markets: ['spot', 'swap'],
      symbols: { allow: ['BTC/USDT', 'DOGE/USDT:USDT'] },
      maxOrderNotional: 2_000,
      priceBandPercent: 10,
    });
    const ex = await h.ccxt('okx', cred);
    const since = markEngine(h.sandbox.engine);
    // 2 contracts of 1,000 DOGE at 0.1: 200 USDT.
    const perp = await ex.createOrder('DOGE/USDT:USDT', 'market', 'buy', 2);
    expect(perp.id).toBeTruthy();
    const limit = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 58_000, {
      clientOrderId: 'kwtest1',
    });
    const edited = await ex.editOrder(limit.id, 'BTC/USDT', 'limit', 'buy', 0.02, 58_500);
    expect(edited.id).toBe(limit.id);
    await ex.cancelOrder(limit.id, 'BTC/USDT');
    const orders = since().orders.map((o) => [o.symbol, o.side, o.quantity, o.price]);
    expect(orders).toEqual([
      ['DOGE/USDT:USDT', 'buy', 2_000, undefined],
      ['BTC/USDT', 'buy', 0.01, 58_000],
      ['BTC/USDT', 'buy', 0.02, 58_500],
    ]);
    await expect(ex.createOrder('DOGE/USDT:USDT', 'market', 'buy', 50)).rejects.toThrow(/maxOrderNotional/);
  });
});
