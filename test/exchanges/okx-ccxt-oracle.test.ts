import ccxt from 'ccxt';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Credential, ExchangeRequest } from '../../src/exchanges/adapter.js';
import { okx } from '../../src/exchanges/okx/index.js';
import { asRequest, ccxtSignAt } from './ccxt-oracle.js';
import { signCtxAt, verifyCtxAt } from './helpers.js';

const BASE = 'https://www.okx.com';

const ex = new ccxt.okx({});

/** CCXT's own signing of one implicit-API call, with its clock pinned. */
const ccxtSign = (cred: Credential, ts: number, path: string, method: string, params: unknown) =>
  ccxtSignAt(ex, cred, ts, { path, api: 'private', method, params });

const text = fc.string({ unit: 'grapheme', maxLength: 12 });
const value = fc.oneof(text, fc.integer().map(String), fc.constantFrom('BTC-USDT', '0.001', 'a b&c=d'));
const params = fc.dictionary(fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9]{0,8}$/), value, { maxKeys: 5 });
const order = fc.record({
  instId: fc.constantFrom('BTC-USDT', 'ETH-USDT', 'BTC-USDT-SWAP'),
  tdMode: fc.constant('cash'),
  side: fc.constantFrom('buy', 'sell'),
  ordType: fc.constantFrom('limit', 'market'),
  sz: fc.integer({ min: 1, max: 10_000 }).map((n) => (n / 1000).toString()),
  px: fc.integer({ min: 1, max: 1_000_000 }).map(String),
  // Fixed so CCXT does not inject a random one between the two signings.
  clOrdId: fc.stringMatching(/^[a-zA-Z0-9]{1,20}$/),
});
const timestamp = fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 });
const secret = fc.stringMatching(/^[A-F0-9]{32}$/);
const call = fc.oneof(
  fc.record({
    path: fc.constantFrom('account/balance', 'trade/orders-pending', 'trade/fills'),
    method: fc.constant('GET'),
    params,
  }),
  fc.record({
    path: fc.constantFrom('asset/withdrawal', 'trade/cancel-order'),
    method: fc.constant('POST'),
    params,
  }),
  fc.record({ path: fc.constant('trade/order'), method: fc.constant('POST'), params: order }),
  fc.record({
    path: fc.constant('trade/batch-orders'),
    method: fc.constant('POST'),
    params: fc.array(order, { minLength: 1, maxLength: 4 }),
  }),
);

describe('okx sign() against CCXT 4.5.84 as oracle', () => {
  it('signs exactly what CCXT signs for the same request, secret, passphrase and time', () => {
    fc.assert(
      fc.property(secret, timestamp, call, (sec, ts, c) => {
        const cred = { apiKey: 'oracle-key', secret: sec, password: 'oracle-pass' };
        const expected = ccxtSign(cred, ts, c.path, c.method, c.params);
        const signed = okx.sign(okx.stripAuth(asRequest(BASE, expected)), cred, signCtxAt(ts, BASE));
        expect(signed.headers).toStrictEqual(expected.headers);
        expect(Object.keys(signed.headers)).toEqual(Object.keys(expected.headers));
        expect(signed.body).toBe(expected.body ?? '');
        expect(`${BASE}${signed.path}${signed.query ? `?${signed.query}` : ''}`).toBe(expected.url);
      }),
      { numRuns: 300 },
    );
  });

  it('verifies a bot request signed with the issued credential, then re-signs it as CCXT would with the real one', () => {
    const issued = okx.issueClientCredential();
    fc.assert(
      fc.property(secret, timestamp, call, (sec, ts, c) => {
        const bot = ccxtSign(
          { ...issued.credential, password: issued.credential.password ?? '' },
          ts,
          c.path,
          c.method,
          c.params,
        );
        const request = asRequest(BASE, bot);
        expect(okx.parse(request).ok).toBe(true);
        expect(okx.verifyClient(request, issued.verifier, verifyCtxAt(ts + 1000, '/okx'))).toMatchObject({
          ok: true,
        });
        const real = { apiKey: 'real-key', secret: sec, password: 'real-pass' };
        const expected = ccxtSign(real, ts, c.path, c.method, c.params);
        const signed = okx.sign(okx.stripAuth(request), real, signCtxAt(ts, BASE));
        expect(signed.headers).toStrictEqual(expected.headers);
        expect(signed.body).toBe(expected.body ?? '');
      }),
      { numRuns: 150 },
    );
  });

  it('keeps the demo-trading header CCXT sends in sandbox mode', () => {
    const ex = new ccxt.okx({ apiKey: 'k', secret: 's', password: 'p' });
    ex.setSandboxMode(true);
    const ctx = signCtxAt(1_700_000_000_000, BASE);
    const request: ExchangeRequest = {
      method: 'GET',
      path: '/api/v5/account/balance',
      query: '',
      headers: { ...ex.headers },
      body: '',
    };
    expect(
      okx.sign(request, { apiKey: 'k', secret: 's', password: 'p' }, ctx).headers['x-simulated-trading'],
    ).toBe('1');
  });
});
