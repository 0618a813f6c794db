import { describe, expect, it } from 'vitest';
import type { ExchangeRequest } from '../../src/exchanges/adapter.js';
import { CredentialError } from '../../src/exchanges/adapter.js';
import { bybit, bybitReplayKey, bybitSignature, bybitSymbol } from '../../src/exchanges/bybit/index.js';
import { pemHeader } from '../pem.js';
import { get, post, reply, signCtxAt, verifyCtxAt } from './helpers.js';

const NOW = 1_658_384_314_791;
const signCtx = (now = NOW) => signCtxAt(now);
const verifyCtx = (now = NOW) => verifyCtxAt(now, '/bybit');
const cred = { apiKey: 'XXXXXXXXXX', secret: 'TESTSECRET0123456789' };
const verifier = { apiKey: cred.apiKey, secret: cred.secret };

describe('bybit signing', () => {
  it('matches the self-computed vectors of exchanges.md §5.3', () => {
    expect(
      bybitSignature('1658384314791XXXXXXXXXX5000category=option&symbol=BTC-29JUL22-25000-C', cred.secret),
    ).toBe('e2efccd9fec8d9bf6d5873a43893e5d3df3b2bb3f08763172ee927c74fa63559');
    const signed = bybit.sign(
      post('/v5/order/create', '{"category": "option"}'),
      cred,
      signCtx(1_658_385_579_423),
    );
    expect(signed.headers['X-BAPI-SIGN']).toBe(
      '9f18974896149c27ecdc61d67d97e05be0a2c45ce5f4c7ecb3ec47c01ea2f9d2',
    );
    const g = bybit.sign(
      get('/v5/order/realtime', 'category=option&symbol=BTC-29JUL22-25000-C'),
      cred,
      signCtx(),
    );
    expect(g.headers['X-BAPI-SIGN']).toBe('e2efccd9fec8d9bf6d5873a43893e5d3df3b2bb3f08763172ee927c74fa63559');
    expect(g.headers['X-BAPI-TIMESTAMP']).toBe(String(NOW));
  });

  it('keeps the client recv window and X-BAPI-SIGN-TYPE, strips credentials', () => {
    const request: ExchangeRequest = {
      ...get('/v5/account/wallet-balance', 'accountType=UNIFIED'),
      headers: {
        'x-bapi-api-key': 'client',
        'x-bapi-sign': 'x',
        'x-bapi-timestamp': '1',
        'x-bapi-recv-window': '20000',
        'x-bapi-sign-type': '2',
      },
    };
    expect(Object.keys(bybit.stripAuth(request).headers).sort()).toEqual([
      'x-bapi-recv-window',
      'x-bapi-sign-type',
    ]);
    const signed = bybit.sign(request, cred, signCtx());
    expect(signed.headers['X-BAPI-RECV-WINDOW']).toBe('20000');
    expect(signed.headers['x-bapi-sign-type']).toBe('2');
    expect(signed.headers['X-BAPI-API-KEY']).toBe(cred.apiKey);
    expect(signed.headers['x-bapi-api-key']).toBeUndefined();
  });
});

describe('bybit client verification', () => {
  const body =
    '{"category":"spot","symbol":"BTCUSDT","side":"Buy","orderType":"Limit","qty":"1","price":"1"}';
  const signedBy = (c = cred, now = NOW, window?: string) => {
    const r = post('/v5/order/create', body);
    return bybit.sign(window ? { ...r, headers: { 'X-BAPI-RECV-WINDOW': window } } : r, c, signCtx(now));
  };

  const fresh = (window = 5000) => ({
    ok: true,
    replayKey: expect.stringMatching(/^[0-9a-f]{64}$/),
    replayWindowMs: window + 1000,
  });

  it('accepts a correctly signed fresh request, naming its signature as the replay key', () => {
    const signed = signedBy();
    expect(bybit.verifyClient(signed, verifier, verifyCtx())).toEqual({
      ok: true,
      replayKey: signed.headers['X-BAPI-SIGN'], // a POST: the signature alone
      replayWindowMs: 6000,
    });
    expect(bybit.clientKeyId(signedBy())).toBe(cred.apiKey);
  });

  it('refuses a wrong secret and a tampered body with 10004', () => {
    expect(bybit.verifyClient(signedBy({ ...cred, secret: 'other' }), verifier, verifyCtx())).toMatchObject({
      ok: false,
      reason: 'bad_signature',
      message: expect.stringMatching(/^10004/),
    });
    const tampered = { ...signedBy(), body: body.replace('"qty":"1"', '"qty":"9"') };
    expect(bybit.verifyClient(tampered, verifier, verifyCtx())).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('applies server − recvWindow ≤ timestamp < server + 1000 with 10002', () => {
    expect(bybit.verifyClient(signedBy(cred, NOW - 5000), verifier, verifyCtx())).toEqual(fresh());
    expect(bybit.verifyClient(signedBy(cred, NOW - 5001), verifier, verifyCtx())).toMatchObject({
      ok: false,
      reason: 'stale_timestamp',
      message: expect.stringMatching(/^10002/),
    });
    expect(bybit.verifyClient(signedBy(cred, NOW + 999), verifier, verifyCtx())).toEqual(fresh());
    expect(bybit.verifyClient(signedBy(cred, NOW + 1000), verifier, verifyCtx())).toMatchObject({
      ok: false,
    });
    expect(bybit.verifyClient(signedBy(cred, NOW - 15_000, '20000'), verifier, verifyCtx())).toEqual(
      fresh(20_000),
    );
  });

  it('caps the recv window at 60,000 ms: a wider one is refused with 10002, as a replay window', () => {
    expect(bybit.verifyClient(signedBy(cred, NOW - 59_000, '60000'), verifier, verifyCtx())).toEqual(
      fresh(60_000),
    );
    for (const window of ['60001', '999999999'])
      expect(bybit.verifyClient(signedBy(cred, NOW, window), verifier, verifyCtx())).toMatchObject({
        ok: false,
        reason: 'stale_timestamp',
        message: expect.stringMatching(/^10002 .*recv_window\[\d+\] exceeds 60000/),
      });
  });

  it('refuses missing auth headers with 10003', () => {
    expect(bybit.verifyClient(post('/v5/order/create', body), verifier, verifyCtx())).toMatchObject({
      ok: false,
      reason: 'missing_credentials',
      message: expect.stringMatching(/^10003/),
    });
  });
});

describe('bybit parse', () => {
  it('refuses duplicated query parameters, duplicated JSON keys and non-object bodies', () => {
    expect(bybit.parse(get('/v5/order/realtime', 'category=spot&category=linear')).ok).toBe(false);
    expect(bybit.parse(post('/v5/order/create', '{"qty":"1","qty":"100"}')).ok).toBe(false);
    expect(bybit.parse(post('/v5/order/create-batch', '{"request":[{"qty":"1","qty":"2"}]}')).ok).toBe(false);
    expect(bybit.parse(post('/v5/order/create', 'qty=1')).ok).toBe(false);
    expect(bybit.parse(post('/v5/order/create', '[{"qty":"1"}]')).ok).toBe(false);
    expect(bybit.parse(post('/v5/order/create', '{"qty":"1"}')).ok).toBe(true);
    expect(bybit.parse({ ...get('/v5/order/realtime', 'category=spot'), body: '{}' }).ok).toBe(false);
  });
});

describe('bybit symbols, errors, credentials and tickers', () => {
  it('normalises symbols with their category', () => {
    expect(bybitSymbol('BTCUSDT', 'spot')).toBe('BTC/USDT');
    expect(bybitSymbol('BTCUSDT', 'linear')).toBe('BTC/USDT:USDT');
    expect(bybitSymbol('BTCUSD', 'inverse')).toBe('BTC/USD:BTC');
    expect(bybitSymbol('ETHBTC', 'spot')).toBe('ETH/BTC');
    expect(bybitSymbol('BTC-29JUL22-25000-C', 'option')).toBeUndefined();
    expect(bybitSymbol('BTCUSDT-26DEC25', 'linear')).toBe('BTC/USDT:USDT-251226');
    expect(bybitSymbol('BTCUSDH25', 'inverse')).toBeUndefined();
    expect(bybitSymbol('BTCPERP', 'linear')).toBeUndefined();
    expect(bybitSymbol('BTCUSDT', undefined)).toBeUndefined();
  });

  it('answers errors in Bybit shape', () => {
    const r = bybit.errorResponse('permission', 'denied');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({
      retCode: 10005,
      retMsg: 'denied',
      result: {},
      retExtInfo: {},
    });
    expect(JSON.parse(bybit.errorResponse('timestamp', 'x').body).retCode).toBe(10002);
    expect(JSON.parse(bybit.errorResponse('auth', 'x').body).retCode).toBe(10004);
  });

  it('issues random kw_ HMAC credentials and refuses RSA secrets', () => {
    const a = bybit.issueClientCredential();
    expect(a.credential.apiKey).toMatch(/^kw_/);
    expect(a.credential.secret).not.toContain('PRIVATE KEY');
    expect(a.credential.secret).not.toBe(bybit.issueClientCredential().credential.secret);
    expect(() => bybit.validateCredential({ apiKey: 'k', secret: pemHeader('pkcs8') })).toThrow(
      CredentialError,
    );
    expect(() => bybit.validateCredential({ apiKey: 'k', secret: '' })).toThrow(CredentialError);
  });

  it('builds and reads the ticker request, for spot and derivative symbols', () => {
    const r = bybit.tickerRequest('BTC/USDT');
    expect(`${r.method} ${r.path}?${r.query}`).toBe('GET /v5/market/tickers?category=spot&symbol=BTCUSDT');
    const at = (symbol: string) => {
      const t = bybit.tickerRequest(symbol);
      return `${t.path}?${t.query}`;
    };
    expect(at('BTC/USDT:USDT')).toBe('/v5/market/tickers?category=linear&symbol=BTCUSDT');
    expect(at('BTC/USD:BTC')).toBe('/v5/market/tickers?category=inverse&symbol=BTCUSD');
    expect(at('BTC/USDT:USDT-251226')).toBe('/v5/market/tickers?category=linear&symbol=BTCUSDT-26DEC25');
    const body = JSON.stringify({
      retCode: 0,
      retMsg: 'OK',
      result: { category: 'spot', list: [{ lastPrice: '60001' }] },
    });
    expect(bybit.parseTicker(reply(body))).toBe(60001);
    expect(bybit.parseTicker(reply('{"retCode":10001}'))).toBeUndefined();
  });

  it('introspects permissions, ips and readOnly from /v5/user/query-api without keeping the secret field', async () => {
    const answer = (result: unknown) => async () =>
      reply({ retCode: 0, retMsg: 'OK', result, retExtInfo: {}, time: NOW });
    const full = await bybit.introspect(
      cred,
      answer({
        readOnly: 0,
        secret: '',
        permissions: { Spot: ['SpotTrade'], Wallet: ['AccountTransfer', 'Withdraw'] },
        ips: ['*'],
      }),
      signCtx(),
    );
    expect(full).toMatchObject({
      available: true,
      canTrade: true,
      canWithdraw: true,
      canTransfer: true,
      ipRestricted: false,
    });
    expect(JSON.stringify(full)).not.toContain('secret');
    const ro = await bybit.introspect(
      cred,
      answer({ readOnly: 1, permissions: { Spot: ['SpotTrade'], Wallet: [] }, ips: ['1.2.3.4'] }),
      signCtx(),
    );
    expect(ro).toMatchObject({
      canTrade: false,
      canWithdraw: false,
      ipRestricted: true,
      ipList: ['1.2.3.4'],
    });
  });
});

describe('bybit replay key', () => {
  it('is the signature of a body, and path plus signature of a GET (Bybit does not sign the path)', () => {
    const headers = { 'X-BAPI-SIGN': 'AB12' };
    expect(bybitReplayKey({ ...post('/v5/order/create', '{}'), headers })).toBe('ab12');
    expect(bybitReplayKey({ ...get('/v5/user/query-api'), headers })).toBe('GET /v5/user/query-api ab12');
    expect(bybitReplayKey({ ...get('/v5/account/info'), headers })).not.toBe(
      bybitReplayKey({ ...get('/v5/user/query-api'), headers }),
    );
  });
});
