import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ExchangeRequest } from '../../src/exchanges/adapter.js';
import { CredentialError } from '../../src/exchanges/adapter.js';
import { okx, okxPrehash, okxSignature, okxSymbol } from '../../src/exchanges/okx/index.js';
import { parseStrictJson } from '../../src/exchanges/strict-json.js';
import { expectSymbols, get, post, recordingTransport, reply, signCtxAt, verifyCtxAt } from './helpers.js';

const NOW = Date.parse('2020-12-08T09:08:57.715Z');
const signCtx = (now = NOW) => signCtxAt(now);
const verifyCtx = (now = NOW) => verifyCtxAt(now, '/okx');
const cred = { apiKey: 'kw_test', secret: '22582BD0CFF14C41EDBF1AB98506286D', password: 'pass-1' };
const verifier = { apiKey: cred.apiKey, secret: cred.secret, password: cred.password };

describe('okx signing', () => {
  it('matches the self-computed vectors of exchanges.md §4.3', () => {
    expect(okxSignature('2020-12-08T09:08:57.715ZGET/api/v5/account/balance?ccy=BTC', cred.secret)).toBe(
      'HiZhvSfMtWJA3uUIVXV3a/bSXNPCWvYFXoGCVS8V4zY=',
    );
    const body = '{"instId":"BTC-USDT","tdMode":"cash","side":"buy","ordType":"limit","px":"2.15","sz":"2"}';
    const signed = okx.sign(post('/api/v5/trade/order', body), cred, signCtx());
    expect(signed.headers['OK-ACCESS-SIGN']).toBe('iwrdSpN7pm4G4u8+fswZUyH6mOM48+sBF6WvKpj4Dvk=');
    expect(signed.headers['OK-ACCESS-TIMESTAMP']).toBe('2020-12-08T09:08:57.715Z');
    expect(signed.headers['OK-ACCESS-PASSPHRASE']).toBe('pass-1');
    expect(signed.headers['Content-Type']).toBe('application/json');
    expect(signed.body).toBe(body);
  });

  it('signs the path without "?" when there is no query, and sends no Content-Type on GET', () => {
    const signed = okx.sign(get('/api/v5/account/balance'), cred, signCtx());
    expect(okxPrehash('T', signed)).toBe('TGET/api/v5/account/balance');
    expect(signed.headers['Content-Type']).toBeUndefined();
  });

  it('replaces every client auth header and keeps x-simulated-trading', () => {
    const request: ExchangeRequest = {
      ...get('/api/v5/account/balance'),
      headers: {
        'ok-access-key': 'client',
        'ok-access-sign': 'x',
        'ok-access-timestamp': 't',
        'ok-access-passphrase': 'p',
        'x-simulated-trading': '1',
      },
    };
    expect(Object.keys(okx.stripAuth(request).headers)).toEqual(['x-simulated-trading']);
    const signed = okx.sign(request, cred, signCtx());
    expect(Object.keys(signed.headers).sort()).toEqual(
      [
        'OK-ACCESS-KEY',
        'OK-ACCESS-PASSPHRASE',
        'OK-ACCESS-SIGN',
        'OK-ACCESS-TIMESTAMP',
        'x-simulated-trading',
      ].sort(),
    );
  });
});

describe('okx client verification', () => {
  const body = '{"instId":"BTC-USDT","side":"buy","ordType":"limit","px":"1","sz":"1"}';
  const signedBy = (c = cred, now = NOW) => okx.sign(post('/api/v5/trade/order', body), c, signCtx(now));

  it('accepts a correctly signed fresh request', () => {
    expect(okx.verifyClient(signedBy(), verifier, verifyCtx())).toMatchObject({ ok: true });
    expect(okx.clientKeyId(signedBy())).toBe('kw_test');
  });

  it('refuses a wrong secret with 50113', () => {
    const r = okx.verifyClient(signedBy({ ...cred, secret: 'other' }), verifier, verifyCtx());
    expect(r).toMatchObject({ ok: false, reason: 'bad_signature', message: expect.stringMatching(/^50113/) });
  });

  it('refuses a body tampered after signing with 50113', () => {
    const tampered = { ...signedBy(), body: body.replace('"sz":"1"', '"sz":"9"') };
    expect(okx.verifyClient(tampered, verifier, verifyCtx())).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('refuses timestamps more than 30 s away with 50102, accepts within', () => {
    expect(okx.verifyClient(signedBy(cred, NOW - 31_000), verifier, verifyCtx())).toMatchObject({
      ok: false,
      reason: 'stale_timestamp',
      message: expect.stringMatching(/^50102/),
    });
    expect(okx.verifyClient(signedBy(cred, NOW + 31_000), verifier, verifyCtx())).toMatchObject({
      ok: false,
    });
    expect(okx.verifyClient(signedBy(cred, NOW - 29_000), verifier, verifyCtx())).toMatchObject({ ok: true });
  });

  it('names the signature as replay key, for as long as OKX would still accept the timestamp', () => {
    const signed = signedBy(cred, NOW - 10_000);
    const r = okx.verifyClient(signed, verifier, verifyCtx());
    expect(r).toEqual({ ok: true, replayKey: signed.headers['OK-ACCESS-SIGN'], replayWindowMs: 21_000 });
    // Signed ahead of the gateway's clock: covered until the timestamp is 30 s old, at most 60 s.
    const ahead = okx.verifyClient(signedBy(cred, NOW + 29_000), verifier, verifyCtx());
    expect(ahead).toMatchObject({ ok: true, replayWindowMs: 60_000 });
  });

  it('refuses a request whose expTime deadline has passed (the header is not forwarded)', () => {
    const at = (expTime: string) => {
      const s = signedBy();
      return okx.verifyClient({ ...s, headers: { ...s.headers, exptime: expTime } }, verifier, verifyCtx());
    };
    expect(at(String(NOW - 1))).toMatchObject({ ok: false, reason: 'stale_timestamp' });
    expect(at('soon')).toMatchObject({ ok: false, reason: 'malformed' });
    expect(at(String(NOW + 5_000))).toMatchObject({ ok: true });
  });

  it('refuses a missing passphrase with 50104 and a wrong one with 50105', () => {
    const signed = signedBy();
    const { 'OK-ACCESS-PASSPHRASE': _p, ...rest } = signed.headers;
    expect(okx.verifyClient({ ...signed, headers: rest }, verifier, verifyCtx())).toMatchObject({
      ok: false,
      reason: 'missing_credentials',
      message: expect.stringMatching(/^50104/),
    });
    expect(okx.verifyClient(signedBy({ ...cred, password: 'nope' }), verifier, verifyCtx())).toMatchObject({
      ok: false,
      reason: 'bad_passphrase',
      message: expect.stringMatching(/^50105/),
    });
  });

  it('refuses missing key, sign or timestamp headers and a malformed timestamp', () => {
    const signed = signedBy();
    for (const [header, code] of [
      ['OK-ACCESS-KEY', '50103'],
      ['OK-ACCESS-SIGN', '50106'],
      ['OK-ACCESS-TIMESTAMP', '50107'],
    ] as const) {
      const headers = { ...signed.headers };
      delete headers[header];
      expect(okx.verifyClient({ ...signed, headers }, verifier, verifyCtx())).toMatchObject({
        ok: false,
        message: expect.stringMatching(new RegExp(`^${code}`)),
      });
    }
    const bad = { ...signed, headers: { ...signed.headers, 'OK-ACCESS-TIMESTAMP': '1607418537715' } };
    expect(okx.verifyClient(bad, verifier, verifyCtx())).toMatchObject({ ok: false, reason: 'malformed' });
  });
});

describe('okx parse', () => {
  it('refuses duplicated query parameters and duplicated JSON keys, at any depth', () => {
    expect(okx.parse(get('/api/v5/trade/fills', 'instId=BTC-USDT&instId=ETH-USDT')).ok).toBe(false);
    expect(okx.parse(post('/api/v5/trade/order', '{"sz":"1","sz":"100"}')).ok).toBe(false);
    expect(okx.parse(post('/api/v5/trade/batch-orders', '[{"sz":"1"},{"sz":"2","s\\u007a":"3"}]')).ok).toBe(
      false,
    );
    expect(okx.parse(post('/api/v5/trade/batch-orders', '[{"sz":"1"},{"sz":"2"}]')).ok).toBe(true);
    expect(okx.parse(post('/api/v5/trade/order', '{"a":{"b":1},"b":{"a":1}}')).ok).toBe(true);
  });

  it('accepts any JSON without duplicated keys exactly as JSON.parse reads it', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = JSON.stringify(v);
        expect(parseStrictJson(text)).toEqual({ ok: true, value: JSON.parse(text) });
      }),
      { numRuns: 300 },
    );
  });

  it('finds a duplicated key wherever it is injected', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue(), { minKeys: 1, maxKeys: 6 }), (obj) => {
        const [first] = Object.keys(obj);
        const text = `[${JSON.stringify(obj).slice(0, -1)},${JSON.stringify(first)}:0}]`;
        expect(parseStrictJson(text).ok).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses non-JSON and scalar bodies', () => {
    expect(okx.parse(post('/api/v5/trade/order', 'instId=BTC-USDT&sz=1')).ok).toBe(false);
    expect(okx.parse(post('/api/v5/trade/order', '"x"')).ok).toBe(false);
    expect(okx.parse({ ...get('/api/v5/account/balance'), body: '{}' }).ok).toBe(false);
    expect(okx.parse(post('/api/v5/trade/order', '{"instId":"BTC-USDT"')).ok).toBe(false);
  });
});

describe('okx symbols, errors, credentials and tickers', () => {
  it('normalises instrument ids', () => {
    expectSymbols(okxSymbol, [
      ['BTC-USDT', 'BTC/USDT'],
      ['BTC-USDT-SWAP', 'BTC/USDT:USDT'],
      ['BTC-USD-SWAP', 'BTC/USD:BTC'],
      ['BTC-USDT-250328', 'BTC/USDT:USDT-250328'],
      ['BTC', undefined],
    ]);
  });

  it('answers errors in OKX shape with 401 for auth codes', () => {
    const r = okx.errorResponse('auth', 'Invalid Sign');
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body)).toEqual({ code: '50113', msg: 'Invalid Sign', data: [] });
    expect(JSON.parse(okx.errorResponse('timestamp', 'x').body).code).toBe('50102');
    expect(okx.errorResponse('rate_limited', 'x').status).toBe(429);
    expect(JSON.parse(okx.errorResponse('policy', 'denied').body).code).toBe('50120');
  });

  it('issues random kw_ credentials with a passphrase and validates stored ones', () => {
    const a = okx.issueClientCredential();
    const b = okx.issueClientCredential();
    expect(a.credential.apiKey).toMatch(/^kw_/);
    expect(a.credential.password).toBeTruthy();
    expect(a.verifier.password).toBe(a.credential.password);
    expect(a.credential.secret).not.toBe(b.credential.secret);
    expect(() => okx.validateCredential({ apiKey: 'k', secret: 's' })).toThrow(CredentialError);
    expect(() => okx.validateCredential(cred)).not.toThrow();
  });

  it('builds and reads the ticker request', () => {
    const r = okx.tickerRequest('BTC/USDT');
    expect(`${r.method} ${r.path}?${r.query}`).toBe('GET /api/v5/market/ticker?instId=BTC-USDT');
    const body = JSON.stringify({ code: '0', msg: '', data: [{ instId: 'BTC-USDT', last: '60123.5' }] });
    expect(okx.parseTicker(reply(body))).toBe(60123.5);
    expect(okx.parseTicker(reply('{"code":"51001","data":[]}'))).toBeUndefined();
  });

  it('introspects perm and ip from /api/v5/account/config', async () => {
    const data = [{ uid: '1', perm: 'read_only,trade', ip: '1.2.3.4,5.6.7.8', label: 'bot' }];
    const { sent, transport } = recordingTransport(() => reply({ code: '0', msg: '', data }));
    const result = await okx.introspect(cred, transport, signCtx());
    const seen = sent.at(-1);
    expect(seen?.path).toBe('/api/v5/account/config');
    expect(seen?.headers['OK-ACCESS-SIGN']).toBeTruthy();
    expect(result).toMatchObject({
      available: true,
      canRead: true,
      canTrade: true,
      canWithdraw: false,
      ipRestricted: true,
      ipList: ['1.2.3.4', '5.6.7.8'],
    });
    const denied = await okx.introspect(
      cred,
      async () => reply('{"code":"50113","msg":"Invalid Sign","data":[]}', 401),
      signCtx(),
    );
    expect(denied).toEqual({ available: false, reason: 'okx 50113: Invalid Sign' });
  });
});

describe('okx market data and resting orders', () => {
  it('asks the public instruments endpoint for a derivative and reads its contract spec', () => {
    expect(okx.instrumentRequest?.('BTC/USD:BTC', 'swap')).toMatchObject({
      path: '/api/v5/public/instruments',
      query: 'instType=SWAP&instId=BTC-USD-SWAP',
    });
    expect(okx.instrumentRequest?.('BTC/USDT:USDT-250627', 'future')?.query).toBe(
      'instType=FUTURES&instId=BTC-USDT-250627',
    );
    const row = (r: Record<string, string>) => reply({ code: '0', msg: '', data: [r] });
    expect(okx.parseInstrument?.(row({ ctVal: '100', ctMult: '1', ctType: 'inverse' }))).toEqual({
      contractSize: 100,
      inverse: true,
    });
    expect(okx.parseInstrument?.(row({ ctVal: '0.01', ctMult: '10', ctType: 'linear' }))).toEqual({
      contractSize: 0.1,
      inverse: false,
    });
    // No spec, no order: missing or odd values are no answer.
    expect(okx.parseInstrument?.(row({ ctVal: '', ctType: 'linear' }))).toBeUndefined();
    expect(okx.parseInstrument?.(row({ ctVal: '1', ctType: 'quanto' }))).toBeUndefined();
    expect(okx.parseInstrument?.(reply({ code: '51001', msg: 'x', data: [] }))).toBeUndefined();
    expect(okx.tickerRequest('DOGE/USDT:USDT').query).toBe('instId=DOGE-USDT-SWAP');
  });

  it('reads the resting order an amend names, only while it is live', () => {
    const amend = post(
      '/api/v5/trade/amend-order',
      '{"instId":"ETH-USDT-SWAP","clOrdId":"bot1","newPx":"3000"}',
    );
    const intent = okx.classify(amend).orders[0] ?? {};
    expect(okx.restingOrderRequest?.(intent, amend)).toMatchObject({
      method: 'GET',
      path: '/api/v5/trade/order',
      query: 'instId=ETH-USDT-SWAP&clOrdId=bot1',
    });
    const order = (state: string) =>
      reply({
        code: '0',
        msg: '',
        data: [{ instId: 'ETH-USDT-SWAP', side: 'sell', sz: '5', accFillSz: '2', px: '3100', state }],
      });
    expect(okx.parseRestingOrder?.(order('partially_filled'))).toEqual({
      symbol: 'ETH/USDT:USDT',
      rawSymbol: 'ETH-USDT-SWAP',
      market: 'swap',
      side: 'sell',
      quantity: 3,
      price: 3100,
    });
    expect(okx.parseRestingOrder?.(order('filled'))).toBeUndefined();
  });
});
