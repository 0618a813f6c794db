/**
 * Issue 10's findings for KuCoin, end to end through the gateway to the sandbox. Each attack is
 * denied in KuCoin's error shape and the sandbox executed nothing; each is paired with the
 * honest variant, which executes. The bot speaks KuCoin's own wire format, each request signed
 * with an issued client credential exactly as KuCoin's SDKs sign it (kucoin.sign).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Credential, ExchangeRequest } from '../../src/exchanges/adapter.js';
import { kucoin } from '../../src/exchanges/kucoin/index.js';
import type { Policy } from '../../src/policy/policy-types.js';
import { type Harness, startHarness } from '../gateway/harness.js';
import { type Executed, markEngine } from '../security/differential.js';

interface KucoinAnswer {
  status: number;
  /** The keywarden denial code (`x-keywarden-code`), absent when the exchange answered. */
  keywarden: string | undefined;
  json: { code: string; msg?: string; data?: Record<string, unknown> };
}

const sign = (cred: Credential, request: ExchangeRequest, now = Date.now()) =>
  kucoin.sign(request, cred, { clock: { now: () => now }, nonce: { next: () => '0' }, baseUrl: '' });

async function send(signed: ExchangeRequest): Promise<KucoinAnswer> {
  const res = await fetch(`${h.url}/kucoin${signed.path}${signed.query ? `?${signed.query}` : ''}`, {
    method: signed.method,
    headers: signed.headers,
    ...(signed.body !== '' ? { body: signed.body } : {}),
  });
  return {
    status: res.status,
    keywarden: res.headers.get('x-keywarden-code') ?? undefined,
    json: JSON.parse(await res.text()) as KucoinAnswer['json'],
  };
}

const post = (path: string, body: unknown, query = ''): ExchangeRequest => ({
  method: 'POST',
  path,
  query,
  headers: {},
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ exchanges: ['kucoin'] });
});
afterAll(() => h.close());

let clients = 0;
async function bot(policy: Partial<Policy>): Promise<Credential> {
  const issued = await h.issue('kucoin', `kucoin-integrity-${++clients}`, {
    policy: { mode: 'enforce', actions: ['public', 'read', 'trade', 'cancel'], ...policy },
  });
  return issued.credential;
}

async function run(
  cred: Credential,
  request: ExchangeRequest,
): Promise<{ answer: KucoinAnswer; executed: Executed }> {
  const since = markEngine(h.sandbox.engine);
  const answer = await send(sign(cred, request));
  return { answer, executed: since() };
}

/** Denied by keywarden with `code`, in KuCoin's shape, and nothing executed or forwarded. */
async function expectDenied(cred: Credential, request: ExchangeRequest, code: string, reason?: RegExp) {
  const log = h.sandbox.log.length;
  const { answer, executed } = await run(cred, request);
  expect(answer.keywarden, answer.json.msg).toBe(code);
  expect(Object.keys(answer.json).sort()).toEqual(['code', 'msg']);
  expect(answer.json.code).toMatch(/^4\d{5}$/);
  expect(answer.json.msg).toContain(`keywarden denied [${code}]`);
  if (reason) expect(answer.json.msg).toMatch(reason);
  expect(executed).toEqual({ orders: [], withdrawals: [] });
  // Never forwarded: the sandbox saw nothing but public market data for the price rules.
  const seen = h.sandbox.log.slice(log).filter((l) => !l.path.startsWith('/api/v1/market/'));
  expect(seen.map((l) => `${l.method} ${l.path}`)).toEqual([]);
}

async function expectExecuted(cred: Credential, request: ExchangeRequest) {
  const { answer, executed } = await run(cred, request);
  expect(answer.keywarden, answer.json.msg).toBeUndefined();
  expect(answer.json.code, JSON.stringify(answer.json)).toBe('200000');
  expect(executed.orders.length).toBeGreaterThan(0);
  return executed.orders;
}

const ORDER = '/api/v1/orders';
let oid = 0;
const limitBuy = () => ({
  clientOid: `kc-${++oid}`,
  side: 'buy',
  symbol: 'BTC-USDT',
  type: 'limit',
  price: '59000',
  size: '0.01',
});
const marketBuy = () => ({ clientOid: `kc-${++oid}`, side: 'buy', symbol: 'BTC-USDT', type: 'market' });
const capped: Partial<Policy> = {
  symbols: { allow: ['BTC/USDT'] },
  maxOrderNotional: 1_000,
  priceBandPercent: 5,
};

describe('#1 decoy fields: nothing keywarden did not read is forwarded', () => {
  it('refuses an unknown field, a POST query, an array body and a duplicated key', async () => {
    const cred = await bot(capped);
    await expectDenied(
      cred,
      post(ORDER, { ...limitBuy(), request: [{ ...limitBuy(), symbol: 'ETH-USDT' }] }),
      'request_rejected',
      /"request"/,
    );
    await expectDenied(cred, post(ORDER, limitBuy(), 'symbol=ETH-USDT'), 'request_rejected', /query/);
    // Not even parsed: refused before classification, as a malformed request.
    await expectDenied(cred, post(ORDER, [limitBuy()]), 'bad_request', /JSON object/);
    const dup = JSON.stringify(limitBuy()).replace(/}$/, ',"size":"100"}');
    await expectDenied(cred, post(ORDER, dup), 'bad_request', /duplicated/);
    const [placed] = await expectExecuted(cred, post(ORDER, limitBuy()));
    expect(placed).toMatchObject({ symbol: 'BTC/USDT', side: 'buy', quantity: 0.01, price: 59000 });
  });
});

describe('#2 market orders are priced from the market, never from a decoy price', () => {
  it('refuses a price on a market order; by size and by funds both count at the ticker', async () => {
    const cred = await bot(capped);
    await expectDenied(
      cred,
      post(ORDER, { ...marketBuy(), size: '0.5', price: '1' }),
      'request_rejected',
      /"price"/,
    );
    await expectDenied(
      cred,
      post(ORDER, { ...marketBuy(), size: '0.5' }),
      'policy_denied',
      /maxOrderNotional/,
    );
    await expectDenied(
      cred,
      post(ORDER, { ...marketBuy(), funds: '5000' }),
      'policy_denied',
      /maxOrderNotional/,
    );
    await expectDenied(
      cred,
      post(ORDER, { ...marketBuy(), size: '0.001', funds: '5000' }),
      'request_rejected',
      /exactly one/,
    );
    const [bySize] = await expectExecuted(cred, post(ORDER, { ...marketBuy(), size: '0.01' }));
    expect(bySize).toMatchObject({ symbol: 'BTC/USDT', type: 'market', quantity: 0.01 });
    const [byFunds] = await expectExecuted(cred, post(ORDER, { ...marketBuy(), funds: '500' }));
    expect((byFunds?.quantity ?? 0) * (byFunds?.averagePrice ?? 0)).toBeCloseTo(500, 6);
  });
});

describe('#4 every price field is checked: stop prices are not read, so refused', () => {
  it('refuses stopPrice on the order endpoint, and bands the limit price', async () => {
    const cred = await bot(capped);
    await expectDenied(
      cred,
      post(ORDER, { ...limitBuy(), stop: 'entry', stopPrice: '1' }),
      'request_rejected',
    );
    await expectDenied(
      cred,
      post(ORDER, { ...limitBuy(), price: '70000', size: '0.001' }),
      'policy_denied',
      /priceBand/,
    );
  });
});

describe('#5 notional by execution semantics: a sell limit far below the market counts at the market', () => {
  it('denies 0.3 BTC "at 31,000" under a 1,000 cap, allows the honest sell', async () => {
    const cred = await bot({ maxOrderNotional: 1_000 });
    const sell = { ...limitBuy(), side: 'sell' };
    await expectDenied(
      cred,
      post(ORDER, { ...sell, price: '31000', size: '0.3' }),
      'policy_denied',
      /maxOrderNotional/,
    );
    await expectExecuted(
      cred,
      post(ORDER, { ...sell, clientOid: `kc-${++oid}`, price: '60000', size: '0.01' }),
    );
  });
});

describe('#7 margin: a margin trade type is refused, margin endpoints need the margin action', () => {
  it('refuses tradeType MARGIN_TRADE and a margin order endpoint under a trade-only policy', async () => {
    const cred = await bot({ symbols: { allow: ['BTC/USDT'] } });
    await expectDenied(
      cred,
      post(ORDER, { ...limitBuy(), tradeType: 'MARGIN_TRADE' }),
      'request_rejected',
      /tradeType/,
    );
    await expectDenied(cred, post('/api/v1/margin/order', limitBuy()), 'policy_denied', /action margin/);
    await expectDenied(
      cred,
      post('/api/v3/margin/borrow', { currency: 'USDT', size: '100' }),
      'policy_denied',
      /margin/,
    );
  });
});

describe('withdrawals and transfers are their own actions, denied by a trading policy', () => {
  it('denies a v3 withdrawal and a universal transfer', async () => {
    const cred = await bot({});
    const withdrawal = { currency: 'USDT', toAddress: 'TXYZabc', withdrawType: 'ADDRESS', amount: 10 };
    await expectDenied(cred, post('/api/v3/withdrawals', withdrawal), 'policy_denied', /actions/);
    const transfer = {
      clientOid: 'kt-1',
      currency: 'USDT',
      amount: '1',
      type: 'INTERNAL',
      fromAccountType: 'MAIN',
      toAccountType: 'TRADE',
    };
    await expectDenied(
      cred,
      post('/api/v3/accounts/universal-transfer', transfer),
      'policy_denied',
      /actions/,
    );
  });
});

describe('#9 replay: an identical signed request is used once', () => {
  it('refuses the second copy inside the 5 s window; a freshly signed one passes', async () => {
    const cred = await bot({});
    const signed = sign(cred, post(ORDER, limitBuy()));
    const since = markEngine(h.sandbox.engine);
    expect((await send(signed)).json.code).toBe('200000');
    const again = await send(signed);
    expect(again.keywarden).toBe('auth_replayed');
    expect(again.json.code).toBe('400005');
    expect(since().orders).toHaveLength(1);
    await expectExecuted(cred, post(ORDER, limitBuy()));
  });

  it('refuses a request signed outside the 5 s tolerance', async () => {
    const cred = await bot({});
    const answer = await send(sign(cred, post(ORDER, limitBuy()), Date.now() - 30_000));
    expect(answer.keywarden).toBe('auth_stale');
    expect(answer.json.code).toBe('400002');
  });
});

describe('#13 numbers out of bounds are a bad request, not a store failure', () => {
  it('refuses size=1e300 and a JSON number 1e300 as request_rejected', async () => {
    const cred = await bot(capped);
    await expectDenied(cred, post(ORDER, { ...limitBuy(), size: '1e300' }), 'request_rejected');
    const number = `{"clientOid":"kc-big","side":"buy","symbol":"BTC-USDT","type":"limit","price":"59000","size":1e300}`;
    await expectDenied(cred, post(ORDER, number), 'request_rejected');
    expect(h.audit.records.some((r) => r.rule === 'audit.write_failed')).toBe(false);
  });
});

describe('unmodified CCXT keeps working on what the schemas accept', () => {
  it('trades, cancels by id and by clientOid through the gateway', async () => {
    const cred = await bot({
      symbols: { allow: ['BTC/USDT'] },
      maxOrderNotional: 2_000,
      priceBandPercent: 10,
    });
    const ex = await h.ccxt('kucoin', cred);
    const since = markEngine(h.sandbox.engine);
    const limit = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 58_000, {
      clientOrderId: 'kwint1',
      postOnly: true,
    });
    await ex.cancelOrder(undefined, 'BTC/USDT', { clientOrderId: 'kwint1' });
    const other = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.02, 58_500);
    await ex.cancelOrder(other.id, 'BTC/USDT');
    await ex.createOrder('BTC/USDT', 'market', 'buy', 0.01);
    expect(since().orders.map((o) => [o.side, o.type, o.quantity, o.price, o.status])).toEqual([
      ['buy', 'limit', 0.01, 58_000, 'canceled'],
      ['buy', 'limit', 0.02, 58_500, 'canceled'],
      ['buy', 'market', 0.01, undefined, 'filled'],
    ]);
    expect(limit.id).toBeTruthy();
    await expect(ex.createOrder('BTC/USDT', 'market', 'buy', 1)).rejects.toThrow(/maxOrderNotional/);
  });
});
