/**
 * Issue 10's findings, Bitget: each attack end to end through the gateway to the sandbox is
 * denied in Bitget's error shape and the sandbox executed nothing (and saw no state-changing
 * request); each is paired with the honest variant, which executes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Credential, ExchangeRequest } from '../../src/exchanges/adapter.js';
import { bitget } from '../../src/exchanges/bitget/index.js';
import type { Policy } from '../../src/policy/policy-types.js';
import { type Harness, startHarness } from '../gateway/harness.js';
import { type Executed, markEngine } from '../security/differential.js';

interface BitgetAnswer {
  status: number;
  json: { code: string; msg: string; requestTime: number; data: unknown };
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ exchanges: ['bitget'] });
});
afterAll(() => h.close());

let clients = 0;
async function bot(policy: Partial<Policy>): Promise<Credential> {
  const issued = await h.issue('bitget', `bitget-integrity-${++clients}`, {
    policy: { mode: 'enforce', actions: ['public', 'read', 'trade', 'cancel'], ...policy },
  });
  return issued.credential;
}

/** Signed with the issued client credential as Bitget's SDKs sign (bitget.sign), at `now`. */
function signed(cred: Credential, request: ExchangeRequest, now = Date.now()): ExchangeRequest {
  return bitget.sign(request, cred, { clock: { now: () => now }, nonce: { next: () => '0' }, baseUrl: '' });
}

async function send(request: ExchangeRequest): Promise<BitgetAnswer> {
  const url = `${h.url}/bitget${request.path}${request.query ? `?${request.query}` : ''}`;
  const res = await fetch(url, {
    method: request.method,
    headers: request.headers,
    ...(request.method === 'GET' ? {} : { body: request.body }),
  });
  return { status: res.status, json: JSON.parse(await res.text()) as BitgetAnswer['json'] };
}

const post = (path: string, body: unknown, query = ''): ExchangeRequest => ({
  method: 'POST',
  path,
  query,
  headers: {},
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

async function run(
  cred: Credential,
  request: ExchangeRequest,
): Promise<{ answer: BitgetAnswer; executed: Executed }> {
  const since = markEngine(h.sandbox.engine);
  const answer = await send(signed(cred, request));
  return { answer, executed: since() };
}

/** Denied by keywarden with `code`, in Bitget's shape, nothing executed and nothing state-changing forwarded. */
async function expectDenied(cred: Credential, request: ExchangeRequest, code: string, reason?: RegExp) {
  const log = h.sandbox.log.length;
  const { answer, executed } = await run(cred, request);
  expect(answer.json.msg).toContain(`keywarden denied [${code}]`);
  expect(Object.keys(answer.json)).toEqual(['code', 'msg', 'requestTime', 'data']);
  expect(answer.json).toMatchObject({ code: expect.stringMatching(/^4\d{4}$/), data: null });
  if (reason) expect(answer.json.msg).toMatch(reason);
  expect(executed).toEqual({ orders: [], withdrawals: [] });
  const seen = h.sandbox.log.slice(log).filter((l) => l.method !== 'GET');
  expect(seen.map((l) => `${l.method} ${l.path}`)).toEqual([]);
}

async function expectExecuted(cred: Credential, request: ExchangeRequest) {
  const { answer, executed } = await run(cred, request);
  expect(answer.json.code, JSON.stringify(answer.json)).toBe('00000');
  expect(executed.orders.length).toBeGreaterThan(0);
  return executed.orders;
}

const PLACE = '/api/v2/spot/trade/place-order';
const BATCH = '/api/v2/spot/trade/batch-orders';
const limitBuy = {
  symbol: 'BTCUSDT',
  side: 'buy',
  orderType: 'limit',
  force: 'gtc',
  price: '59000',
  size: '0.01',
};
const marketBuy = { symbol: 'BTCUSDT', side: 'buy', orderType: 'market', force: 'gtc', size: '500' };
const capped: Partial<Policy> = {
  symbols: { allow: ['BTC/USDT'] },
  maxOrderNotional: 1_000,
  priceBandPercent: 5,
};

describe('#1 decoy fields: nothing keywarden did not read is forwarded', () => {
  it('refuses an unknown field, TP/SL and plan fields, a POST query and an array body', async () => {
    const cred = await bot(capped);
    await expectDenied(
      cred,
      post(PLACE, { ...limitBuy, orderList: [{ ...limitBuy, symbol: 'ETHUSDT' }] }),
      'request_rejected',
      /"orderList"/,
    );
    await expectDenied(cred, post(PLACE, { ...limitBuy, presetStopLossPrice: '1' }), 'request_rejected');
    await expectDenied(
      cred,
      post(PLACE, { ...limitBuy, triggerPrice: '1', tpslType: 'tpsl' }),
      'request_rejected',
    );
    await expectDenied(cred, post(PLACE, limitBuy, 'symbol=ETHUSDT'), 'request_rejected', /query/);
    // Refused when parsed, before classification: a bad request.
    await expectDenied(cred, post(PLACE, [limitBuy]), 'bad_request', /JSON object/);
    await expectDenied(
      cred,
      post(PLACE, '{"symbol":"BTCUSDT","symbol":"SOLUSDT","side":"buy"}'),
      'bad_request',
      /duplicated/,
    );
    const [placed] = await expectExecuted(cred, post(PLACE, limitBuy));
    expect(placed).toMatchObject({ symbol: 'BTC/USDT', side: 'buy', quantity: 0.01, price: 59000 });
  });
});

describe('#2 market orders are priced from the market; a market buy is sized in USDT', () => {
  it('refuses a price on a market order, counts a market buy by its quote size and a sell by its base size', async () => {
    const cred = await bot(capped);
    await expectDenied(cred, post(PLACE, { ...marketBuy, price: '1' }), 'request_rejected', /"price"/);
    // size 5000 on a market buy is 5,000 USDT to spend: over the 1,000 cap.
    await expectDenied(
      cred,
      post(PLACE, { ...marketBuy, size: '5000' }),
      'policy_denied',
      /maxOrderNotional/,
    );
    // 0.5 BTC sold at the market is 30,000 USDT.
    await expectDenied(
      cred,
      post(PLACE, { ...marketBuy, side: 'sell', size: '0.5' }),
      'policy_denied',
      /maxOrderNotional/,
    );
    const [placed] = await expectExecuted(cred, post(PLACE, marketBuy));
    // 500 USDT at 60,000.
    expect(placed).toMatchObject({ symbol: 'BTC/USDT', type: 'market', side: 'buy' });
    expect(placed?.quantity).toBeCloseTo(500 / 60_000, 10);
  });
});

describe('#4 every order of a batch is checked', () => {
  it('bands and caps each item of batch-orders; a symbol smuggled into an item is refused', async () => {
    const cred = await bot(capped);
    const batch = (orderList: unknown[]) => post(BATCH, { symbol: 'BTCUSDT', orderList });
    const item = { side: 'buy', orderType: 'limit', force: 'gtc', price: '59000', size: '0.01' };
    await expectDenied(cred, batch([item, { ...item, price: '90000' }]), 'policy_denied', /priceBand/);
    await expectDenied(cred, batch([item, { ...item, size: '1' }]), 'policy_denied', /maxOrderNotional/);
    await expectDenied(cred, batch([{ ...item, symbol: 'SOLUSDT' }]), 'request_rejected', /differs/);
    await expectDenied(cred, batch([]), 'request_rejected', /empty/);
  });
});

describe('#5 notional by execution semantics: sells at max(limit, market)', () => {
  it('counts a sell limit far below the market at the market', async () => {
    const cred = await bot({ maxOrderNotional: 1_000 });
    const sell = { symbol: 'BTCUSDT', side: 'sell', orderType: 'limit', force: 'gtc' };
    await expectDenied(
      cred,
      post(PLACE, { ...sell, price: '31000', size: '0.03' }),
      'policy_denied',
      /maxOrderNotional/,
    );
    await expectExecuted(cred, post(PLACE, { ...sell, price: '60000', size: '0.01' }));
  });
});

describe('withdrawals and transfers need their actions and are judged by the withdrawal rules', () => {
  const withdrawal = {
    coin: 'USDT',
    transferType: 'on_chain',
    address: 'TXYZabc',
    chain: 'TRC20',
    size: '10',
  };

  it('denies them under a trading policy, and an address off the allow-list under a withdraw policy', async () => {
    await expectDenied(
      await bot({}),
      post('/api/v2/spot/wallet/withdrawal', withdrawal),
      'policy_denied',
      /actions/,
    );
    await expectDenied(
      await bot({}),
      post('/api/v2/spot/wallet/transfer', {
        fromType: 'spot',
        toType: 'usdt_futures',
        amount: 5,
        coin: 'USDT',
      }),
      'policy_denied',
      /actions/,
    );
    const cred = await bot({ actions: ['withdraw'], withdrawals: { addresses: ['TXallowed'] } });
    await expectDenied(cred, post('/api/v2/spot/wallet/withdrawal', withdrawal), 'policy_denied');
    const since = markEngine(h.sandbox.engine);
    const ok = await send(
      signed(cred, post('/api/v2/spot/wallet/withdrawal', { ...withdrawal, address: 'TXallowed' })),
    );
    expect(ok.json.code, ok.json.msg).toBe('00000');
    expect(since().withdrawals).toMatchObject([{ coin: 'USDT', amount: 10, address: 'TXallowed' }]);
  });
});

describe('#9 replay: an identical signed request is used once', () => {
  it('refuses the second copy inside the window; a freshly signed one passes', async () => {
    const cred = await bot({});
    const once = signed(cred, post(PLACE, limitBuy));
    const since = markEngine(h.sandbox.engine);
    expect((await send(once)).json.code).toBe('00000');
    const again = await send(once);
    expect(again.json.msg).toContain('keywarden denied [auth_replayed]');
    expect(again.json).toMatchObject({ code: '40009', data: null });
    expect(since().orders).toHaveLength(1);
    await expectExecuted(cred, post(PLACE, limitBuy));
  });
});

describe('#13 numbers out of bounds are a bad request, not a store failure', () => {
  it('refuses size=1e300 and price=1e300 as request_rejected', async () => {
    const cred = await bot(capped);
    await expectDenied(cred, post(PLACE, { ...limitBuy, size: '1e300', price: '1e300' }), 'request_rejected');
    const number =
      '{"symbol":"BTCUSDT","side":"buy","orderType":"limit","force":"gtc","price":"59000","size":1e300}';
    await expectDenied(cred, post(PLACE, number), 'request_rejected');
    expect(h.audit.records.some((r) => r.rule === 'audit.write_failed')).toBe(false);
  });
});

describe('unmodified CCXT keeps working on what the schemas accept', () => {
  it('trades limit and market, cancels, and is denied over the cap', async () => {
    const cred = await bot({
      symbols: { allow: ['BTC/USDT'] },
      maxOrderNotional: 2_000,
      priceBandPercent: 10,
    });
    const ex = await h.ccxt('bitget', cred);
    const since = markEngine(h.sandbox.engine);
    const limit = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 58_000, {
      clientOrderId: 'kwtest1',
    });
    await ex.createOrder('BTC/USDT', 'market', 'buy', 0.01, 60_000);
    await ex.cancelOrder(limit.id, 'BTC/USDT');
    const orders = since().orders.map((o) => [o.symbol, o.side, o.type, o.price, o.status]);
    expect(orders).toEqual([
      ['BTC/USDT', 'buy', 'limit', 58_000, 'canceled'],
      ['BTC/USDT', 'buy', 'market', undefined, 'filled'],
    ]);
    await expect(ex.createOrder('BTC/USDT', 'market', 'buy', 1, 60_000)).rejects.toThrow(/maxOrderNotional/);
  });
});
