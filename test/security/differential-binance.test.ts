/**
 * Differential policy test for Binance (issue 10): random order requests in Binance's own wire
 * format (every order type, order lists, cancel-replace, margin; decoy, unknown and duplicated
 * fields; odd number forms; query/body splits) under random policies, through the real gateway
 * to the strict sandbox. Whatever the sandbox executed satisfies the policy, and whatever
 * keywarden allowed is exactly what executed. One gateway and sandbox for the whole property;
 * a fresh client (policy, usage) per case.
 */
import fc from 'fast-check';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BINANCE_ORDER_TYPES } from '../../src/exchanges/binance/schemas.js';
import type { Policy } from '../../src/policy/policy-types.js';
import { type Harness, startHarness } from '../gateway/harness.js';
import { differentialParams, markEngine, oddNumber, policyArb, violations } from './differential.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ exchanges: ['binance'] });
});
afterAll(() => h.close());

const SYMBOLS: Record<string, string> = {
  BTCUSDT: 'BTC/USDT',
  ETHUSDT: 'ETH/USDT',
  SOLUSDT: 'SOL/USDT',
  DOGEUSDT: 'DOGE/USDT',
  ETHBTC: 'ETH/BTC',
  BTCEUR: 'BTC/EUR',
};
const TYPES = [...BINANCE_ORDER_TYPES];
const OCO_TYPES = ['STOP_LOSS_LIMIT', 'STOP_LOSS', 'LIMIT_MAKER', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'];

/** A price as a factor of the market, written as Binance decimals (or an odd form). */
const priceArb = (market: number) =>
  fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .constantFrom(0.1, 0.5, 0.9, 0.96, 0.99, 1, 1.01, 1.04, 1.1, 2, 6)
        .map((f) => (market * f).toFixed(market < 1 ? 6 : 2)),
    },
    {
      weight: 6,
      arbitrary: fc
        .constantFrom(0.97, 0.995, 1.005, 1.03)
        .map((f) => (market * f).toFixed(market < 1 ? 6 : 2)),
    },
    { weight: 1, arbitrary: oddNumber },
  );
const sizeArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('0.001', '0.01', '0.02', '0.1', '0.5', '1', '3', '100', '5000') },
  { weight: 6, arbitrary: fc.constantFrom('0.0001', '0.0005', '0.002') },
  { weight: 1, arbitrary: oddNumber },
);
const decoyArb = fc.constantFrom<Field>(
  ['price', '1'],
  ['quoteOrderQty', '10'],
  ['quantity', '0.5'],
  ['stopPrice', '1'],
  ['batchOrders', '[]'],
  ['pegPriceType', 'PRIMARY_PEG'],
  ['sideEffectType', 'MARGIN_BUY'],
  ['isIsolated', 'TRUE'],
  ['Price', '1'],
  ['request', '[]'],
  ['newOrderRespType', 'FULL'],
  ['timeInForce', 'GTC'],
  ['trailingDelta', '100'],
  ['icebergQty', '0.001'],
);

type Field = [string, string];

interface Case {
  endpoint: string;
  symbol: string;
  side: 'BUY' | 'SELL';
  fields: Field[];
  /** Send this many fields in the query string, the rest in the body. */
  inQuery: number;
}

/** The fields of one order of `type`, each either its honest value or missing, sometimes odd. */
function orderFields(type: string, market: number, prefix = ''): fc.Arbitrary<Field[]> {
  const n = (f: string) => (prefix === '' ? f : `${prefix}${f[0]?.toUpperCase()}${f.slice(1)}`);
  const limit = ['LIMIT', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT', 'LIMIT_MAKER'].includes(type);
  const stop = type.startsWith('STOP') || type.startsWith('TAKE');
  const tif = limit && type !== 'LIMIT_MAKER';
  return fc
    .record({
      price: priceArb(market),
      stop: priceArb(market),
      tif: fc.constantFrom('GTC', 'IOC', 'FOK'),
      trailing: fc.boolean(),
      quote: fc.boolean(),
      amount: fc.constantFrom('10', '100', '900', '5000'),
    })
    .map((r) => {
      const out: Field[] = [[n('type'), type]];
      if (limit) out.push([n('price'), r.price]);
      if (tif) out.push([n('timeInForce'), r.tif]);
      if (stop) out.push(r.trailing ? [n('trailingDelta'), '100'] : [n('stopPrice'), r.stop]);
      if (type === 'MARKET' && r.quote && prefix === '') out.push(['quoteOrderQty', r.amount]);
      return out;
    });
}

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    raw: fc.constantFrom(...Object.keys(SYMBOLS)),
    side: fc.constantFrom('BUY' as const, 'SELL' as const),
    kind: fc.constantFrom('order', 'order', 'order', 'order', 'margin', 'oco', 'legacyOco', 'replace'),
    type: fc.constantFrom(...TYPES),
    above: fc.constantFrom(...OCO_TYPES),
    below: fc.constantFrom(...OCO_TYPES),
    size: sizeArb,
    seed: fc.integer(),
    decoys: fc.oneof(
      { weight: 3, arbitrary: fc.constant([] as Field[]) },
      { weight: 2, arbitrary: fc.array(decoyArb, { minLength: 1, maxLength: 2 }) },
    ),
    inQuery: fc.nat(6),
  })
  .chain((c) => {
    const market = h.sandbox.engine.market(SYMBOLS[c.raw] ?? '')?.price ?? 1;
    const legs =
      c.kind === 'oco'
        ? fc
            .tuple(orderFields(c.above, market, 'above'), orderFields(c.below, market, 'below'))
            .map(([a, b]) => [...a, ...b])
        : c.kind === 'legacyOco'
          ? fc
              .tuple(priceArb(market), priceArb(market), fc.option(priceArb(market), { nil: undefined }))
              .map(([price, stop, stopLimit]): Field[] => [
                ['price', price],
                ['stopPrice', stop],
                ...(stopLimit === undefined
                  ? []
                  : ([
                      ['stopLimitPrice', stopLimit],
                      ['stopLimitTimeInForce', 'GTC'],
                    ] as Field[])),
              ])
          : orderFields(c.type, market);
    return legs.map((fields): Case => {
      const endpoint = {
        order: '/api/v3/order',
        margin: '/sapi/v1/margin/order',
        oco: '/api/v3/orderList/oco',
        legacyOco: '/api/v3/order/oco',
        replace: '/api/v3/order/cancelReplace',
      }[c.kind] as string;
      const all: Field[] = [['symbol', c.raw], ['side', c.side], ...fields];
      if (!fields.some(([k]) => k === 'quoteOrderQty')) all.push(['quantity', c.size]);
      if (c.kind === 'replace')
        all.push(
          ['cancelReplaceMode', c.seed % 2 === 0 ? 'ALLOW_FAILURE' : 'STOP_ON_FAILURE'],
          ['cancelOrderId', '1'],
        );
      for (const d of c.decoys) all.splice(Math.abs(c.seed) % (all.length + 1), 0, d);
      return { endpoint, symbol: SYMBOLS[c.raw] ?? '', side: c.side, fields: all, inQuery: c.inQuery };
    });
  });

/** Random policies, most of which allow trading (and margin), so that allowed cases are common. */
const tradingPolicyArb = fc
  .tuple(policyArb(Object.values(SYMBOLS)), fc.nat(9))
  .map(
    ([p, k]): Policy =>
      k < 7 ? { ...p, actions: [...new Set([...p.actions, 'trade' as const, 'margin' as const])] } : p,
  );

const enc = (fields: Field[]) =>
  fields.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');

/** Top the shared account up, so that cases are not refused for balance alone. */
function topUp() {
  for (const b of h.sandbox.engine.balances('main').values()) b.free = Math.max(b.free, 1e7);
}

describe('binance differential policy property (issue 10)', () => {
  it(
    'whatever executes satisfies the policy; whatever is allowed executes as sent',
    async () => {
      const started = Date.now();
      const stats = { allowed: 0, executed: 0, denied: 0, exchangeRefused: 0 };
      let n = 0;
      const reasons: Record<string, number> = {};
      await fc.assert(
        fc.asyncProperty(tradingPolicyArb, caseArb, async (policy: Policy, c: Case) => {
          topUp();
          const { token } = await h.issue('binance', `diff-${++n}`, { policy });
          const mark = markEngine(h.sandbox.engine);
          const query = enc(c.fields.slice(0, c.inQuery));
          const r = await request(`${h.url}/binance${c.endpoint}${query ? `?${query}` : ''}`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${token}`,
              'content-type': 'application/x-www-form-urlencoded',
            },
            body: enc(c.fields.slice(c.inQuery)),
          });
          const text = await r.body.text();
          const denied = r.headers['x-keywarden-code'] !== undefined;
          const executed = mark();
          const price = (s: string) => h.sandbox.engine.market(s)?.price;
          expect(violations(policy, executed, price), `${c.endpoint} ${enc(c.fields)} → ${text}`).toEqual([]);
          if (denied) {
            stats.denied++;
            const why = String(r.headers['x-keywarden-code']);
            reasons[why] = (reasons[why] ?? 0) + 1;
            expect(executed.orders).toEqual([]);
            return;
          }
          stats.allowed++;
          // keywarden refuses first: the sandbox never has to refuse a parameter keywarden let through.
          const code = (JSON.parse(text) as { code?: number }).code;
          expect([-1104, -1106, -1100], `${c.endpoint} ${enc(c.fields)} → ${text}`).not.toContain(code);
          // 409: a cancel-replace whose cancel failed and whose new order was placed (Binance's partial success).
          if (r.statusCode !== 200 && r.statusCode !== 409) {
            stats.exchangeRefused++;
            expect(executed.orders).toEqual([]);
            return;
          }
          if (executed.orders.length > 0) stats.executed++;
          const qty = c.fields.find(([k]) => k === 'quantity')?.[1];
          for (const o of executed.orders) {
            expect(o.symbol).toBe(c.symbol);
            expect(o.side).toBe(c.side.toLowerCase());
            if (qty !== undefined) expect(o.quantity).toBe(Number(qty));
          }
        }),
        differentialParams(),
      );
      const ms = Date.now() - started;
      process.stdout.write(
        `binance differential: ${differentialParams().numRuns} runs in ${ms} ms ${JSON.stringify(stats)} ${JSON.stringify(reasons)}\n`,
      );
      expect(stats.allowed).toBeGreaterThan(0);
    },
    Math.max(600_000, differentialParams().numRuns * 200),
  );
});
