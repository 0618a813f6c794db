import { generateKeyPairSync, sign } from 'node:crypto';
import ccxt from 'ccxt';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Action } from '../../src/core/index.js';
import type { Credential, ExchangeRequest, ExchangeResponse } from '../../src/exchanges/adapter.js';
import {
  buildJwt,
  coinbase,
  decodeJwt,
  legacyPrehash,
  legacySignature,
  loadSigningKey,
} from '../../src/exchanges/coinbase/index.js';
import { ADAPTERS } from '../../src/exchanges/index.js';
import { malformedPem, pemHeader } from '../pem.js';
import { recordingTransport, reply, req, signCtxAt, verifyCtxAt } from './helpers.js';

const NOW = 1_700_000_000;
const GATEWAY = 'http://127.0.0.1:8787/coinbase';

const signCtx = (baseUrl = GATEWAY, atSeconds = NOW) => signCtxAt(atSeconds * 1000, baseUrl, '1');
const verifyCtx = (atSeconds = NOW) => verifyCtxAt(atSeconds * 1000, '/coinbase', '127.0.0.1:8787');

function tokenOf(r: ExchangeRequest): string {
  return String(r.headers.authorization).replace(/^Bearer /, '');
}

describe('coinbase classify', () => {
  const order = (config: Record<string, unknown>, side = 'BUY', product = 'BTC-USD') =>
    JSON.stringify({ client_order_id: 'c1', product_id: product, side, order_configuration: config });
  // [method, path, action, body = '', endpoint = `${method} ${path}`]
  const table: Array<[string, string, Action, string?, string?]> = [
    ['GET', '/api/v3/brokerage/accounts', 'read'],
    [
      'GET',
      '/api/v3/brokerage/accounts/8bfc20d7-f7c6-4422-bf07-8243ca4169fe',
      'read',
      '',
      'GET /api/v3/brokerage/accounts/{id}',
    ],
    ['GET', '/api/v3/brokerage/orders/historical/batch', 'read'],
    [
      'GET',
      '/api/v3/brokerage/orders/historical/0000-1111',
      'read',
      '',
      'GET /api/v3/brokerage/orders/historical/{id}',
    ],
    ['GET', '/api/v3/brokerage/orders/historical/fills', 'read'],
    ['GET', '/api/v3/brokerage/transaction_summary', 'read'],
    ['GET', '/api/v3/brokerage/portfolios', 'read'],
    ['GET', '/api/v3/brokerage/portfolios/p-1', 'read', '', 'GET /api/v3/brokerage/portfolios/{id}'],
    ['GET', '/api/v3/brokerage/key_permissions', 'read'],
    ['GET', '/api/v3/brokerage/payment_methods', 'read'],
    ['GET', '/api/v3/brokerage/products', 'read'],
    [
      'GET',
      '/api/v3/brokerage/products/BTC-USD/ticker',
      'read',
      '',
      'GET /api/v3/brokerage/products/{id}/ticker',
    ],
    ['GET', '/api/v3/brokerage/best_bid_ask', 'read'],
    ['GET', '/api/v3/brokerage/product_book', 'read'],
    ['GET', '/api/v3/brokerage/market/products', 'public'],
    [
      'GET',
      '/api/v3/brokerage/market/products/BTC-USD',
      'public',
      '',
      'GET /api/v3/brokerage/market/products/{id}',
    ],
    ['GET', '/api/v3/brokerage/time', 'public'],
    ['GET', '/v2/currencies', 'public'],
    ['GET', '/v2/currencies/crypto', 'public'],
    ['GET', '/v2/exchange-rates', 'public'],
    ['GET', '/v2/accounts', 'read'],
    ['GET', '/v2/accounts/a-1/transactions', 'read', '', 'GET /v2/accounts/{id}/transactions'],
    ['POST', '/api/v3/brokerage/orders', 'trade', order({ market_market_ioc: { quote_size: '10' } })],
    ['POST', '/api/v3/brokerage/orders/preview', 'trade', order({ market_market_ioc: { quote_size: '10' } })],
    ['POST', '/api/v3/brokerage/orders/edit', 'trade', '{"order_id":"1","price":"100","size":"2"}'],
    ['POST', '/api/v3/brokerage/orders/edit_preview', 'trade', '{"order_id":"1","price":"100","size":"2"}'],
    ['POST', '/api/v3/brokerage/orders/close_position', 'trade', '{"product_id":"BTC-PERP-INTX","size":"1"}'],
    ['POST', '/api/v3/brokerage/orders/batch_cancel', 'cancel', '{"order_ids":["1","2"]}'],
    [
      'POST',
      '/api/v3/brokerage/convert/quote',
      'convert',
      '{"from_account":"USD","to_account":"USDC","amount":"10"}',
    ],
    [
      'POST',
      '/api/v3/brokerage/convert/trade/t-1',
      'convert',
      '{"from_account":"USD","to_account":"USDC"}',
      'POST /api/v3/brokerage/convert/trade/{id}',
    ],
    ['GET', '/api/v3/brokerage/convert/trade/t-1', 'read', '', 'GET /api/v3/brokerage/convert/trade/{id}'],
    [
      'POST',
      '/api/v3/brokerage/portfolios/move_funds',
      'transfer',
      '{"funds":{"value":"5","currency":"USD"},"source_portfolio_uuid":"a","target_portfolio_uuid":"b"}',
    ],
    ['POST', '/api/v3/brokerage/portfolios', 'transfer', '{"name":"x"}'],
    [
      'PUT',
      '/api/v3/brokerage/portfolios/p-1',
      'transfer',
      '{"name":"y"}',
      'PUT /api/v3/brokerage/portfolios/{id}',
    ],
    [
      'DELETE',
      '/api/v3/brokerage/portfolios/p-1',
      'transfer',
      '',
      'DELETE /api/v3/brokerage/portfolios/{id}',
    ],
    ['POST', '/api/v3/brokerage/intx/allocate', 'transfer', '{}'],
    ['POST', '/api/v3/brokerage/cfm/sweeps/schedule', 'transfer', '{}'],
    [
      'POST',
      '/v2/accounts/a-1/transactions',
      'withdraw',
      '{"type":"send","to":"bc1q","amount":"0.1","currency":"BTC"}',
      'POST /v2/accounts/{id}/transactions',
    ],
    [
      'POST',
      '/v2/accounts/a-1/transactions',
      'transfer',
      '{"type":"transfer","to":"a-2","amount":"0.1","currency":"BTC"}',
      'POST /v2/accounts/{id}/transactions',
    ],
    [
      'POST',
      '/v2/accounts/a-1/transactions',
      'withdraw',
      '{"type":"request","to":"x@y.z","amount":"1","currency":"BTC"}',
      'POST /v2/accounts/{id}/transactions',
    ],
    [
      'POST',
      '/v2/accounts/a-1/withdrawals',
      'withdraw',
      '{"amount":"10","currency":"USD","payment_method":"pm"}',
      'POST /v2/accounts/{id}/withdrawals',
    ],
    [
      'POST',
      '/v2/accounts/a-1/withdrawals/w-1/commit',
      'withdraw',
      '',
      'POST /v2/accounts/{id}/withdrawals/{id}/commit',
    ],
    [
      'POST',
      '/v2/accounts/a-1/deposits',
      'transfer',
      '{"amount":"10","currency":"USD"}',
      'POST /v2/accounts/{id}/deposits',
    ],
    ['POST', '/v2/accounts/a-1/addresses', 'account-admin', '{}', 'POST /v2/accounts/{id}/addresses'],
    ['POST', '/api/v3/brokerage/something_new', 'unknown', '{}'],
    ['GET', '/elsewhere', 'unknown'],
  ];
  for (const [method, path, action, body = '', endpoint = `${method} ${path}`] of table) {
    it(`classifies ${method} ${path}${body.includes('"type"') ? ` ${body.slice(0, 20)}` : ''} as ${action}`, () => {
      const c = coinbase.classify(req(method, path, body));
      expect(c.action).toBe(action);
      expect(c.endpoint).toBe(endpoint);
    });
  }

  it('reads sends and move_funds as withdrawal intents', () => {
    const send = coinbase.classify(
      req(
        'POST',
        '/v2/accounts/a/transactions',
        '{"type":"send","to":"rXYZ","amount":"12.5","currency":"xrp","destination_tag":"77","network":"ripple"}',
      ),
    );
    expect(send.withdrawal).toEqual({
      coin: 'XRP',
      amount: 12.5,
      address: 'rXYZ',
      tag: '77',
      network: 'ripple',
    });
    const move = coinbase.classify(
      req(
        'POST',
        '/api/v3/brokerage/portfolios/move_funds',
        '{"funds":{"value":"5","currency":"usd"},"source_portfolio_uuid":"a","target_portfolio_uuid":"b"}',
      ),
    );
    expect(move.withdrawal).toEqual({ coin: 'USD', amount: 5, address: 'b' });
  });
});

describe('coinbase parse', () => {
  it('rejects duplicated query parameters', () => {
    expect(
      coinbase.parse(
        req('GET', '/api/v3/brokerage/orders/historical/batch', '', 'product_id=BTC-USD&product_id=ETH-USD'),
      ).ok,
    ).toBe(false);
  });
  it('allows repeated list parameters Coinbase documents (product_ids, order_status, ...)', () => {
    const q = 'product_ids=BTC-USD&product_ids=ETH-USD&order_status=OPEN&order_status=FILLED&limit=5';
    expect(coinbase.parse(req('GET', '/api/v3/brokerage/best_bid_ask', '', q)).ok).toBe(true);
    expect(coinbase.parse(req('GET', '/x', '', 'limit=5&product_ids=A&limit=6')).ok).toBe(false);
    expect(coinbase.parse(req('GET', '/x', '', 'product_ids=%E0%A4%A')).ok).toBe(false);
  });
  it('rejects JSON bodies with duplicate keys, also nested', () => {
    expect(coinbase.parse(req('POST', '/api/v3/brokerage/orders', '{"side":"BUY","side":"SELL"}')).ok).toBe(
      false,
    );
    const nested = '{"order_configuration":{"market_market_ioc":{"quote_size":"1","quote_size":"100000"}}}';
    expect(coinbase.parse(req('POST', '/api/v3/brokerage/orders', nested)).ok).toBe(false);
    expect(coinbase.parse(req('POST', '/x', '{"a\\u0062":1,"ab":2}')).ok).toBe(false);
  });
  it('accepts repeated keys in different objects and strings that look like keys', () => {
    const ok = '{"a":{"k":1},"b":{"k":2},"c":[{"k":1},{"k":2}],"d":"\\"k\\":1,\\"k\\""}';
    expect(coinbase.parse(req('POST', '/x', ok)).ok).toBe(true);
  });
  it('accepts any serialised object and rejects it once a key is repeated (property)', () => {
    fc.assert(
      fc.property(fc.object({ maxDepth: 3 }), fc.string(), fc.jsonValue(), (obj, k, v) => {
        const text = JSON.stringify(obj);
        expect(coinbase.parse(req('POST', '/x', text)).ok).toBe(true);
        const dup = `{${JSON.stringify(k)}:${JSON.stringify(v) ?? 'null'},${JSON.stringify(k)}:1,"inner":${text}}`;
        expect(coinbase.parse(req('POST', '/x', dup)).ok).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
  it('rejects malformed JSON and non-object bodies', () => {
    expect(coinbase.parse(req('POST', '/x', '{"a":')).ok).toBe(false);
    expect(coinbase.parse(req('POST', '/x', '"text"')).ok).toBe(false);
    expect(coinbase.parse(req('GET', '/x', '')).ok).toBe(true);
  });
});

describe('coinbase sign', () => {
  const issued = coinbase.issueClientCredential();

  it('signs the uri from the base URL host and path prefix, without the query', () => {
    const signed = coinbase.sign(
      req('GET', '/api/v3/brokerage/accounts', '', 'limit=250'),
      issued.credential,
      signCtx('http://127.0.0.1:8788/coinbase'),
    );
    const jwt = decodeJwt(tokenOf(signed));
    expect(jwt?.claims).toMatchObject({
      sub: issued.credential.apiKey,
      iss: 'cdp',
      nbf: NOW,
      exp: NOW + 120,
      uri: 'GET 127.0.0.1:8788/coinbase/api/v3/brokerage/accounts',
    });
    expect(jwt?.header).toMatchObject({ alg: 'ES256', kid: issued.credential.apiKey, typ: 'JWT' });
    expect(String(jwt?.header.nonce)).toMatch(/^[0-9a-f]{32}$/);
    expect(signed.query).toBe('limit=250');
    const prod = coinbase.sign(
      req('POST', '/api/v3/brokerage/orders', '{}'),
      issued.credential,
      signCtx('https://api.coinbase.com'),
    );
    expect(decodeJwt(tokenOf(prod))?.claims.uri).toBe('POST api.coinbase.com/api/v3/brokerage/orders');
    expect(prod.headers['content-type']).toBe('application/json');
  });

  it('replaces client auth headers instead of forwarding them', () => {
    const r = {
      ...req('GET', '/api/v3/brokerage/accounts'),
      headers: { Authorization: 'Bearer client', 'CB-ACCESS-KEY': 'k', 'cb-version': '2018-05-30' },
    };
    const signed = coinbase.sign(r, issued.credential, signCtx());
    expect(Object.keys(signed.headers).sort()).toEqual(['authorization', 'cb-version']);
    expect(coinbase.stripAuth(r).headers).toEqual({ 'cb-version': '2018-05-30' });
  });

  it('accepts PKCS#8 EC keys and escaped newlines', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const cred: Credential = { apiKey: 'organizations/o/apiKeys/k', secret: pkcs8.replace(/\n/g, '\\n') };
    coinbase.validateCredential(cred);
    const signed = coinbase.sign(req('GET', '/api/v3/brokerage/accounts'), cred, signCtx());
    const verifier = {
      apiKey: cred.apiKey,
      secret: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    };
    expect(coinbase.verifyClient(signed, verifier, verifyCtx())).toMatchObject({ ok: true });
  });

  it('signs Ed25519 CDP keys (base64 64-byte secret) with EdDSA, as CCXT does', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const seed = privateKey.export({ type: 'pkcs8', format: 'der' }).subarray(-32);
    const raw = publicKey.export({ type: 'spki', format: 'der' }).subarray(-32);
    const secret = Buffer.concat([seed, raw]).toString('base64');
    const cred: Credential = { apiKey: '6f0c8a52-3c5e-4b63-9f0e-6b7c6f4b0b0a', secret };
    const signed = coinbase.sign(req('GET', '/api/v3/brokerage/accounts'), cred, signCtx());
    const jwt = decodeJwt(tokenOf(signed));
    expect(jwt?.header.alg).toBe('EdDSA');
    expect(jwt?.claims.uris).toEqual(['GET 127.0.0.1:8787/coinbase/api/v3/brokerage/accounts']);
    const verifier = {
      apiKey: cred.apiKey,
      secret: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    };
    expect(coinbase.verifyClient(signed, verifier, verifyCtx())).toMatchObject({ ok: true });
    // CCXT's own EdDSA token for the same key verifies too.
    const ex = new ccxt.coinbase({ apiKey: cred.apiKey, secret, urls: { api: { rest: GATEWAY } } });
    ex.seconds = () => NOW;
    const theirs = ex.sign('brokerage/accounts', ['v3', 'private'], 'GET', {});
    const clientReq = {
      ...req('GET', '/api/v3/brokerage/accounts'),
      headers: { authorization: String(theirs.headers?.Authorization) },
    };
    expect(coinbase.verifyClient(clientReq, verifier, verifyCtx())).toMatchObject({ ok: true });
  });

  it('signs legacy HMAC keys with CB-ACCESS-* headers (self-computed vector of exchanges.md §2.4)', () => {
    expect(legacySignature('TESTSECRET0123456789', '1700000000GET/api/v3/brokerage/accounts')).toBe(
      'd9024c2a3267953eddede86d0becc4e6efb3f5b63c81d2960ca923c4c2cf0d15',
    );
    const cred = { apiKey: 'legacykey', secret: 'TESTSECRET0123456789' };
    expect(loadSigningKey(cred).kind).toBe('hmac');
    const signed = coinbase.sign(req('GET', '/api/v3/brokerage/accounts', '', 'limit=1'), cred, signCtx());
    expect(signed.headers['cb-access-sign']).toBe(
      'd9024c2a3267953eddede86d0becc4e6efb3f5b63c81d2960ca923c4c2cf0d15',
    );
    expect(signed.headers['cb-access-timestamp']).toBe('1700000000');
    expect(legacyPrehash('1', req('GET', '/v2/accounts', '', 'limit=2'))).toBe('1GET/v2/accounts?limit=2');
    // CCXT computes the same signature.
    const ex = new ccxt.coinbase({ ...cred, urls: { api: { rest: GATEWAY } } });
    ex.nonce = () => NOW * 1000;
    const theirs = ex.sign('brokerage/accounts', ['v3', 'private'], 'GET', { limit: 1 });
    expect(theirs.headers?.['CB-ACCESS-SIGN']).toBe(signed.headers['cb-access-sign']);
  });

  it('rejects unusable credentials with a one-line message', () => {
    expect(() => coinbase.validateCredential({ apiKey: '', secret: 'x' })).toThrow(/apiKey/);
    expect(() =>
      coinbase.validateCredential({ apiKey: 'organizations/o/apiKeys/k', secret: 'not a key' }),
    ).toThrow(/EC PEM/);
    expect(() =>
      coinbase.validateCredential({
        apiKey: 'organizations/o/apiKeys/k',
        secret: malformedPem('ec-sec1', 'AAAA'),
      }),
    ).toThrow(/PEM/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    expect(() => coinbase.validateCredential({ apiKey: 'organizations/o/apiKeys/k', secret: rsa })).toThrow(
      /P-256/,
    );
    expect(() => coinbase.validateCredential({ apiKey: '-----BEGIN PUBLIC KEY-----', secret: rsa })).toThrow(
      /key name/,
    );
  });
});

describe('coinbase verifyClient', () => {
  const issued = coinbase.issueClientCredential();
  const other = coinbase.issueClientCredential();
  const path = '/api/v3/brokerage/accounts';

  function clientJwt(
    opts: { uri?: string; now?: number; apiKey?: string; secret?: string } = {},
  ): ExchangeRequest {
    const key = loadSigningKey({
      apiKey: 'organizations/x/apiKeys/y',
      secret: opts.secret ?? issued.credential.secret,
    });
    if (key.kind === 'hmac') throw new Error('unexpected');
    const token = buildJwt({
      apiKey: opts.apiKey ?? issued.credential.apiKey,
      key,
      uri: opts.uri ?? `GET 127.0.0.1:8787/coinbase${path}`,
      nowSeconds: opts.now ?? NOW,
    });
    return { ...req('GET', path), headers: { authorization: `Bearer ${token}` } };
  }

  it('accepts a fresh JWT for this request, with or without a scheme in uri', () => {
    expect(coinbase.verifyClient(clientJwt(), issued.verifier, verifyCtx())).toMatchObject({ ok: true });
    expect(
      coinbase.verifyClient(
        clientJwt({ uri: `GET http://127.0.0.1:8787/coinbase${path}` }),
        issued.verifier,
        verifyCtx(),
      ),
    ).toMatchObject({ ok: true });
    expect(coinbase.clientKeyId(clientJwt())).toBe(issued.credential.apiKey);
  });

  it('rejects a JWT signed by another key', () => {
    const r = coinbase.verifyClient(
      clientJwt({ secret: other.credential.secret }),
      issued.verifier,
      verifyCtx(),
    );
    expect(r).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('rejects a JWT naming another api key', () => {
    const r = coinbase.verifyClient(
      clientJwt({ apiKey: other.credential.apiKey }),
      issued.verifier,
      verifyCtx(),
    );
    expect(r).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('rejects expired, not-yet-valid and overlong JWTs', () => {
    expect(coinbase.verifyClient(clientJwt({ now: NOW - 121 }), issued.verifier, verifyCtx())).toMatchObject({
      ok: false,
      reason: 'stale_timestamp',
    });
    expect(coinbase.verifyClient(clientJwt({ now: NOW + 60 }), issued.verifier, verifyCtx())).toMatchObject({
      ok: false,
      reason: 'stale_timestamp',
    });
    expect(coinbase.verifyClient(clientJwt({ now: NOW + 10 }), issued.verifier, verifyCtx())).toMatchObject({
      ok: true,
    });
  });

  it('names each JWT by its signed part for the replay cache, for as long as it is valid', () => {
    const a = coinbase.verifyClient(clientJwt(), issued.verifier, verifyCtx());
    const b = coinbase.verifyClient(clientJwt(), issued.verifier, verifyCtx());
    if (!a.ok || !b.ok) throw new Error('expected both to verify');
    expect(a.replayKey).toMatch(/^jwt:/);
    expect(a.replayKey).not.toBe(b.replayKey);
    expect(a.replayWindowMs).toBe(121_000);
    const later = coinbase.verifyClient(clientJwt(), issued.verifier, verifyCtx(NOW + 100));
    expect(later).toMatchObject({ ok: true, replayWindowMs: 21_000 });
  });

  it('names a JWT whose ECDSA signature was re-encoded (s -> n - s) by the same replay key', () => {
    const good = clientJwt();
    const token = tokenOf(good);
    const [h, c, sig] = token.split('.') as [string, string, string];
    const raw = Buffer.from(sig, 'base64url');
    const n = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
    const s = BigInt(`0x${raw.subarray(32).toString('hex')}`);
    const flipped = Buffer.concat([
      raw.subarray(0, 32),
      Buffer.from((n - s).toString(16).padStart(64, '0'), 'hex'),
    ]);
    const twin = { ...good, headers: { authorization: `Bearer ${h}.${c}.${flipped.toString('base64url')}` } };
    const first = coinbase.verifyClient(good, issued.verifier, verifyCtx());
    const second = coinbase.verifyClient(twin, issued.verifier, verifyCtx());
    expect(second).toMatchObject({ ok: true });
    if (!first.ok || !second.ok) throw new Error('expected both to verify');
    expect(second.replayKey).toBe(first.replayKey);
  });

  it('refuses a JWT that claims to live longer than the documented 120 s', () => {
    const key = loadSigningKey(issued.credential);
    if (key.kind === 'hmac') throw new Error('unexpected');
    const header = Buffer.from(
      JSON.stringify({ alg: 'ES256', kid: issued.credential.apiKey, nonce: 'n' }),
    ).toString('base64url');
    const claims = Buffer.from(
      JSON.stringify({
        sub: issued.credential.apiKey,
        iss: 'cdp',
        nbf: NOW - 10,
        exp: NOW + 130,
        uri: `GET 127.0.0.1:8787/coinbase${path}`,
      }),
    ).toString('base64url');
    const signature = sign('sha256', Buffer.from(`${header}.${claims}`), {
      key: key.key,
      dsaEncoding: 'ieee-p1363',
    });
    const token = `${header}.${claims}.${signature.toString('base64url')}`;
    expect(
      coinbase.verifyClient(
        { ...req('GET', path), headers: { authorization: `Bearer ${token}` } },
        issued.verifier,
        verifyCtx(),
      ),
    ).toMatchObject({ ok: false, reason: 'stale_timestamp' });
  });

  it('rejects a uri claim for another path, method, host or prefix', () => {
    for (const uri of [
      'GET 127.0.0.1:8787/coinbase/api/v3/brokerage/key_permissions',
      `POST 127.0.0.1:8787/coinbase${path}`,
      `GET api.coinbase.com${path}`,
      `GET 127.0.0.1:8787${path}`,
      `GET 127.0.0.1:8787/coinbase${path}?limit=1`,
    ]) {
      expect(coinbase.verifyClient(clientJwt({ uri }), issued.verifier, verifyCtx())).toMatchObject({
        ok: false,
        reason: 'bad_signature',
      });
    }
  });

  it('rejects a tampered signature, alg confusion and missing or malformed tokens', () => {
    const good = clientJwt();
    const token = tokenOf(good);
    const [h, c] = token.split('.');
    const flipped = `${h}.${c}.${Buffer.alloc(64, 1).toString('base64url')}`;
    const none = `${Buffer.from('{"alg":"none","kid":"k"}').toString('base64url')}.${c}.`;
    for (const t of [flipped, none, 'abc', `${h}.${c}`]) {
      const r = coinbase.verifyClient(
        { ...good, headers: { authorization: `Bearer ${t}` } },
        issued.verifier,
        verifyCtx(),
      );
      expect(r.ok).toBe(false);
    }
    expect(coinbase.verifyClient(req('GET', path), issued.verifier, verifyCtx())).toMatchObject({
      ok: false,
      reason: 'missing_credentials',
    });
  });

  it('accepts a body changed after signing: Coinbase JWTs do not cover the body (the gateway re-signs what policy checked)', () => {
    const signed = {
      ...clientJwt(),
      method: 'POST',
      path: '/api/v3/brokerage/orders',
      body: '{"side":"BUY"}',
    };
    const key = loadSigningKey(issued.credential);
    if (key.kind === 'hmac') throw new Error('unexpected');
    const token = buildJwt({
      apiKey: issued.credential.apiKey,
      key,
      uri: 'POST 127.0.0.1:8787/coinbase/api/v3/brokerage/orders',
      nowSeconds: NOW,
    });
    const tampered = { ...signed, headers: { authorization: `Bearer ${token}` }, body: '{"side":"SELL"}' };
    expect(coinbase.verifyClient(tampered, issued.verifier, verifyCtx())).toMatchObject({ ok: true });
  });

  it('issues CDP-shaped credentials CCXT accepts', () => {
    expect(issued.credential.apiKey).toMatch(/^organizations\/keywarden\/apiKeys\/kw_[0-9A-Za-z]{24}$/);
    expect(issued.credential.secret.startsWith(`${pemHeader('ec-sec1')}\n`)).toBe(true);
    expect(issued.verifier.secret).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(issued.verifier.secret).not.toContain('PRIVATE');
    expect(other.credential.apiKey).not.toBe(issued.credential.apiKey);
  });
});

describe('coinbase errors, introspection and ticker', () => {
  function ccxtError(r: ExchangeResponse): unknown {
    const ex = new ccxt.coinbase({});
    let parsed: unknown;
    try {
      parsed = JSON.parse(r.body);
    } catch {
      parsed = undefined;
    }
    try {
      ex.handleErrors(r.status, '', 'u', 'GET', {}, r.body, parsed, {}, '');
      ex.handleHttpStatusCode(r.status, '', 'u', 'GET', r.body);
    } catch (e) {
      return e;
    }
    return undefined;
  }

  it('answers in shapes CCXT maps to the right error classes', () => {
    expect(coinbase.errorResponse('auth', 'x')).toMatchObject({ status: 401, body: 'Unauthorized\n' });
    expect(ccxtError(coinbase.errorResponse('auth', 'bad'))).toBeInstanceOf(ccxt.AuthenticationError);
    expect(ccxtError(coinbase.errorResponse('permission', 'Missing required scopes'))).toBeInstanceOf(
      ccxt.PermissionDenied,
    );
    expect(ccxtError(coinbase.errorResponse('policy', 'blocked by policy'))).toBeInstanceOf(
      ccxt.PermissionDenied,
    );
    expect(ccxtError(coinbase.errorResponse('rate_limited', 'slow down'))).toBeInstanceOf(
      ccxt.RateLimitExceeded,
    );
    expect(ccxtError(coinbase.errorResponse('bad_request', 'no'))).toBeInstanceOf(ccxt.BadRequest);
    expect(ccxtError(coinbase.errorResponse('not_found', 'no'))).toBeInstanceOf(ccxt.ExchangeError);
    expect(ccxtError(coinbase.errorResponse('internal', 'no'))).toBeInstanceOf(ccxt.ExchangeError);
    expect(JSON.parse(coinbase.errorResponse('permission', 'Missing required scopes').body)).toEqual({
      error: 'PERMISSION_DENIED',
      error_details: 'Missing required scopes',
      message: 'Missing required scopes',
    });
  });

  it('introspects key_permissions and says Coinbase reports no IP allow-list', async () => {
    const issued = coinbase.issueClientCredential();
    const { sent: seen, transport } = recordingTransport(() =>
      reply(
        '{"can_view":true,"can_trade":true,"can_transfer":false,"portfolio_uuid":"p","portfolio_type":"DEFAULT"}',
      ),
    );
    const result = await coinbase.introspect(
      issued.credential,
      transport,
      signCtx('https://api.coinbase.com'),
    );
    expect(seen[0]?.path).toBe('/api/v3/brokerage/key_permissions');
    expect(decodeJwt(tokenOf(seen[0] ?? req('GET', '/')))?.claims.uri).toBe(
      'GET api.coinbase.com/api/v3/brokerage/key_permissions',
    );
    expect(result).toMatchObject({
      available: true,
      canRead: true,
      canTrade: true,
      canWithdraw: false,
      canTransfer: false,
      ipRestricted: false,
    });
    const failed = await coinbase.introspect(
      issued.credential,
      async () => reply('Unauthorized', 401),
      signCtx(),
    );
    expect(failed).toMatchObject({ available: false });
  });

  it('reads the public product price', () => {
    expect(coinbase.tickerRequest('BTC/USD')).toMatchObject({
      method: 'GET',
      path: '/api/v3/brokerage/market/products/BTC-USD',
    });
    expect(coinbase.parseTicker(reply('{"product_id":"BTC-USD","price":"61234.5"}'))).toBe(61234.5);
    expect(coinbase.parseTicker(reply('{}', 404))).toBeUndefined();
    expect(coinbase.parseTicker(reply('nope'))).toBeUndefined();
  });

  it('is registered', () => {
    expect(ADAPTERS.coinbase).toBe(coinbase);
  });
});
