import ccxt from 'ccxt';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ExchangeRequest } from '../../src/exchanges/adapter.js';
import { jsonDuplicateKey, kraken, krakenSignature, krakenSymbol } from '../../src/exchanges/kraken/index.js';
import { encodeParams, type Params } from '../../src/exchanges/params.js';
import { expectSymbols, recordingTransport, reply, signCtxAt, verifyCtxAt } from './helpers.js';

// Official vector (docs.kraken.com spot REST authentication, exchanges.md §3.3).
const SECRET = 'kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==';
const NONCE = '1616492376594';
const BODY = 'nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25';
const SIGN = '4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ==';
const KEY = 'sandbox-kraken-key';

const verifyCtx = () => verifyCtxAt(0, '/kraken', '');
const signCtx = (nonce: string) => signCtxAt(0, 'https://api.kraken.com', nonce);
const addOrder = (body = BODY, sign = SIGN): ExchangeRequest => ({
  method: 'POST',
  path: '/0/private/AddOrder',
  query: '',
  headers: { 'api-key': KEY, 'api-sign': sign, 'content-type': 'application/x-www-form-urlencoded' },
  body,
});

describe('kraken official test vector', () => {
  it('API-Sign of the documented AddOrder equals the documented value', () => {
    expect(krakenSignature('/0/private/AddOrder', NONCE, BODY, SECRET)).toBe(SIGN);
  });
  it('sign() reproduces the documented request from the nonce-less body', () => {
    const signed = kraken.sign(
      { ...addOrder(), headers: {}, body: 'ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25' },
      { apiKey: KEY, secret: SECRET },
      signCtx(NONCE),
    );
    expect(signed.body).toBe(BODY);
    expect(signed.headers['API-Sign']).toBe(SIGN);
    expect(signed.headers['API-Key']).toBe(KEY);
  });
  it('verifyClient accepts the documented request', () => {
    expect(kraken.verifyClient(addOrder(), { apiKey: KEY, secret: SECRET }, verifyCtx())).toEqual({
      ok: true,
    });
  });
});

describe('kraken verifyClient rejects', () => {
  const verifier = { apiKey: KEY, secret: SECRET };
  it('a wrong secret with EAPI:Invalid signature', () => {
    const other = Buffer.alloc(64, 1).toString('base64');
    const r = kraken.verifyClient(addOrder(), { apiKey: KEY, secret: other }, verifyCtx());
    expect(r).toMatchObject({ ok: false, reason: 'bad_signature' });
    const res = kraken.errorResponse('auth', r.ok ? '' : r.message);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ error: ['EAPI:Invalid signature'], result: {} });
  });
  it('a reused nonce with EAPI:Invalid nonce, and a lower one too', () => {
    const ctx = verifyCtx();
    expect(kraken.verifyClient(addOrder(), verifier, ctx)).toEqual({ ok: true });
    const r = kraken.verifyClient(addOrder(), verifier, ctx);
    expect(r).toMatchObject({ ok: false, reason: 'nonce_reused', message: 'EAPI:Invalid nonce' });
    const lower = BODY.replace(NONCE, '1616492376593');
    const lowerSig = krakenSignature('/0/private/AddOrder', '1616492376593', lower, SECRET);
    expect(kraken.verifyClient(addOrder(lower, lowerSig), verifier, ctx)).toMatchObject({
      reason: 'nonce_reused',
    });
    expect(JSON.parse(kraken.errorResponse('timestamp', 'EAPI:Invalid nonce').body).error).toEqual([
      'EAPI:Invalid nonce',
    ]);
  });
  it('a forged request does not burn the nonce', () => {
    const ctx = verifyCtx();
    expect(kraken.verifyClient(addOrder(BODY, 'AAAA'), verifier, ctx)).toMatchObject({
      reason: 'bad_signature',
    });
    expect(kraken.verifyClient(addOrder(), verifier, ctx)).toEqual({ ok: true });
  });
  it('a body tampered after signing', () => {
    const r = kraken.verifyClient(addOrder(BODY.replace('volume=1.25', 'volume=125')), verifier, verifyCtx());
    expect(r).toMatchObject({ reason: 'bad_signature' });
  });
  it('a signature over another path', () => {
    const r = kraken.verifyClient({ ...addOrder(), path: '/0/private/Withdraw' }, verifier, verifyCtx());
    expect(r).toMatchObject({ reason: 'bad_signature' });
  });
  it('a missing key with EAPI:Invalid key', () => {
    const r = kraken.verifyClient({ ...addOrder(), headers: {} }, verifier, verifyCtx());
    expect(r).toMatchObject({ reason: 'missing_credentials' });
    expect(JSON.parse(kraken.errorResponse('auth', 'unknown key').body).error[0]).toBe('EAPI:Invalid key');
  });
});

describe('kraken parse and stripAuth', () => {
  it('refuses duplicated form fields, duplicated JSON keys and malformed bodies', () => {
    expect(kraken.parse(addOrder(`${BODY}&pair=ETHUSD`)).ok).toBe(false);
    const json = (body: string) => ({ ...addOrder(body), headers: { 'content-type': 'application/json' } });
    expect(kraken.parse(json('{"nonce":"1","pair":"XBTUSD","pair":"ETHUSD"}')).ok).toBe(false);
    expect(kraken.parse(json('{"nonce":"1","orders":[{"type":"buy","type":"sell"}]}')).ok).toBe(false);
    expect(kraken.parse(json('{"nonce":"1",')).ok).toBe(false);
    expect(kraken.parse(addOrder('pair=%ZZ')).ok).toBe(false);
    expect(kraken.parse({ ...addOrder(), query: 'volume=100' }).ok).toBe(false);
    expect(
      kraken.parse({
        ...addOrder(),
        path: '/0/public/Ticker',
        method: 'GET',
        body: '',
        query: 'pair=A&pair=B',
      }).ok,
    ).toBe(false);
    expect(kraken.parse(json('{"nonce":"1","orders":[{"type":"buy"},{"type":"sell"}]}')).ok).toBe(true);
    expect(jsonDuplicateKey('{"a":1,"b":{"a":2}}')).toBeUndefined();
  });
  it('removes nonce, otp, API-Key and API-Sign', () => {
    const s = kraken.stripAuth({
      ...addOrder(`${BODY}&otp=123456`),
      headers: { 'API-Key': 'k', 'API-Sign': 's', 'user-agent': 'x' },
    });
    expect(s.body).toBe('ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25');
    expect(s.headers).toEqual({ 'user-agent': 'x' });
  });
});

/** CCXT's own signing of one private call, with its nonce pinned. */
function ccxtSign(secret: string, nonce: number, method: string, params: Record<string, unknown>) {
  const ex = new ccxt.kraken({ apiKey: KEY, secret });
  ex.nonce = () => nonce;
  return ex.sign(method, 'private', 'POST', { ...params }) as {
    url: string;
    body: string;
    headers: Record<string, string>;
  };
}

const pair = fc.constantFrom('XBTUSD', 'XXBTZUSD', 'ETHUSDT', 'SOLEUR', 'XDGUSD');
const decimal = fc
  .tuple(fc.integer({ min: 0, max: 99999 }), fc.integer({ min: 1, max: 99999999 }))
  .map(([i, f]) => `${i}.${String(f).padStart(8, '0')}`.replace(/0+$/, ''));
const secret = fc.uint8Array({ minLength: 64, maxLength: 64 }).map((b) => Buffer.from(b).toString('base64'));
const nonce = fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 });

describe('kraken sign() equals CCXT 4.5.84 sign() (oracle)', () => {
  it('form-encoded AddOrder, CancelOrder and reads', () => {
    const call = fc.oneof(
      fc
        .record({
          pair,
          type: fc.constantFrom('buy', 'sell'),
          ordertype: fc.constantFrom('limit', 'market'),
          volume: decimal,
          price: decimal,
        })
        .map((o) => ({ method: 'AddOrder', params: Object.entries(o) as Params })),
      fc.constant({ method: 'BalanceEx', params: [] as Params }),
      fc.constant({ method: 'CancelOrder', params: [['txid', 'OUF4EM-FRGI2-MQMWZD']] as Params }),
    );
    fc.assert(
      fc.property(secret, nonce, call, (s, n, c) => {
        const expected = ccxtSign(s, n, c.method, Object.fromEntries(c.params));
        const signed = kraken.sign(
          {
            method: 'POST',
            path: `/0/private/${c.method}`,
            query: '',
            headers: {},
            body: encodeParams(c.params),
          },
          { apiKey: KEY, secret: s },
          signCtx(String(n)),
        );
        expect(`https://api.kraken.com${signed.path}`).toBe(expected.url);
        expect(signed.body).toBe(expected.body);
        expect(signed.headers['API-Sign']).toBe(expected.headers['API-Sign']);
        expect(signed.headers['API-Key']).toBe(expected.headers['API-Key']);
        expect(signed.headers['Content-Type']).toBe(expected.headers['Content-Type']);
      }),
      { numRuns: 100 },
    );
  });

  it('JSON-encoded AddOrderBatch', () => {
    const order = fc.record({
      type: fc.constantFrom('buy', 'sell'),
      ordertype: fc.constant('limit'),
      volume: decimal,
      price: decimal,
    });
    fc.assert(
      fc.property(secret, nonce, pair, fc.array(order, { minLength: 1, maxLength: 4 }), (s, n, p, orders) => {
        const params = { orders, pair: p };
        const expected = ccxtSign(s, n, 'AddOrderBatch', params);
        const signed = kraken.sign(
          {
            method: 'POST',
            path: '/0/private/AddOrderBatch',
            query: '',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(params),
          },
          { apiKey: KEY, secret: s },
          signCtx(String(n)),
        );
        expect(signed.body).toBe(expected.body);
        expect(signed.headers['API-Sign']).toBe(expected.headers['API-Sign']);
        expect(signed.headers['Content-Type']).toBe('application/json');
      }),
      { numRuns: 50 },
    );
  });
});

describe('kraken credentials, introspection and ticker', () => {
  it('issues kw_ keys with a base64 secret of 64 random bytes', () => {
    const { credential } = kraken.issueClientCredential();
    expect(credential.apiKey).toMatch(/^kw_[0-9A-Za-z]+$/);
    expect(Buffer.from(credential.secret, 'base64')).toHaveLength(64);
    expect(() => kraken.validateCredential(credential)).not.toThrow();
    expect(() => kraken.validateCredential({ apiKey: 'a', secret: 'not base64!' })).toThrow(/base64/);
  });
  it('reads GetApiKeyInfo into an introspection result without the api key', async () => {
    const { sent, transport } = recordingTransport(() =>
      reply({
        error: [],
        result: { apiKey: KEY, permissions: ['query-funds', 'modify-trades'], ipAllowlist: ['1.2.3.4'] },
      }),
    );
    const result = await kraken.introspect(
      { apiKey: KEY, secret: SECRET },
      transport,
      signCtx('1700000000000000'),
    );
    expect(sent[0]?.path).toBe('/0/private/GetApiKeyInfo');
    expect(sent[0]?.body).toBe('nonce=1700000000000000');
    expect(result).toMatchObject({
      available: true,
      canRead: true,
      canTrade: true,
      canWithdraw: false,
      ipRestricted: true,
    });
    expect(JSON.stringify(result)).not.toContain(KEY);
  });
  it('builds and reads the ticker', () => {
    expect(kraken.tickerRequest('BTC/USD')).toMatchObject({
      method: 'GET',
      path: '/0/public/Ticker',
      query: 'pair=XBTUSD',
    });
    expect(kraken.tickerRequest('DOGE/USD').query).toBe('pair=XDGUSD');
    const body = JSON.stringify({ error: [], result: { XXBTZUSD: { c: ['37500.10000', '0.1'] } } });
    expect(kraken.parseTicker(reply(body))).toBe(37500.1);
  });
  it('normalises Kraken pair names', () => {
    expectSymbols(krakenSymbol, [
      ['XXBTZUSD', 'BTC/USD'],
      ['XBTUSD', 'BTC/USD'],
      ['XETHXXBT', 'ETH/BTC'],
      ['XDGUSD', 'DOGE/USD'],
      ['XBTUSDT', 'BTC/USDT'],
      ['SOLEUR', 'SOL/EUR'],
      ['XBT/USD', 'BTC/USD'],
    ]);
  });
});
