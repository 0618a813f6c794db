/**
 * Issue 10's Binance findings, end to end: a request through the real gateway (token mode or
 * client-signed) to the sandbox. Each attack is denied in Binance's `{code,msg}` shape and the
 * sandbox executed nothing (engine orders unchanged); each is paired with the honest variant,
 * which executes.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binanceSignature } from '../../src/exchanges/binance/index.js';
import type { Policy } from '../../src/policy/policy-types.js';
import { type Harness, startHarness } from '../gateway/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ exchanges: ['binance'] });
});
afterAll(() => h.close());

const FORM = 'application/x-www-form-urlencoded';
const TRADE: Policy = {
  mode: 'enforce',
  actions: ['public', 'read', 'trade', 'cancel'],
  symbols: { allow: ['BTC/USDT'] },
  maxOrderNotional: 1000,
  priceBandPercent: 5,
};

let n = 0;
async function tokenFor(policy: Policy): Promise<string> {
  return (await h.issue('binance', `integrity-${++n}`, { policy })).token;
}

interface Answer {
  status: number;
  code?: string;
  body: { code?: number; msg?: string } & Record<string, unknown>;
}

async function send(
  auth: { token?: string; apiKey?: string },
  method: string,
  path: string,
  body: string,
): Promise<Answer> {
  const r = await request(`${h.url}/binance${path}`, {
    method: method as 'POST',
    headers: {
      'content-type': FORM,
      ...(auth.token ? { authorization: `Bearer ${auth.token}` } : {}),
      ...(auth.apiKey ? { 'x-mbx-apikey': auth.apiKey } : {}),
    },
    body,
  });
  const text = await r.body.text();
  const code = r.headers['x-keywarden-code'];
  return { status: r.statusCode, body: JSON.parse(text), ...(typeof code === 'string' ? { code } : {}) };
}

/** What the sandbox's engine holds now, to show that a denial executed nothing. */
function engineMark() {
  const e = h.sandbox.engine;
  const ids = () =>
    [...e.openOrders('main'), ...e.closedOrders('main')].map((o) => `${o.id}:${o.status}:${o.quantity}`);
  const before = ids();
  return {
    unchanged: () => expect(ids()).toEqual(before),
    added: () => ids().filter((x) => !before.includes(x)),
  };
}

/** A denial in Binance's shape, with keywarden's code; nothing executed. */
async function expectDenied(p: Promise<Answer>, code: string, text?: RegExp) {
  const mark = engineMark();
  const r = await p;
  expect(r.status, JSON.stringify(r.body)).toBeGreaterThanOrEqual(400);
  expect(r.code).toBe(code);
  expect(r.body).toEqual({ code: expect.any(Number), msg: expect.stringContaining(`[${code}]`) });
  if (text) expect(r.body.msg).toMatch(text);
  mark.unchanged();
}

async function expectExecuted(p: Promise<Answer>) {
  const mark = engineMark();
  const r = await p;
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  expect(r.code).toBeUndefined();
  expect(mark.added().length).toBeGreaterThan(0);
  return r;
}

const order = (token: string, body: string) => send({ token }, 'POST', '/api/v3/order', body);

describe('binance policy integrity (issue 10)', () => {
  it('#2 a market order with a decoy price is refused; its honest form is priced at the market', async () => {
    const token = await tokenFor(TRADE);
    await expectDenied(
      order(token, 'symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.5&price=1'),
      'request_rejected',
      /price/,
    );
    await expectDenied(
      order(token, 'symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.5'),
      'policy_denied',
      /maxOrderNotional/,
    );
    await expectExecuted(order(token, 'symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01'));
  });

  it('#2 quoteOrderQty beside quantity is refused; quoteOrderQty alone executes', async () => {
    const token = await tokenFor(TRADE);
    await expectDenied(
      order(token, 'symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.5&quoteOrderQty=10'),
      'request_rejected',
      /not both/,
    );
    await expectExecuted(order(token, 'symbol=BTCUSDT&side=BUY&type=MARKET&quoteOrderQty=10'));
  });

  it('#1 unknown and decoy fields are refused before the policy, in any mode', async () => {
    const token = await tokenFor({ ...TRADE, mode: 'monitor' });
    const limit = 'symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price=59000';
    for (const extra of [
      'batchOrders=%5B%5D',
      'pegPriceType=PRIMARY_PEG',
      'sideEffectType=MARGIN_BUY',
      'stopPrice=1',
    ])
      await expectDenied(order(token, `${limit}&${extra}`), 'request_rejected');
    await expectExecuted(order(token, limit));
  });

  it('#4 every OCO price is banded: stopLimitPrice far off is denied, an honest OCO rests', async () => {
    const token = await tokenFor(TRADE);
    const oco = (stopLimit: string) =>
      send(
        { token },
        'POST',
        '/api/v3/order/oco',
        `symbol=BTCUSDT&side=SELL&quantity=0.01&price=61000&stopPrice=59000&stopLimitPrice=${stopLimit}&stopLimitTimeInForce=GTC`,
      );
    await expectDenied(oco('13000'), 'policy_denied', /stopLimitPrice.*priceBand/);
    await expectExecuted(oco('58500'));
  });

  it('#4 new OCO legs and trailing deltas: off-band stop denied, trailing unevaluable under a band', async () => {
    const token = await tokenFor(TRADE);
    const oco = (below: string) =>
      send(
        { token },
        'POST',
        '/api/v3/orderList/oco',
        `symbol=BTCUSDT&side=SELL&quantity=0.01&aboveType=LIMIT_MAKER&abovePrice=61000&belowType=STOP_LOSS&${below}`,
      );
    await expectDenied(oco('belowStopPrice=20000'), 'policy_denied', /belowStopPrice/);
    await expectDenied(oco('belowTrailingDelta=100'), 'policy_denied', /unpriced/);
    await expectExecuted(oco('belowStopPrice=59000'));
  });

  it('#4 cancelReplace is judged by its new order', async () => {
    const token = await tokenFor(TRADE);
    const placed = await expectExecuted(
      order(token, 'symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price=58000'),
    );
    const id = String(placed.body.orderId);
    const replace = (rest: string) =>
      send(
        { token },
        'POST',
        '/api/v3/order/cancelReplace',
        `symbol=BTCUSDT&cancelReplaceMode=STOP_ON_FAILURE&cancelOrderId=${id}&side=BUY&${rest}`,
      );
    await expectDenied(replace('type=MARKET&quantity=0.5'), 'policy_denied', /maxOrderNotional/);
    await expectDenied(replace('type=MARKET&quantity=0.5&price=1'), 'request_rejected');
    expect(h.sandbox.engine.order('main', { id })?.status).toBe('open');
    await expectExecuted(replace('type=LIMIT&timeInForce=GTC&quantity=0.01&price=58500'));
    expect(h.sandbox.engine.order('main', { id })?.status).toBe('canceled');
  });

  it('#4 an amend is judged against its resting order: decoys and a mismatched symbol are refused', async () => {
    const token = await tokenFor(TRADE);
    const placed = await expectExecuted(
      order(token, 'symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.015&price=58000'),
    );
    const id = String(placed.body.orderId);
    const eth = await tokenFor({ ...TRADE, symbols: { allow: ['ETH/USDT'] } });
    const ethOrder = await expectExecuted(
      order(eth, 'symbol=ETHUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.1&price=2900'),
    );
    const amend = (body: string) => send({ token }, 'PUT', '/api/v3/order/amend/keepPriority', body);
    await expectDenied(
      amend(`symbol=BTCUSDT&orderId=${id}&newQty=0.01&price=1`),
      'request_rejected',
      /price/,
    );
    // Another symbol's order is not found within BTCUSDT: no resting order, no amend.
    await expectDenied(
      amend(`symbol=BTCUSDT&orderId=${String(ethOrder.body.orderId)}&newQty=0.05`),
      'request_rejected',
      /could not be read/,
    );
    // The BTCUSDT order named under ETHUSDT: Binance finds none there, so the amend is refused.
    await expectDenied(
      amend(`symbol=ETHUSDT&orderId=${id}&newQty=0.01`),
      'request_rejected',
      /could not be read/,
    );
    const r = await amend(`symbol=BTCUSDT&orderId=${id}&newQty=0.01`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(h.sandbox.engine.order('main', { id })?.quantity).toBe(0.01);
  });

  it('#5 a sell limit far below the market counts at the market price', async () => {
    const token = await tokenFor({ ...TRADE, priceBandPercent: undefined });
    await expectDenied(
      order(token, 'symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=0.3&price=13000'),
      'policy_denied',
      /maxOrderNotional/,
    );
    await expectExecuted(
      order(token, 'symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=0.01&price=59000'),
    );
  });

  it('#7 margin orders and borrowing are action margin: denied to a spot trader, allowed when granted', async () => {
    const spot = await tokenFor(TRADE);
    const margin =
      'symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price=59000&sideEffectType=MARGIN_BUY';
    await expectDenied(
      send({ token: spot }, 'POST', '/sapi/v1/margin/order', margin),
      'policy_denied',
      /margin/,
    );
    await expectDenied(
      send(
        { token: spot },
        'POST',
        '/sapi/v1/margin/borrow-repay',
        'asset=USDT&isIsolated=FALSE&amount=5000&type=BORROW',
      ),
      'policy_denied',
      /margin/,
    );
    const granted = await tokenFor({ ...TRADE, actions: [...TRADE.actions, 'margin'] });
    await expectExecuted(send({ token: granted }, 'POST', '/sapi/v1/margin/order', margin));
  });

  it('#6 convert is its own action with the pair checked; an accepted quote keywarden never saw is denied', async () => {
    const trader = await tokenFor(TRADE);
    const quote = (token: string, body: string) => send({ token }, 'POST', '/sapi/v1/convert/getQuote', body);
    await expectDenied(
      quote(trader, 'fromAsset=USDT&toAsset=BTC&fromAmount=100'),
      'policy_denied',
      /convert/,
    );
    const converter = await tokenFor({ ...TRADE, actions: ['convert'] });
    await expectDenied(
      quote(converter, 'fromAsset=USDT&toAsset=ETH&fromAmount=100'),
      'policy_denied',
      /symbols/,
    );
    await expectDenied(
      quote(converter, 'fromAsset=USDT&toAsset=BTC&fromAmount=5000'),
      'policy_denied',
      /maxOrderNotional/,
    );
    const q = await quote(converter, 'fromAsset=USDT&toAsset=BTC&fromAmount=100');
    expect(q.status, JSON.stringify(q.body)).toBe(200);
    await expectDenied(
      send({ token: converter }, 'POST', '/sapi/v1/convert/acceptQuote', `quoteId=${String(q.body.quoteId)}`),
      'policy_denied',
      /orders/,
    );
  });

  it('#9 an identical signed request is not replayed inside its recvWindow; a fresh signature executes', async () => {
    const { credential } = await h.issue('binance', `integrity-${++n}`, { policy: TRADE });
    const signed = (ts: number, extra = '') => {
      const payload = `symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price=58000${extra}&timestamp=${ts}`;
      return `${payload}&signature=${binanceSignature(payload, credential.secret)}`;
    };
    const once = signed(Date.now());
    await expectExecuted(send({ apiKey: credential.apiKey }, 'POST', '/api/v3/order', once));
    await expectDenied(send({ apiKey: credential.apiKey }, 'POST', '/api/v3/order', once), 'auth_replayed');
    await expectDenied(
      send({ apiKey: credential.apiKey }, 'POST', '/api/v3/order', signed(Date.now(), '&recvWindow=70000')),
      'bad_request',
      /recvWindow/,
    );
    await expectExecuted(
      send({ apiKey: credential.apiKey }, 'POST', '/api/v3/order', signed(Date.now() + 1)),
    );
  });
});
