/**
 * Differential policy test for Coinbase (issue 10): random Advanced Trade orders in Coinbase's
 * own wire format — every configuration, decoy and duplicated fields, odd numbers, margin flags,
 * query strings, convert quote + commit — under random policies, through the real gateway to the
 * sandbox. Whatever the sandbox executed satisfies the policy; whatever keywarden let through is
 * exactly the order the request describes; every malformed request is a keywarden refusal.
 */
import fc from 'fast-check';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Policy } from '../../src/policy/policy-types.js';
import { DEFAULT_BALANCES } from '../../src/sandbox/engine.js';
import { type Harness, startHarness } from '../gateway/harness.js';
import { differentialParams, markEngine, oddNumber, policyArb, violations } from './differential.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    exchanges: ['coinbase'],
    config: { rateLimit: { perSecond: 1000, burst: 1000 } },
  });
});
afterAll(() => h.close());

const V3 = '/api/v3/brokerage';
const SPOT = ['BTC/USD', 'ETH/USD', 'SOL/USD', 'BTC/EUR', 'ETH/BTC', 'BTC/USDT', 'DOGE/USDT'];

/** What an honest request asks for; `malformed` names why keywarden must refuse it. */
interface Case {
  steps: Array<{ path: string; body: string; query: string }>;
  malformed?: string;
  margin: boolean;
  expect?: { symbol: string; side: 'buy' | 'sell'; base?: number; quote?: number };
  /** A resting limit order placed on the engine first (edits change it); `{id}` in a body names it. */
  resting?: { symbol: string; side: 'buy' | 'sell'; quantity: number; price: number };
}

const fmt = (n: number) => {
  const s = n.toFixed(8).replace(/0+$/, '').replace(/\.$/, '');
  return s === '' ? '0' : s;
};

const MARKET = ['market_market_ioc'];
const LIMIT = ['limit_limit_gtc', 'limit_limit_gtd', 'limit_limit_fok', 'sor_limit_ioc'];
const OTHER = ['stop_limit_stop_limit_gtc', 'trigger_bracket_gtc', 'scaled_limit_gtc', 'twap_limit_gtd'];

const decoyArb = fc.oneof(
  { weight: 12, arbitrary: fc.constant('none') },
  {
    weight: 13,
    arbitrary: fc.constantFrom(
      'limitOnMarket',
      'bothSizes',
      'topField',
      'detailField',
      'secondConfig',
      'query',
      'duplicate',
      'odd',
      'lowerSide',
      'derivative',
      'emptyConfig',
      'limitOnMarket',
      'bothSizes',
    ),
  },
);

const orderCase = fc
  .record({
    symbol: fc.constantFrom(...SPOT),
    side: fc.constantFrom('BUY' as const, 'SELL' as const),
    config: fc.constantFrom(...MARKET, ...LIMIT, ...LIMIT, ...OTHER),
    base: fc.constantFrom(0.001, 0.01, 0.05, 0.3, 1.5),
    quoteSize: fc.constantFrom(10, 100, 900, 5_000, 40_000),
    byQuote: fc.boolean(),
    priceFactor: fc.constantFrom(0.5, 0.9, 0.97, 0.99, 1, 1.01, 1.04, 1.1, 2),
    otherFactor: fc.constantFrom(0.5, 0.96, 1, 1.03, 3),
    decoy: decoyArb,
    odd: oddNumber,
    topField: fc.constantFrom(
      'size',
      'orders',
      'request',
      'product_ids',
      'retail_portfolio_id',
      'price',
      'funds',
    ),
    leverage: fc.oneof(
      { weight: 7, arbitrary: fc.constant(undefined) },
      {
        weight: 1,
        arbitrary: fc.constantFrom({ leverage: '2' }, { leverage: '5' }, { margin_type: 'CROSS' }),
      },
    ),
  })
  .map((r): Case => {
    const price = h.sandbox.engine.market(r.symbol)?.price ?? 1;
    const limit = fmt(price * r.priceFactor);
    const other = fmt(price * r.otherFactor);
    const isMarket = MARKET.includes(r.config);
    const detail: Record<string, unknown> = {};
    let base: number | undefined = r.base;
    let quote: number | undefined;
    if (isMarket && r.byQuote) {
      detail.quote_size = String(r.quoteSize);
      base = undefined;
      quote = r.quoteSize;
    } else detail.base_size = fmt(r.base);
    if (!isMarket) detail.limit_price = limit;
    if (r.config === 'limit_limit_gtd' || r.config === 'twap_limit_gtd')
      detail.end_time = '2030-01-01T00:00:00Z';
    if (r.config === 'stop_limit_stop_limit_gtc') detail.stop_price = other;
    if (r.config === 'trigger_bracket_gtc') detail.stop_trigger_price = other;
    if (r.config === 'scaled_limit_gtc') {
      delete detail.limit_price;
      Object.assign(detail, { num_orders: '3', min_price: limit, max_price: other });
    }
    let product = r.symbol.replace('/', '-');
    let side: string = r.side;
    const body: Record<string, unknown> = {
      client_order_id: `ccxt-${Math.random().toString(36).slice(2)}`,
      product_id: product,
      side,
      order_configuration: { [r.config]: detail },
      ...(r.leverage ?? {}),
    };
    let malformed: string | undefined = quote !== undefined && r.side === 'SELL' ? 'quoteSell' : undefined;
    let query = '';
    let text: string | undefined;
    switch (r.decoy) {
      case 'limitOnMarket':
        if (isMarket) {
          detail.limit_price = fmt(price * 0.01);
          malformed = r.decoy;
        }
        break;
      case 'bothSizes':
        detail.quote_size = '10';
        detail.base_size = fmt(r.base);
        malformed = r.decoy;
        break;
      case 'topField':
        body[r.topField] = r.topField === 'orders' || r.topField === 'request' ? [] : '100';
        malformed = r.decoy;
        break;
      case 'detailField':
        detail[isMarket ? 'post_only' : 'quote_size'] = isMarket ? true : '5';
        malformed = r.decoy;
        break;
      case 'secondConfig': {
        const second = r.config === 'market_market_ioc' ? 'limit_limit_gtc' : 'market_market_ioc';
        body.order_configuration = { [r.config]: detail, [second]: { base_size: '1', limit_price: '1' } };
        malformed = r.decoy;
        break;
      }
      case 'query':
        query = 'product_id=ETH-USD';
        malformed = r.decoy;
        break;
      case 'duplicate':
        text = JSON.stringify(body).replace(
          `"product_id":"${product}"`,
          `"product_id":"${product}","product_id":"ETH-USD"`,
        );
        malformed = r.decoy;
        break;
      case 'odd':
        if (detail.base_size !== undefined) detail.base_size = r.odd;
        else detail.quote_size = r.odd;
        malformed = r.decoy;
        break;
      case 'lowerSide':
        side = r.side.toLowerCase();
        body.side = side;
        malformed = r.decoy;
        break;
      case 'derivative':
        product = `${r.symbol.split('/')[0]}-PERP-INTX`;
        body.product_id = product;
        malformed = r.decoy;
        break;
      case 'emptyConfig':
        body.order_configuration = {};
        malformed = r.decoy;
        break;
    }
    const c: Case = {
      steps: [{ path: `${V3}/orders`, body: text ?? JSON.stringify(body), query }],
      margin: r.leverage !== undefined,
      expect: {
        symbol: r.symbol,
        side: r.side === 'BUY' ? 'buy' : 'sell',
        ...(base !== undefined ? { base } : {}),
        ...(quote !== undefined ? { quote } : {}),
      },
    };
    if (malformed !== undefined) c.malformed = malformed;
    return c;
  });

const convertCase = fc
  .record({
    pair: fc.constantFrom(
      ['USD', 'BTC'],
      ['BTC', 'USD'],
      ['USD', 'ETH'],
      ['ETH', 'USD'],
      ['EUR', 'BTC'],
      ['BTC', 'ETH'],
    ),
    amount: fc.constantFrom('0.01', '0.5', '100', '5000'),
    decoy: fc.constantFrom('none', 'none', 'extra', 'odd'),
    odd: oddNumber,
  })
  .map(({ pair, amount, decoy, odd }): Case => {
    const [from, to] = pair as [string, string];
    const quote: Record<string, unknown> = { from_account: from, to_account: to, amount };
    if (decoy === 'extra') quote.to_amount = '1';
    if (decoy === 'odd') quote.amount = odd;
    const fromIsQuote = ['USD', 'EUR'].includes(from);
    const symbol = fromIsQuote ? `${to}/${from}` : `${from}/${to}`;
    const c: Case = {
      steps: [
        { path: `${V3}/convert/quote`, body: JSON.stringify(quote), query: '' },
        {
          path: `${V3}/convert/trade/{id}`,
          body: JSON.stringify({ from_account: from, to_account: to }),
          query: '',
        },
      ],
      margin: false,
      expect: {
        symbol,
        side: fromIsQuote ? 'buy' : 'sell',
        ...(fromIsQuote ? { quote: Number(amount) } : { base: Number(amount) }),
      },
    };
    if (decoy !== 'none') c.malformed = decoy;
    else if (from === 'BTC' && to === 'ETH') c.malformed = 'no single market';
    return c;
  });

/** Edits of a resting limit order: new price and/or size, with decoys (a side, a product, odd numbers). */
const editCase = fc
  .record({
    symbol: fc.constantFrom('BTC/USD', 'ETH/USD', 'SOL/USD', 'ETH/BTC'),
    side: fc.constantFrom('buy' as const, 'sell' as const),
    size: fc.option(fc.constantFrom(0.001, 0.02, 0.4, 3), { nil: undefined }),
    priceFactor: fc.option(fc.constantFrom(0.5, 0.9, 0.97, 1.02, 1.2, 3), { nil: undefined }),
    decoy: fc.constantFrom('none', 'none', 'none', 'side', 'product', 'odd', 'empty'),
    odd: oddNumber,
  })
  .map((r): Case => {
    const market = h.sandbox.engine.market(r.symbol)?.price ?? 1;
    const restingPrice = Number(fmt(market * (r.side === 'buy' ? 0.96 : 1.04)));
    const body: Record<string, unknown> = { order_id: '{id}' };
    if (r.size !== undefined) body.size = fmt(r.size);
    if (r.priceFactor !== undefined) body.price = fmt(market * r.priceFactor);
    let malformed: string | undefined =
      r.size === undefined && r.priceFactor === undefined ? 'nothing to edit' : undefined;
    if (r.decoy === 'side') body.side = r.side === 'buy' ? 'SELL' : 'BUY';
    if (r.decoy === 'product') body.product_id = 'DOGE-USDT';
    if (r.decoy === 'odd') body.price = r.odd;
    if (r.decoy === 'empty') body.order_configuration = {};
    if (r.decoy !== 'none') malformed = r.decoy;
    const c: Case = {
      steps: [{ path: `${V3}/orders/edit`, body: JSON.stringify(body), query: '' }],
      margin: false,
      resting: { symbol: r.symbol, side: r.side, quantity: 0.01, price: restingPrice },
      expect: { symbol: r.symbol, side: r.side, base: r.size ?? 0.01 },
    };
    if (malformed !== undefined) c.malformed = malformed;
    return c;
  });

async function post(token: string, step: Case['steps'][number], tradeId: string) {
  const path = step.path.replace('{id}', tradeId);
  const r = await request(`${h.url}/coinbase${path}${step.query === '' ? '' : `?${step.query}`}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: step.body,
  });
  const text = await r.body.text();
  const code = r.headers['x-keywarden-code'];
  return { status: r.statusCode, code: typeof code === 'string' ? code : undefined, text };
}

/** Give the account its balances back and cancel what rests, so every case can execute. */
function resetAccount() {
  const { engine } = h.sandbox;
  for (const o of engine.openOrders('main')) engine.cancelOrder('main', { id: o.id });
  const balances = engine.balances('main');
  for (const [asset, amount] of Object.entries(DEFAULT_BALANCES))
    balances.set(asset, { free: amount, locked: 0 });
}

describe('coinbase differential policy property', () => {
  it('executes only what the policy allows, and exactly what keywarden allowed', async () => {
    const started = performance.now();
    let executedCases = 0;
    let refused = 0;
    const spot = h.sandbox.engine.markets().map((m) => m.symbol);
    // Half the policies may trade for sure, so that allowed orders are common enough to compare.
    const policies = fc.oneof(
      policyArb(spot),
      policyArb(spot).map(
        (p): Policy => ({
          ...p,
          actions: [...new Set([...p.actions, 'trade' as const])],
          markets: [...new Set([...(p.markets ?? []), 'spot' as const])],
        }),
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        policies,
        fc.oneof(
          { weight: 5, arbitrary: orderCase },
          { weight: 1, arbitrary: convertCase },
          { weight: 2, arbitrary: editCase },
        ),
        async (policy: Policy, c: Case) => {
          resetAccount();
          const issued = await h.issue('coinbase', `diff-${Math.random().toString(36).slice(2)}`, { policy });
          const answers: Array<{ status: number; code: string | undefined; text: string }> = [];
          let tradeId = '';
          if (c.resting) {
            const placed = h.sandbox.engine.placeOrder({ account: 'main', type: 'limit', ...c.resting });
            if (!placed.ok) throw new Error(placed.error.message);
            tradeId = placed.value.id;
          }
          const executed = markEngine(h.sandbox.engine);
          for (const step of c.steps) {
            const a = await post(
              issued.token,
              { ...step, body: step.body.replace('{id}', tradeId) },
              tradeId,
            );
            answers.push(a);
            if (a.code !== undefined || a.status !== 200) break;
            const id = (JSON.parse(a.text) as { trade?: { id?: string } }).trade?.id;
            if (id) tradeId = id;
          }
          const done = executed();
          const problems = violations(policy, done, (s) => h.sandbox.engine.market(s)?.price);
          expect(problems, JSON.stringify({ policy, c, answers })).toEqual([]);
          const first = answers[0];
          if (c.malformed !== undefined) {
            expect(first?.code, `${c.malformed}: ${first?.text}`).toMatch(/^(request_rejected|bad_request)$/);
            refused++;
          }
          if (c.margin && !policy.actions.includes('margin'))
            expect(first?.code).toMatch(/^(policy_denied|request_rejected|bad_request)$/);
          const allowed = answers.length === c.steps.length && answers.every((a) => a.code === undefined);
          if (!allowed) expect(done.orders, JSON.stringify({ c, answers })).toEqual([]);
          if (done.orders.length > 0) {
            executedCases++;
            expect(done.orders).toHaveLength(1);
            const o = done.orders[0];
            const want = c.expect;
            expect(o?.symbol).toBe(want?.symbol);
            expect(o?.side).toBe(want?.side);
            if (want?.base !== undefined) expect(o?.quantity).toBeCloseTo(want.base, 10);
            if (want?.quote !== undefined) {
              const price = h.sandbox.engine.market(o?.symbol ?? '')?.price ?? 0;
              expect((o?.quantity ?? 0) * price).toBeCloseTo(want.quote, 6);
            }
          }
        },
      ),
      differentialParams(),
    );
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(
      `coinbase differential: ${differentialParams().numRuns} runs in ${seconds.toFixed(1)} s, ${executedCases} executed, ${refused} malformed refused\n`,
    );
    expect(executedCases).toBeGreaterThan(0);
  }, 600_000);
});
