/**
 * Bitget publishes no signing vector with a secret, so CCXT 4.5.84 is the oracle: CCXT signs,
 * keywarden's verifyClient accepts, and keywarden's sign reproduces CCXT's headers byte for
 * byte, except CCXT's broker header X-CHANNEL-API-CODE: it is not signed, and keywarden does
 * not declare it as forwarded, so the gateway drops it and its own signing adds none.
 */
import ccxt from 'ccxt';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Credential } from '../../src/exchanges/adapter.js';
import { bitget } from '../../src/exchanges/bitget/index.js';
import { asRequest, ccxtSignAt } from './ccxt-oracle.js';
import { signCtxAt, verifyCtxAt } from './helpers.js';

const BASE = 'https://api.bitget.com';
const ex = new ccxt.bitget({});

const ccxtSign = (cred: Credential, ts: number, path: string, method: string, params: unknown) =>
  ccxtSignAt(ex, cred, ts, { path, api: ['private', 'spot'], method, params });

const withoutBroker = (headers: Record<string, string>) =>
  Object.fromEntries(Object.entries(headers).filter(([k]) => k !== 'X-CHANNEL-API-CODE'));

/** Values a spot bot sends in a query: plain text (percent-escapes are refused by parse, see below). */
const plain = fc.stringMatching(/^[A-Za-z0-9._-]{1,12}$/);
const params = fc.dictionary(fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9]{0,8}$/), plain, { maxKeys: 5 });
const order = fc.record({
  symbol: fc.constantFrom('BTCUSDT', 'ETHUSDT'),
  side: fc.constantFrom('buy', 'sell'),
  orderType: fc.constantFrom('limit', 'market'),
  force: fc.constantFrom('GTC', 'IOC', 'post_only'),
  size: fc.integer({ min: 1, max: 10_000 }).map((n) => (n / 1000).toString()),
  price: fc.integer({ min: 1, max: 1_000_000 }).map(String),
  clientOid: fc.stringMatching(/^[a-zA-Z0-9-]{1,36}$/),
});
const timestamp = fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 });
const secret = fc.stringMatching(/^[a-f0-9]{64}$/);
const call = fc.oneof(
  fc.record({
    path: fc.constantFrom('v2/spot/account/assets', 'v2/spot/trade/unfilled-orders', 'v2/spot/trade/fills'),
    method: fc.constant('GET'),
    params,
  }),
  fc.record({ path: fc.constant('v2/spot/trade/place-order'), method: fc.constant('POST'), params: order }),
  fc.record({
    path: fc.constant('v2/spot/wallet/transfer'),
    method: fc.constant('POST'),
    params: fc.record({
      fromType: fc.constant('spot'),
      toType: fc.constant('p2p'),
      amount: fc.nat(),
      coin: plain,
    }),
  }),
);

describe('bitget sign() against CCXT 4.5.84 as oracle', () => {
  it('signs exactly what CCXT signs for the same request, secret, passphrase and time', () => {
    fc.assert(
      fc.property(secret, timestamp, call, (sec, ts, c) => {
        const cred = { apiKey: 'bg_oracle', secret: sec, password: 'oracle-pass' };
        const expected = ccxtSign(cred, ts, c.path, c.method, c.params);
        expect(expected.headers['X-CHANNEL-API-CODE']).toBeDefined();
        const signed = bitget.sign(bitget.stripAuth(asRequest(BASE, expected)), cred, signCtxAt(ts, BASE));
        // The broker header rides along here only because stripAuth leaves non-auth headers to the gateway.
        expect(withoutBroker(signed.headers)).toStrictEqual(withoutBroker(expected.headers));
        expect(signed.body).toBe(expected.body ?? '');
        expect(`${BASE}${signed.path}${signed.query ? `?${signed.query}` : ''}`).toBe(expected.url);
      }),
      { numRuns: 300 },
    );
  });

  it('verifies a bot request signed with the issued credential, then re-signs it as CCXT would with the real one', () => {
    const issued = bitget.issueClientCredential();
    fc.assert(
      fc.property(secret, timestamp, call, (sec, ts, c) => {
        const bot = ccxtSign(issued.credential, ts, c.path, c.method, c.params);
        const request = asRequest(BASE, bot);
        expect(bitget.parse(request).ok).toBe(true);
        expect(
          bitget.verifyClient(request, issued.verifier, verifyCtxAt(ts + 1000, '/bitget')),
        ).toMatchObject({
          ok: true,
        });
        const real = { apiKey: 'bg_real', secret: sec, password: 'real-pass' };
        const expected = ccxtSign(real, ts, c.path, c.method, c.params);
        const { 'X-CHANNEL-API-CODE': _broker, ...forwarded } = request.headers;
        const signed = bitget.sign(
          bitget.stripAuth({ ...request, headers: forwarded }),
          real,
          signCtxAt(ts, BASE),
        );
        expect(signed.headers).toStrictEqual(withoutBroker(expected.headers));
        expect(signed.body).toBe(expected.body ?? '');
      }),
      { numRuns: 150 },
    );
  });

  it('refuses a query CCXT sends percent-encoded but signs decoded (which text Bitget verifies is unconfirmed)', () => {
    const issued = bitget.issueClientCredential();
    const bot = ccxtSign(issued.credential, 1_700_000_000_000, 'v2/spot/trade/fills', 'GET', {
      clientOid: 'a b',
      symbol: 'BTCUSDT',
    });
    const request = asRequest(BASE, bot);
    expect(request.query).toContain('%20');
    expect(bitget.parse(request)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/percent-encoded/),
    });
    expect(bitget.classify(request).rejected).toMatch(/percent-encoded/);
  });

  it('keeps the demo-trading header CCXT sends in sandbox mode', () => {
    const demo = new ccxt.bitget({ apiKey: 'k', secret: 's', password: 'p' });
    demo.setSandboxMode(true);
    const signed = demo.sign('v2/spot/account/assets', ['private', 'spot'], 'GET', {}) as {
      headers: Record<string, string>;
    };
    expect(signed.headers.PAPTRADING).toBe('1');
    expect(bitget.forwardedHeaders).toContain('paptrading');
  });
});
