import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CredentialError, type ExchangeRequest } from '../../src/exchanges/adapter.js';
import { kucoin, kucoinPassphrase, kucoinVerify } from '../../src/exchanges/kucoin/index.js';
import { get, post, recordingTransport, reply, req, signCtxAt, verifyCtxAt } from './helpers.js';

const NOW = 1_700_000_000_000;
const cred = { apiKey: 'key-1', secret: 'secret-1', password: 'pass-1' };
const b64 = (secret: string, text: string) => createHmac('sha256', secret).update(text).digest('base64');
const verifier = { apiKey: cred.apiKey, secret: cred.secret, password: cred.password };
const verify = (r: ExchangeRequest, at = NOW) => kucoin.verifyClient(r, verifier, verifyCtxAt(at, '/kucoin'));
const signed = (r: ExchangeRequest, at = NOW) => kucoin.sign(r, cred, signCtxAt(at));

describe('kucoin signing (docs: timestamp + METHOD + endpoint + body, base64 HMAC-SHA256)', () => {
  it('signs a GET with its query and a POST with its exact body, and HMAC-signs the passphrase (key version 2)', () => {
    const g = signed(get('/api/v1/accounts', 'currency=BTC&type=trade'));
    expect(g.headers).toEqual({
      'KC-API-KEY-VERSION': '2',
      'KC-API-KEY': 'key-1',
      'KC-API-TIMESTAMP': String(NOW),
      'KC-API-PASSPHRASE': b64('secret-1', 'pass-1'),
      'KC-API-SIGN': b64('secret-1', `${NOW}GET/api/v1/accounts?currency=BTC&type=trade`),
    });
    const body = '{"currency":"BTC"}';
    const p = signed(post('/api/v1/deposit-addresses', body));
    expect(p.headers['Content-Type']).toBe('application/json');
    expect(p.headers['KC-API-SIGN']).toBe(b64('secret-1', `${NOW}POST/api/v1/deposit-addresses${body}`));
    expect(p.body).toBe(body);
  });

  it('a v1 key sends its passphrase as is; v2 and v3 keys send it HMAC-signed', () => {
    expect(kucoinPassphrase('1', 's', 'p')).toBe('p');
    expect(kucoinPassphrase('2', 's', 'p')).toBe(b64('s', 'p'));
    expect(kucoinPassphrase('3', 's', 'p')).toBe(b64('s', 'p'));
  });

  it('replaces whatever auth and partner headers the request carried', () => {
    const r = signed({
      ...get('/api/v1/accounts'),
      headers: {
        'kc-api-sign': 'old',
        'KC-API-PARTNER': 'ccxt',
        'kc-api-partner-sign': 'x',
        'kc-broker-name': 'b',
      },
    });
    expect(
      Object.keys(r.headers)
        .map((k) => k.toLowerCase())
        .sort(),
    ).toEqual(
      ['kc-api-key', 'kc-api-key-version', 'kc-api-passphrase', 'kc-api-sign', 'kc-api-timestamp'].sort(),
    );
  });
});

describe('kucoin verifyClient', () => {
  const good = signed(get('/api/v1/orders', 'status=active'));

  it('accepts its own signature with a replay key (the signature) for the 5 s window', () => {
    const result = verify(good, NOW + 2_000);
    expect(result).toMatchObject({ ok: true, replayKey: good.headers['KC-API-SIGN'] });
    if (result.ok) expect(result.replayWindowMs).toBe(3_000 + 1_000);
  });

  it('refuses missing headers, a stale or malformed timestamp, a wrong passphrase, a tampered request and another key', () => {
    const { 'KC-API-SIGN': _sign, ...noSign } = good.headers;
    expect(verify({ ...good, headers: noSign })).toMatchObject({ ok: false, reason: 'missing_credentials' });
    expect(verify(good, NOW + 5_001)).toMatchObject({ ok: false, reason: 'stale_timestamp' });
    expect(verify(good, NOW - 5_001)).toMatchObject({ ok: false, reason: 'stale_timestamp' });
    expect(verify({ ...good, headers: { ...good.headers, 'KC-API-TIMESTAMP': '1.7e12' } })).toMatchObject({
      reason: 'malformed',
    });
    expect(verify({ ...good, headers: { ...good.headers, 'KC-API-PASSPHRASE': 'pass-1' } })).toMatchObject({
      reason: 'bad_passphrase',
    });
    expect(verify({ ...good, headers: { ...good.headers, 'KC-API-KEY-VERSION': '4' } })).toMatchObject({
      reason: 'malformed',
    });
    expect(verify({ ...good, query: 'status=done' })).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(verify({ ...good, method: 'DELETE' })).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(
      kucoin.verifyClient(good, { ...verifier, apiKey: 'key-2' }, verifyCtxAt(NOW, '/kucoin')),
    ).toMatchObject({ ok: false, message: expect.stringMatching(/^400003/) });
  });

  it('accepts a v1 key plain passphrase only when the request says version 1', () => {
    const v1 = {
      ...good,
      headers: { ...good.headers, 'KC-API-KEY-VERSION': '1', 'KC-API-PASSPHRASE': 'pass-1' },
    };
    expect(verify(v1)).toMatchObject({ ok: true });
    const { 'KC-API-KEY-VERSION': _v, ...noVersion } = v1.headers;
    expect(verify({ ...v1, headers: noVersion })).toMatchObject({ ok: true });
    expect(verify({ ...v1, headers: { ...v1.headers, 'KC-API-KEY-VERSION': '2' } })).toMatchObject({
      reason: 'bad_passphrase',
    });
  });

  it('the sandbox check answers KuCoin codes in KuCoin order', () => {
    expect(kucoinVerify(get('/api/v1/accounts'), 's', 'p', NOW)?.code).toBe('400001');
    expect(kucoinVerify(good, cred.secret, cred.password, NOW + 60_000)?.code).toBe('400002');
    expect(kucoinVerify(good, cred.secret, 'other', NOW)?.code).toBe('400004');
    expect(kucoinVerify({ ...good, body: 'x' }, cred.secret, cred.password, NOW)?.code).toBe('400005');
    expect(kucoinVerify(good, cred.secret, cred.password, NOW)).toBeUndefined();
  });
});

describe('kucoin stripAuth', () => {
  it('removes every auth and partner header and keeps the rest', () => {
    const headers = {
      'KC-API-KEY': 'k',
      'kc-api-sign': 's',
      'KC-API-TIMESTAMP': '1',
      'KC-API-PASSPHRASE': 'p',
      'KC-API-KEY-VERSION': '2',
      'KC-API-PARTNER': 'ccxt',
      'KC-API-PARTNER-SIGN': 'x',
      'KC-API-PARTNER-VERIFY': 'true',
      'KC-BROKER-NAME': 'b',
      'content-type': 'application/json',
    };
    expect(kucoin.stripAuth({ ...get('/api/v1/accounts'), headers }).headers).toEqual({
      'content-type': 'application/json',
    });
  });
});

describe('kucoin parse', () => {
  it('refuses duplicated parameters and JSON keys, encoded or odd query characters, bodies on GET and DELETE, non-object bodies', () => {
    expect(kucoin.parse(get('/api/v1/orders', 'symbol=BTC-USDT&symbol=ETH-USDT'))).toMatchObject({
      ok: false,
    });
    expect(kucoin.parse(get('/api/v1/orders', 'symbol=BTC%2DUSDT'))).toMatchObject({ ok: false });
    expect(kucoin.parse(get('/api/v1/orders', 'symbol=BTC+USDT'))).toMatchObject({ ok: false });
    expect(kucoin.parse(post('/api/v1/orders', '{"size":"1","size":"100"}'))).toMatchObject({ ok: false });
    expect(kucoin.parse(req('GET', '/api/v1/orders', '{}'))).toMatchObject({ ok: false });
    expect(kucoin.parse(req('DELETE', '/api/v1/orders/1', '{}'))).toMatchObject({ ok: false });
    expect(kucoin.parse(post('/api/v1/orders', '[{}]'))).toMatchObject({ ok: false });
    expect(kucoin.parse(get('/api/v1/orders', 'symbol=BTC-USDT&status=active'))).toMatchObject({ ok: true });
  });
});

describe('kucoin errors, credentials, market data, introspection, cancel-all', () => {
  it('answers every error kind in KuCoin shape', () => {
    for (const kind of [
      'auth',
      'timestamp',
      'permission',
      'policy',
      'rate_limited',
      'bad_request',
      'not_found',
      'sealed',
      'unavailable',
      'internal',
    ] as const) {
      const r = kucoin.errorResponse(kind, 'keywarden denied [x] because');
      expect(JSON.parse(r.body)).toEqual({
        code: expect.stringMatching(/^\d{6}$/),
        msg: 'keywarden denied [x] because',
      });
    }
    expect(JSON.parse(kucoin.errorResponse('auth', 'm').body).code).toBe('400005');
    expect(JSON.parse(kucoin.errorResponse('timestamp', 'm').body).code).toBe('400002');
    expect(JSON.parse(kucoin.errorResponse('policy', 'm').body).code).toBe('400007');
    expect(kucoin.errorResponse('bad_request', 'm')).toMatchObject({ status: 400 });
  });

  it('needs apiKey, secret and password; issues random three-part client credentials', () => {
    expect(() => kucoin.validateCredential({ apiKey: 'k', secret: 's' })).toThrow(CredentialError);
    expect(() => kucoin.validateCredential({ apiKey: 'k s', secret: 's', password: 'p' })).toThrow(/spaces/);
    expect(() => kucoin.validateCredential(cred)).not.toThrow();
    const a = kucoin.issueClientCredential();
    const b = kucoin.issueClientCredential();
    expect(a.credential.apiKey).toMatch(/^kw_/);
    expect(a.credential.password).toBeTruthy();
    expect(a.verifier).toEqual({
      apiKey: a.credential.apiKey,
      secret: a.credential.secret,
      password: a.credential.password,
    });
    expect(a.credential.secret).not.toBe(b.credential.secret);
  });

  it('reads the level-1 price', () => {
    expect(kucoin.tickerRequest('BTC/USDT')).toMatchObject({
      path: '/api/v1/market/orderbook/level1',
      query: 'symbol=BTC-USDT',
    });
    expect(kucoin.parseTicker(reply({ code: '200000', data: { price: '60000.5' } }))).toBe(60000.5);
    expect(kucoin.parseTicker(reply({ code: '400100', msg: 'x' }))).toBeUndefined();
    expect(kucoin.parseTicker(reply({ code: '200000', data: { price: '60000' } }, 500))).toBeUndefined();
  });

  it('introspects GET /api/v1/user/api-key: permissions and IP whitelist', async () => {
    const { sent, transport } = recordingTransport(() =>
      reply({
        code: '200000',
        data: {
          remark: 'bot',
          apiVersion: 3,
          permission: 'General,Spot,Transfer',
          ipWhitelist: '1.2.3.4,5.6.7.8',
          isMaster: true,
        },
      }),
    );
    const r = await kucoin.introspect(cred, transport, signCtxAt(NOW));
    expect(sent[0]).toMatchObject({ method: 'GET', path: '/api/v1/user/api-key' });
    expect(sent[0]?.headers['KC-API-SIGN']).toBeTruthy();
    expect(r).toMatchObject({
      available: true,
      canRead: true,
      canTrade: true,
      canWithdraw: true,
      canTransfer: true,
      ipRestricted: true,
      ipList: ['1.2.3.4', '5.6.7.8'],
    });
    const readOnly = await kucoin.introspect(
      cred,
      recordingTransport(() => reply({ code: '200000', data: { permission: 'General', ipWhitelist: '' } }))
        .transport,
      signCtxAt(NOW),
    );
    expect(readOnly).toMatchObject({
      canTrade: false,
      canWithdraw: false,
      canTransfer: false,
      ipRestricted: false,
    });
    const refused = await kucoin.introspect(
      cred,
      recordingTransport(() => reply({ code: '400005', msg: 'Invalid KC-API-SIGN.' }, 401)).transport,
      signCtxAt(NOW),
    );
    expect(refused).toEqual({ available: false, reason: 'kucoin 400005: Invalid KC-API-SIGN.' });
  });

  it('cancels all spot orders in one call and counts what KuCoin cancelled', async () => {
    const { sent, transport } = recordingTransport(() =>
      reply({ code: '200000', data: { cancelledOrderIds: ['a', 'b'] } }),
    );
    const cancelAll = kucoin.cancelAllOrders;
    if (!cancelAll) throw new Error('kucoin has cancelAllOrders');
    expect(await cancelAll(cred, transport, signCtxAt(NOW))).toEqual({ cancelled: 2, failed: [] });
    expect(sent[0]).toMatchObject({ method: 'DELETE', path: '/api/v1/orders', query: 'tradeType=TRADE' });
    const refused = await cancelAll(
      cred,
      recordingTransport(() => reply({ code: '400007', msg: 'Access denied' }, 403)).transport,
      signCtxAt(NOW),
    );
    expect(refused.failed).toEqual([
      { ref: '*', reason: 'DELETE /api/v1/orders: HTTP 403 400007 Access denied' },
    ]);
  });

  it('points CCXT at the gateway for the spot hosts only, on the classic API', () => {
    const o = kucoin.ccxtOverride('http://127.0.0.1:1/kucoin') as {
      urls: { api: Record<string, string> };
      options: object;
    };
    expect(o.urls.api.public).toBe('http://127.0.0.1:1/kucoin');
    expect(o.urls.api.private).toBe('http://127.0.0.1:1/kucoin');
    expect(o.urls.api.futuresPrivate).toBeUndefined();
    expect(o.options).toMatchObject({ uta: false, fetchMarkets: { types: ['spot'] } });
  });
});
