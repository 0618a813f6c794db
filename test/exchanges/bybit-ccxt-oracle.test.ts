import { createHmac } from 'node:crypto';
import ccxt from 'ccxt';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Credential, ExchangeRequest } from '../../src/exchanges/adapter.js';
import { bybit, bybitReplayKey } from '../../src/exchanges/bybit/index.js';
import { asRequest, ccxtSignAt } from './ccxt-oracle.js';
import { signCtxAt, verifyCtxAt } from './helpers.js';

const BASE = 'https://api.bybit.com';

const ex = new ccxt.bybit({});

/** CCXT's own signing of one implicit-API call, with its clock and recv window pinned. */
function ccxtSign(
  cred: Credential,
  ts: number,
  recvWindow: number,
  path: string,
  method: string,
  params: Record<string, unknown>,
) {
  ex.options.recvWindow = recvWindow;
  return ccxtSignAt(ex, cred, ts, { path, api: 'private', method, params });
}

// CCXT puts Bybit GET parameters in the query unescaped: a bare `%` there is malformed
// percent-encoding, which keywarden's parser refuses (as any strict HTTP parser would), so the
// generated values leave it out.
const value = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 12 }).filter((v) => !v.includes('%')),
  fc.integer().map(String),
  fc.constantFrom('BTCUSDT', 'spot', '0.001', 'Buy'),
);
const params = fc.dictionary(fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9]{0,8}$/), value, { maxKeys: 5 });
const order = fc.record({
  category: fc.constantFrom('spot', 'linear'),
  symbol: fc.constantFrom('BTCUSDT', 'ETHUSDT'),
  side: fc.constantFrom('Buy', 'Sell'),
  orderType: fc.constantFrom('Limit', 'Market'),
  qty: fc.integer({ min: 1, max: 10_000 }).map((n) => (n / 1000).toString()),
  price: fc.integer({ min: 1, max: 1_000_000 }).map(String),
});
const timestamp = fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 });
const secret = fc.stringMatching(/^[A-Za-z0-9]{18,36}$/);
const recvWindow = fc.constantFrom(5000, 10000, 20000);
const call = fc.oneof(
  fc.record({
    path: fc.constantFrom('v5/account/wallet-balance', 'v5/order/realtime', 'v5/execution/list'),
    method: fc.constant('GET'),
    params,
  }),
  fc.record({
    path: fc.constantFrom('v5/asset/withdraw/create', 'v5/order/cancel'),
    method: fc.constant('POST'),
    params,
  }),
  fc.record({ path: fc.constant('v5/order/create'), method: fc.constant('POST'), params: order }),
  fc.record({
    path: fc.constant('v5/order/create-batch'),
    method: fc.constant('POST'),
    params: fc.record({
      category: fc.constant('spot'),
      request: fc.array(order, { minLength: 1, maxLength: 4 }),
    }),
  }),
);

describe('bybit sign() against CCXT 4.5.84 as oracle', () => {
  it('uses the default 5000 ms recv window when the bot sent none', () => {
    const ctx = signCtxAt(1_700_000_000_000, BASE);
    const request: ExchangeRequest = {
      method: 'GET',
      path: '/v5/account/wallet-balance',
      query: 'accountType=UNIFIED',
      headers: {},
      body: '',
    };
    const signed = bybit.sign(request, { apiKey: 'k', secret: 's' }, ctx);
    expect(signed.headers['X-BAPI-RECV-WINDOW']).toBe('5000');
    expect(signed.headers['X-BAPI-SIGN']).toBe(
      createHmac('sha256', 's').update('1700000000000k5000accountType=UNIFIED').digest('hex'),
    );
  });

  it('signs exactly what CCXT signs for the same request, secret, recv window and time', () => {
    fc.assert(
      fc.property(secret, timestamp, recvWindow, call, (sec, ts, rw, c) => {
        const cred = { apiKey: 'oracle-key', secret: sec };
        const expected = ccxtSign(cred, ts, rw, c.path, c.method, c.params);
        // The bot's recv window travels in its header; keywarden keeps it.
        const bot = asRequest(BASE, expected);
        const keep = bybit.sign(bybit.stripAuth(bot), cred, signCtxAt(ts, BASE));
        expect(keep.headers).toStrictEqual(expected.headers);
        expect(Object.keys(keep.headers)).toEqual(Object.keys(expected.headers));
        expect(keep.body).toBe(expected.body ?? '');
        expect(`${BASE}${keep.path}?${keep.query}`.replace(/\?$/, '')).toBe(expected.url.replace(/\?$/, ''));
      }),
      { numRuns: 300 },
    );
  });

  it('verifies a bot request signed with the issued credential, then re-signs it as CCXT would with the real one', () => {
    const issued = bybit.issueClientCredential();
    fc.assert(
      fc.property(secret, timestamp, recvWindow, call, (sec, ts, rw, c) => {
        const bot = asRequest(BASE, ccxtSign(issued.credential, ts, rw, c.path, c.method, c.params));
        expect(bybit.parse(bot).ok).toBe(true);
        expect(bybit.verifyClient(bot, issued.verifier, verifyCtxAt(ts + 500, '/bybit'))).toEqual({
          ok: true,
          replayKey: bybitReplayKey(bot),
          replayWindowMs: rw + 1000,
        });
        const real = { apiKey: 'real-key', secret: sec };
        const expected = ccxtSign(real, ts, rw, c.path, c.method, c.params);
        const signed = bybit.sign(bybit.stripAuth(bot), real, signCtxAt(ts, BASE));
        expect(signed.headers).toStrictEqual(expected.headers);
        expect(signed.body).toBe(expected.body ?? '');
      }),
      { numRuns: 150 },
    );
  });
});
