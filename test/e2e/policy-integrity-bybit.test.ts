/**
 * Issue 10's Bybit findings, end to end: each attack goes through the real gateway (token mode
 * or client-signed) to the sandbox, is denied in Bybit's own error shape, and the sandbox's
 * engine shows nothing executed; each is paired with the honest variant, which executes.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Credential, ExchangeRequest } from '../../src/exchanges/adapter.js';
import { bybit } from '../../src/exchanges/bybit/index.js';
import type { Policy } from '../../src/policy/policy-types.js';
import { type Harness, startHarness } from '../gateway/harness.js';
import { markEngine } from '../security/differential.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ exchanges: ['bybit'] });
});
afterAll(() => h.close());

interface Answer {
  status: number;
  code: string | undefined;
  json: { retCode: number; retMsg: string; result: Record<string, unknown>; retExtInfo?: unknown };
}

async function send(req: ExchangeRequest): Promise<Answer> {
  const r = await request(`${h.url}/bybit${req.path}${req.query ? `?${req.query}` : ''}`, {
    method: req.method as 'POST',
    headers: { 'content-type': 'application/json', ...req.headers },
    ...(req.body !== '' ? { body: req.body } : {}),
  });
  const code = r.headers['x-keywarden-code'];
  return {
    status: r.statusCode,
    code: typeof code === 'string' ? code : undefined,
    json: (await r.body.json()) as Answer['json'],
  };
}

const post = (path: string, body: unknown, query = ''): ExchangeRequest => ({
  method: 'POST',
  path,
  query,
  headers: {},
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

/** A bot with a bearer token under `policy` (a fresh client: fresh usage). */
async function bot(policy: Policy) {
  const issued = await h.issue('bybit', `bot-${Math.random().toString(36).slice(2)}`, { policy });
  const token = { authorization: `Bearer ${issued.token}` };
  return {
    credential: issued.credential,
    call: (req: ExchangeRequest) => send({ ...req, headers: { ...req.headers, ...token } }),
  };
}

/** The bot signs itself, as CCXT does, with its keywarden credential. */
function signed(credential: Credential, req: ExchangeRequest, now = Date.now(), recvWindow?: string) {
  const withWindow = recvWindow ? { ...req, headers: { 'X-BAPI-RECV-WINDOW': recvWindow } } : req;
  return bybit.sign(withWindow, credential, {
    clock: { now: () => now },
    nonce: { next: () => '0' },
    baseUrl: h.url,
  });
}

/** `run` executes nothing in the sandbox and is refused by keywarden with `code`, in Bybit's shape. */
async function deniedWithoutExecution(
  run: () => Promise<Answer>,
  code: string,
  retCode: number,
  message?: RegExp,
) {
  const executed = markEngine(h.sandbox.engine);
  const r = await run();
  expect(r.code, r.json.retMsg).toBe(code);
  expect(r.json.retCode).toBe(retCode);
  expect(r.json.retMsg).toMatch(/^keywarden denied/);
  if (message) expect(r.json.retMsg).toMatch(message);
  expect(executed()).toEqual({ orders: [], withdrawals: [] });
}

/** `run` is forwarded and the sandbox places `n` orders. */
async function executes(run: () => Promise<Answer>, n = 1) {
  const executed = markEngine(h.sandbox.engine);
  const r = await run();
  expect(r.code, r.json.retMsg).toBeUndefined();
  expect(r.json.retCode, r.json.retMsg).toBe(0);
  expect(executed().orders).toHaveLength(n);
  return r;
}

/** A limit buy at 59,000 (within 5 % of the sandbox's 60,000). */
const limitOrder = (category: string, symbol: string, qty: string) => ({
  category,
  symbol,
  side: 'Buy',
  orderType: 'Limit',
  qty,
  price: '59000',
});

const BTC_ONLY: Policy = {
  mode: 'enforce',
  actions: ['read', 'trade', 'cancel'],
  symbols: { allow: ['BTC/USDT'] },
  maxOrderNotional: 1_000,
  priceBandPercent: 5,
};
const btcLimit = { symbol: 'BTCUSDT', side: 'Buy', orderType: 'Limit', qty: '0.01', price: '59000' };

describe('bybit finding 1: decoy fields', () => {
  it('refuses a decoy request array on /v5/order/create; the honest order executes', async () => {
    const b = await bot(BTC_ONLY);
    const decoy = {
      category: 'spot',
      symbol: 'ETHUSDT',
      side: 'Buy',
      orderType: 'Market',
      qty: '15000',
      request: [btcLimit],
    };
    await deniedWithoutExecution(
      () => b.call(post('/v5/order/create', decoy)),
      'request_rejected',
      10001,
      /"request"/,
    );
    await executes(() => b.call(post('/v5/order/create', { category: 'spot', ...btcLimit })));
  });

  it('refuses an empty create-batch; a batch of one executes', async () => {
    const b = await bot(BTC_ONLY);
    await deniedWithoutExecution(
      () => b.call(post('/v5/order/create-batch', { category: 'spot', request: [] })),
      'request_rejected',
      10001,
      /empty batch/,
    );
    await executes(() => b.call(post('/v5/order/create-batch', { category: 'spot', request: [btcLimit] })));
  });

  it('refuses a per-item category Bybit ignores (spot policy, 900 BTC perpetual); the plain item executes', async () => {
    const b = await bot(BTC_ONLY);
    const perp = { ...btcLimit, category: 'linear', qty: '900', orderType: 'Market', price: undefined };
    await deniedWithoutExecution(
      () => b.call(post('/v5/order/create-batch', { category: 'spot', request: [perp] })),
      'request_rejected',
      10001,
      /request\.0\.category/,
    );
    for (const path of ['/v5/order/amend-batch', '/v5/order/cancel-batch'])
      await deniedWithoutExecution(
        () =>
          b.call(
            post(path, {
              category: 'spot',
              request: [{ symbol: 'BTCUSDT', orderId: '1', category: 'linear' }],
            }),
          ),
        'request_rejected',
        10001,
      );
    await executes(() => b.call(post('/v5/order/create-batch', { category: 'spot', request: [btcLimit] })));
  });

  it('refuses unknown fields, case variants and a query beside the body', async () => {
    const b = await bot(BTC_ONLY);
    const order = { category: 'spot', ...btcLimit };
    await deniedWithoutExecution(
      () => b.call(post('/v5/order/create', { ...order, Symbol: 'ETHUSDT' })),
      'request_rejected',
      10001,
    );
    await deniedWithoutExecution(
      () => b.call(post('/v5/order/create', order, 'symbol=ETHUSDT')),
      'request_rejected',
      10001,
    );
    await executes(() => b.call(post('/v5/order/create', order)));
  });
});

describe('bybit finding 2 class: market orders priced from the market, never from a decoy', () => {
  it('refuses a price on a market order; market buys are capped by their quote size', async () => {
    const b = await bot(BTC_ONLY);
    const m = { category: 'spot', symbol: 'BTCUSDT', side: 'Buy', orderType: 'Market' };
    await deniedWithoutExecution(
      () => b.call(post('/v5/order/create', { ...m, qty: '0.5', marketUnit: 'baseCoin', price: '1' })),
      'request_rejected',
      10001,
      /"price" is not used by Market/,
    );
    await deniedWithoutExecution(
      () => b.call(post('/v5/order/create', { ...m, qty: '0.5', marketUnit: 'baseCoin' })),
      'policy_denied',
      10005,
      /maxOrderNotional/,
    );
    await executes(() => b.call(post('/v5/order/create', { ...m, qty: '500' })));
  });
});

describe('bybit finding 4: every price field is band-checked; amends are judged', () => {
  const PERP: Policy = {
    mode: 'enforce',
    actions: ['read', 'trade', 'cancel'],
    markets: ['spot', 'swap'],
    symbols: { allow: ['BTC/USDT', 'BTC/USDT:USDT'] },
    maxOrderNotional: 1_000,
    priceBandPercent: 5,
  };
  const perp = {
    category: 'linear',
    symbol: 'BTCUSDT',
    side: 'Buy',
    orderType: 'Limit',
    qty: '0.01',
    price: '59000',
  };

  it('denies a take-profit limit price far from the market; an honest one executes', async () => {
    const b = await bot(PERP);
    const tp = { ...perp, takeProfit: '61000', tpslMode: 'Partial', tpOrderType: 'Limit' };
    await deniedWithoutExecution(
      () => b.call(post('/v5/order/create', { ...tp, tpLimitPrice: '1' })),
      'policy_denied',
      10005,
      /tpLimitPrice/,
    );
    await deniedWithoutExecution(
      () =>
        b.call(
          post('/v5/order/create', {
            ...perp,
            stopLoss: '59000',
            slOrderType: 'Limit',
            slLimitPrice: '1000000',
            tpslMode: 'Partial',
          }),
        ),
      'policy_denied',
      10005,
      /slLimitPrice/,
    );
    await deniedWithoutExecution(
      () => b.call(post('/v5/order/create', { ...perp, tpLimitPrice: '1' })),
      'request_rejected',
      10001,
    );
    await executes(() => b.call(post('/v5/order/create', { ...tp, tpLimitPrice: '61100' })));
  });

  it('denies an amend to a price outside the band; a small amend executes', async () => {
    const b = await bot(BTC_ONLY);
    const placed = await executes(() =>
      b.call(post('/v5/order/create', { category: 'spot', ...btcLimit, orderLinkId: 'amend-me' })),
    );
    const orderId = String(placed.json.result.orderId);
    await deniedWithoutExecution(
      () => b.call(post('/v5/order/amend', { category: 'spot', symbol: 'BTCUSDT', orderId, price: '1000' })),
      'policy_denied',
      10005,
      /priceBand/,
    );
    await deniedWithoutExecution(
      () =>
        b.call(
          post('/v5/order/amend', { category: 'spot', symbol: 'BTCUSDT', orderId, qty: '1', price: '59500' }),
        ),
      'policy_denied',
      10005,
      /maxOrderNotional/,
    );
    // The sandbox replaces the order in its book with the amended one. (A price-only amend needs
    // the resting order's size: the gateway's restingOrderRequest look-up fills it.)
    await executes(() =>
      b.call(
        post('/v5/order/amend', {
          category: 'spot',
          symbol: 'BTCUSDT',
          orderId,
          qty: '0.01',
          price: '59500',
        }),
      ),
    );
    const open = h.sandbox.engine.openOrders('main', 'BTC/USDT');
    expect(open.find((o) => o.id === orderId)).toBeUndefined();
    expect(open.at(-1)).toMatchObject({ quantity: 0.01, price: 59500 });
  });
});

describe('bybit finding 4: amends are judged with the resting order the gateway looks up', () => {
  it('prices a price-only amend at the resting size; a size-only amend over the cap is denied', async () => {
    const b = await bot(BTC_ONLY);
    const placed = await executes(() =>
      b.call(post('/v5/order/create', { category: 'spot', ...btcLimit, orderLinkId: 'amend-lookup' })),
    );
    const orderId = String(placed.json.result.orderId);
    const amend = (change: Record<string, string>) =>
      b.call(post('/v5/order/amend', { category: 'spot', symbol: 'BTCUSDT', orderId, ...change }));
    await deniedWithoutExecution(() => amend({ qty: '0.5' }), 'policy_denied', 10005, /maxOrderNotional/);
    await executes(() => amend({ price: '59800' }));
    await executes(() => amend({ price: '59700' }));
    await deniedWithoutExecution(
      // Bybit finds the order only within the symbol named: no resting order, no amend.
      () => b.call(post('/v5/order/amend', { category: 'spot', symbol: 'ETHUSDT', orderId, price: '3000' })),
      'request_rejected',
      10001,
      /could not be read/,
    );
  });
});

describe('bybit finding 5: derivatives are opt-in and priced by their contract', () => {
  it('denies a linear perpetual under a spot policy and under BTC/*; allows it when named', async () => {
    const spotOnly = await bot({ ...BTC_ONLY, symbols: { allow: ['BTC/*'] }, maxOrderNotional: 100_000 });
    const perp = limitOrder('linear', 'BTCUSDT', '0.01');
    await deniedWithoutExecution(
      () => spotOnly.call(post('/v5/order/create', perp)),
      'policy_denied',
      10005,
      /markets/,
    );
    const wildcard = await bot({ ...BTC_ONLY, markets: ['spot', 'swap'], symbols: { allow: ['BTC/*'] } });
    await deniedWithoutExecution(
      () => wildcard.call(post('/v5/order/create', perp)),
      'policy_denied',
      10005,
      /symbols/,
    );
    const named = await bot({ ...BTC_ONLY, markets: ['swap'], symbols: { allow: ['BTC/USDT:USDT'] } });
    await deniedWithoutExecution(
      () => named.call(post('/v5/order/create', { ...perp, qty: '0.5' })),
      'policy_denied',
      10005,
      /maxOrderNotional/,
    );
    await executes(() => named.call(post('/v5/order/create', perp)));
    expect(h.sandbox.engine.openOrders('main', 'BTC/USDT:USDT').at(-1)).toMatchObject({
      quantity: 0.01,
      price: 59000,
    });
  });

  it('denies an inverse order whose contract spec is unknown (no spec, no order)', async () => {
    const b = await bot({ ...BTC_ONLY, markets: ['swap'], symbols: { allow: ['BTC/USD:BTC'] } });
    const inverse = limitOrder('inverse', 'BTCUSD', '100');
    await deniedWithoutExecution(
      () => b.call(post('/v5/order/create', inverse)),
      'policy_denied',
      10005,
      /contract spec|unpriced/,
    );
  });
});

describe('bybit finding 7: margin flags and leverage endpoints are margin', () => {
  it('denies isLeverage spot orders and set-leverage under a trade-only policy; the plain order executes', async () => {
    const b = await bot(BTC_ONLY);
    await deniedWithoutExecution(
      () => b.call(post('/v5/order/create', { category: 'spot', ...btcLimit, isLeverage: 1 })),
      'policy_denied',
      10005,
      /action margin/,
    );
    const lev = { category: 'linear', symbol: 'BTCUSDT', buyLeverage: '25', sellLeverage: '25' };
    await deniedWithoutExecution(
      () => b.call(post('/v5/position/set-leverage', lev)),
      'policy_denied',
      10005,
      /action margin/,
    );
    await deniedWithoutExecution(
      () => b.call(post('/v5/account/set-margin-mode', { setMarginMode: 'ISOLATED_MARGIN' })),
      'policy_denied',
      10005,
      /action margin/,
    );
    await executes(() => b.call(post('/v5/order/create', { category: 'spot', ...btcLimit })));
  });

  it('holds set-leverage to maxLeverage when margin is allowed', async () => {
    const b = await bot({
      mode: 'enforce',
      actions: ['read', 'margin'],
      markets: ['swap'],
      symbols: { allow: ['BTC/USDT:USDT'] },
      maxLeverage: 10,
    });
    const lev = (n: string) =>
      post('/v5/position/set-leverage', {
        category: 'linear',
        symbol: 'BTCUSDT',
        buyLeverage: n,
        sellLeverage: n,
      });
    await deniedWithoutExecution(() => b.call(lev('25')), 'policy_denied', 10005, /maxLeverage/);
    const r = await b.call(lev('5'));
    expect([r.code, r.json.retCode]).toEqual([undefined, 0]);
  });
});

describe('bybit finding 9: replay', () => {
  it('refuses a recv window above 60 s (a 10-day-old signed order) with 10002', async () => {
    const b = await bot(BTC_ONLY);
    const order = post('/v5/order/create', { category: 'spot', ...btcLimit });
    const tenDaysAgo = Date.now() - 10 * 86_400_000;
    await deniedWithoutExecution(
      () => send(signed(b.credential, order, tenDaysAgo, '999999999')),
      'auth_stale',
      10002,
      /recv_window/,
    );
    await deniedWithoutExecution(
      () => send(signed(b.credential, order, Date.now(), '60001')),
      'auth_stale',
      10002,
    );
    await executes(() => send(signed(b.credential, order, Date.now(), '60000')));
  });

  it('refuses the same signed order a second time; a freshly signed one executes', async () => {
    const b = await bot(BTC_ONLY);
    const once = signed(b.credential, post('/v5/order/create', { category: 'spot', ...btcLimit }));
    await executes(() => send(once));
    await deniedWithoutExecution(() => send(once), 'auth_replayed', 10004, /already used/);
    await executes(() =>
      send(signed(b.credential, post('/v5/order/create', { category: 'spot', ...btcLimit }), Date.now() + 1)),
    );
  });
});
