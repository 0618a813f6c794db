/**
 * CCXT 4.5.84 as the signing oracle for KuCoin (no official test vector is published): CCXT signs,
 * keywarden's verifyClient accepts what CCXT signed with an issued credential, and keywarden's
 * sign reproduces CCXT's headers byte for byte with the real one, minus CCXT's partner headers,
 * which keywarden strips and never forwards.
 */
import ccxt from 'ccxt';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Credential } from '../../src/exchanges/adapter.js';
import { KUCOIN_PARTNER_HEADERS, kucoin } from '../../src/exchanges/kucoin/index.js';
import { asRequest, ccxtSignAt } from './ccxt-oracle.js';
import { signCtxAt, verifyCtxAt } from './helpers.js';

const BASE = 'https://api.kucoin.com';
const ex = new ccxt.kucoin({});

const ccxtSign = (cred: Credential, ts: number, path: string, method: string, params: unknown) =>
  ccxtSignAt(ex, cred, ts, { path, api: 'private', method, params });

const withoutPartner = (headers: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(headers).filter(
      ([k]) => !(KUCOIN_PARTNER_HEADERS as readonly string[]).includes(k.toLowerCase()),
    ),
  );

/** Query values CCXT sends unencoded and KuCoin signs as sent (parse admits exactly these characters). */
const plain = fc.stringMatching(/^[A-Za-z0-9._~,:-]{1,12}$/);
const query = fc.dictionary(fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9]{0,8}$/), plain, { maxKeys: 4 });
/** Body values: anything JSON carries, including spaces, quotes and non-ASCII. */
const text = fc.string({ unit: 'grapheme', maxLength: 12 });
const order = fc.record({
  clientOid: fc.uuid(),
  side: fc.constantFrom('buy', 'sell'),
  symbol: fc.constantFrom('BTC-USDT', 'ETH-USDT'),
  type: fc.constantFrom('limit', 'market'),
  size: fc.integer({ min: 1, max: 10_000 }).map((n) => (n / 1000).toString()),
  price: fc.integer({ min: 1, max: 1_000_000 }).map(String),
  remark: text,
});
const timestamp = fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 });
const secret = fc.uuid();
const call = fc.oneof(
  fc.record({
    path: fc.constantFrom('accounts', 'orders', 'fills', 'user/api-key'),
    method: fc.constant('GET'),
    params: query,
  }),
  fc.record({ path: fc.constant('orders'), method: fc.constant('DELETE'), params: query }),
  fc.record({ path: fc.constant('orders'), method: fc.constant('POST'), params: order }),
  fc.record({
    path: fc.constantFrom('withdrawals', 'accounts/universal-transfer'),
    method: fc.constant('POST'),
    params: fc.dictionary(fc.stringMatching(/^[a-zA-Z]{1,8}$/), text, { minKeys: 1, maxKeys: 4 }),
  }),
);

describe('kucoin sign() against CCXT 4.5.84 as oracle', () => {
  it('signs exactly what CCXT signs for the same request, secret, passphrase and time (partner headers aside)', () => {
    fc.assert(
      fc.property(secret, timestamp, call, (sec, ts, c) => {
        const cred = { apiKey: 'oracle-key', secret: sec, password: 'oracle-pass' };
        const expected = ccxtSign(cred, ts, c.path, c.method, c.params);
        const request = asRequest(BASE, expected);
        expect(kucoin.parse(request).ok).toBe(true);
        const signed = kucoin.sign(kucoin.stripAuth(request), cred, signCtxAt(ts, BASE));
        const want = withoutPartner(expected.headers);
        expect(signed.headers).toStrictEqual(want);
        expect(Object.keys(signed.headers)).toEqual(Object.keys(want));
        expect(signed.body).toBe(expected.body ?? '');
        expect(`${BASE}${signed.path}${signed.query ? `?${signed.query}` : ''}`).toBe(expected.url);
      }),
      { numRuns: 300 },
    );
  });

  it('verifies a bot request signed by CCXT with the issued credential, then re-signs it as CCXT would with the real one', () => {
    const issued = kucoin.issueClientCredential();
    fc.assert(
      fc.property(secret, timestamp, call, (sec, ts, c) => {
        const bot = ccxtSign(issued.credential, ts, c.path, c.method, c.params);
        // CCXT sends its partner headers on every private call.
        expect(bot.headers['KC-API-PARTNER']).toBe('ccxt');
        const request = asRequest(BASE, bot);
        expect(
          kucoin.verifyClient(request, issued.verifier, verifyCtxAt(ts + 1000, '/kucoin')),
        ).toMatchObject({
          ok: true,
        });
        const real = { apiKey: 'real-key', secret: sec, password: 'real-pass' };
        const expected = ccxtSign(real, ts, c.path, c.method, c.params);
        const signed = kucoin.sign(kucoin.stripAuth(request), real, signCtxAt(ts, BASE));
        expect(signed.headers).toStrictEqual(withoutPartner(expected.headers));
        expect(Object.keys(signed.headers).map((k) => k.toLowerCase())).not.toContain('kc-api-partner-sign');
        expect(signed.body).toBe(expected.body ?? '');
      }),
      { numRuns: 150 },
    );
  });
});
