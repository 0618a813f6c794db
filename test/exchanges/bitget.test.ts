import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ExchangeRequest } from '../../src/exchanges/adapter.js';
import { CredentialError } from '../../src/exchanges/adapter.js';
import {
  BITGET_ERRORS,
  bitget,
  bitgetMarketId,
  bitgetPrehash,
  bitgetSignature,
  bitgetSymbol,
} from '../../src/exchanges/bitget/index.js';
import { expectSymbols, get, post, recordingTransport, reply, signCtxAt, verifyCtxAt } from './helpers.js';

const NOW = 1_659_076_670_000;
const signCtx = (now = NOW) => signCtxAt(now);
const verifyCtx = (now = NOW) => verifyCtxAt(now, '/bitget');
const cred = { apiKey: 'kw_test', secret: 'c3ad0fb8a52f4f3e8b2a4a6a1a0b9d7e', password: 'pass-1' };
const verifier = { apiKey: cred.apiKey, secret: cred.secret, password: cred.password };
/** The Place-Order page's example body (https://www.bitget.com/api-doc/spot/trade/Place-Order). */
const BODY =
  '{"symbol":"BTCUSDT","side":"buy","orderType":"limit","force":"gtc","price":"23222.5","size":"1","clientOid":"121211212122"}';

describe('bitget signing', () => {
  it('matches vectors computed independently with openssl (HMAC-SHA256, base64)', () => {
    // printf '%s' "$prehash" | openssl dgst -sha256 -hmac "$secret" -binary | base64
    const signed = bitget.sign(post('/api/v2/spot/trade/place-order', BODY), cred, signCtx());
    expect(signed.headers['ACCESS-SIGN']).toBe('tkb3hMPzQABtALlVp2oyUf4Xlb6kBVVqrRVbZau9h2g=');
    expect(signed.headers['ACCESS-TIMESTAMP']).toBe('1659076670000');
    expect(signed.headers['ACCESS-PASSPHRASE']).toBe('pass-1');
    expect(signed.headers['ACCESS-KEY']).toBe('kw_test');
    expect(signed.headers['Content-Type']).toBe('application/json');
    expect(signed.body).toBe(BODY);
    expect(bitgetSignature('16273667805456GET/api/v2/spot/account/assets?coin=USDT', cred.secret)).toBe(
      'zBv8LN8hKN4DDmGGgov/w4LaNMD4MUXTKq1DRN/gt+o=',
    );
  });

  it('builds the prehash of the signature page: path, then "?" and the query only when there is one', () => {
    const depth: ExchangeRequest = {
      ...get('/api/mix/v2/market/depth', 'symbol=BTCUSDT&limit=20'),
    };
    expect(bitgetPrehash('16273667805456', depth)).toBe(
      '16273667805456GET/api/mix/v2/market/depth?symbol=BTCUSDT&limit=20',
    );
    expect(bitgetPrehash('T', get('/api/v2/spot/account/info'))).toBe('TGET/api/v2/spot/account/info');
    const signed = bitget.sign(get('/api/v2/spot/account/info'), cred, signCtx());
    expect(signed.headers['Content-Type']).toBeUndefined();
  });

  it('strips every client auth header and keeps only what the adapter declares', () => {
    const request: ExchangeRequest = {
      ...get('/api/v2/spot/account/assets'),
      headers: {
        'access-key': 'client',
        'ACCESS-SIGN': 'x',
        'access-timestamp': 't',
        'Access-Passphrase': 'p',
        paptrading: '1',
      },
    };
    expect(Object.keys(bitget.stripAuth(request).headers)).toEqual(['paptrading']);
    const signed = bitget.sign(request, cred, signCtx());
    expect(Object.keys(signed.headers).sort()).toEqual(
      ['ACCESS-KEY', 'ACCESS-PASSPHRASE', 'ACCESS-SIGN', 'ACCESS-TIMESTAMP', 'paptrading'].sort(),
    );
    expect(signed.headers['ACCESS-KEY']).toBe('kw_test');
    // CCXT's broker header is neither signed nor declared: the gateway drops it before signing.
    expect(bitget.forwardedHeaders).not.toContain('x-channel-api-code');
  });
});

describe('bitget client verification', () => {
  const signedBy = (c = cred, now = NOW) =>
    bitget.sign(post('/api/v2/spot/trade/place-order', BODY), c, signCtx(now));

  it('accepts a correctly signed fresh request and names its key', () => {
    expect(bitget.verifyClient(signedBy(), verifier, verifyCtx())).toMatchObject({ ok: true });
    expect(bitget.clientKeyId(signedBy())).toBe('kw_test');
  });

  it('refuses a wrong secret with 40009 and a body tampered after signing', () => {
    expect(bitget.verifyClient(signedBy({ ...cred, secret: 'other' }), verifier, verifyCtx())).toMatchObject({
      ok: false,
      reason: 'bad_signature',
      message: expect.stringMatching(/^40009/),
    });
    const tampered = { ...signedBy(), body: BODY.replace('"size":"1"', '"size":"9"') };
    expect(bitget.verifyClient(tampered, verifier, verifyCtx())).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('refuses a wrong passphrase with 40012 and another key id with 40006', () => {
    expect(bitget.verifyClient(signedBy({ ...cred, password: 'nope' }), verifier, verifyCtx())).toMatchObject(
      {
        ok: false,
        reason: 'bad_passphrase',
        message: expect.stringMatching(/^40012/),
      },
    );
    expect(
      bitget.verifyClient(signedBy({ ...cred, apiKey: 'kw_other' }), verifier, verifyCtx()),
    ).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^40006/),
    });
  });

  it('refuses missing headers with their Bitget codes', () => {
    const full = signedBy();
    const without = (name: string) => {
      const headers = Object.fromEntries(Object.entries(full.headers).filter(([k]) => k !== name));
      return bitget.verifyClient({ ...full, headers }, verifier, verifyCtx());
    };
    expect(without('ACCESS-KEY')).toMatchObject({ reason: 'missing_credentials', message: /^40001/ });
    expect(without('ACCESS-SIGN')).toMatchObject({ reason: 'missing_credentials', message: /^40003/ });
    expect(without('ACCESS-TIMESTAMP')).toMatchObject({ reason: 'missing_credentials', message: /^40005/ });
    expect(without('ACCESS-PASSPHRASE')).toMatchObject({ reason: 'missing_credentials', message: /^40011/ });
  });

  it('refuses timestamps more than 30 s away with 40008 and non-millisecond ones with 40005', () => {
    expect(bitget.verifyClient(signedBy(cred, NOW - 31_000), verifier, verifyCtx())).toMatchObject({
      ok: false,
      reason: 'stale_timestamp',
      message: expect.stringMatching(/^40008/),
    });
    expect(bitget.verifyClient(signedBy(cred, NOW + 31_000), verifier, verifyCtx())).toMatchObject({
      ok: false,
    });
    expect(bitget.verifyClient(signedBy(cred, NOW - 29_000), verifier, verifyCtx())).toMatchObject({
      ok: true,
    });
    const seconds = signedBy();
    seconds.headers['ACCESS-TIMESTAMP'] = String(NOW / 1000);
    expect(bitget.verifyClient(seconds, verifier, verifyCtx())).toMatchObject({ reason: 'malformed' });
  });

  it('names the signature as replay key for as long as Bitget would accept the timestamp', () => {
    const signed = signedBy(cred, NOW - 10_000);
    expect(bitget.verifyClient(signed, verifier, verifyCtx())).toEqual({
      ok: true,
      replayKey: signed.headers['ACCESS-SIGN'],
      replayWindowMs: 21_000,
    });
    expect(bitget.verifyClient(signedBy(cred, NOW + 29_000), verifier, verifyCtx())).toMatchObject({
      replayWindowMs: 60_000,
    });
  });
});

describe('bitget parse', () => {
  it('refuses duplicated parameters or keys, percent-escapes in the query, GET bodies and non-object bodies', () => {
    expect(bitget.parse(get('/api/v2/spot/trade/fills', 'symbol=BTCUSDT&symbol=ETHUSDT'))).toMatchObject({
      ok: false,
    });
    expect(bitget.parse(get('/api/v2/spot/trade/fills', 'symbol=BTC%55SDT'))).toMatchObject({
      ok: false,
      message: expect.stringMatching(/percent-encoded/),
    });
    expect(bitget.parse(get('/api/v2/spot/trade/fills', 'symbol=BTC+USDT'))).toMatchObject({ ok: false });
    expect(bitget.parse(post('/api/v2/spot/trade/place-order', '{"size":"1","size":"100"}'))).toMatchObject({
      ok: false,
      message: expect.stringMatching(/duplicated/),
    });
    expect(bitget.parse(post('/api/v2/spot/trade/place-order', '[{"size":"1"}]'))).toMatchObject({
      ok: false,
    });
    expect(bitget.parse({ ...get('/api/v2/spot/account/assets'), body: '{}' })).toMatchObject({ ok: false });
    expect(bitget.parse(post('/api/v2/spot/trade/place-order', BODY))).toMatchObject({ ok: true });
  });
});

describe('bitget credentials', () => {
  it('needs apiKey, secret and the passphrase; refuses RSA keys and spaces', () => {
    expect(() => bitget.validateCredential(cred)).not.toThrow();
    expect(() => bitget.validateCredential({ ...cred, password: undefined as unknown as string })).toThrow(
      /password/,
    );
    expect(() => bitget.validateCredential({ ...cred, secret: '' })).toThrow(CredentialError);
    expect(() =>
      bitget.validateCredential({
        ...cred,
        secret: generateKeyPairSync('rsa', { modulusLength: 2048 })
          .privateKey.export({ format: 'pem', type: 'pkcs8' })
          .toString(),
      }),
    ).toThrow(/RSA/);
    expect(() => bitget.validateCredential({ ...cred, apiKey: 'a b' })).toThrow(/spaces/);
  });

  it('issues drop-in credentials with apiKey, secret and password, and a verifier that accepts them', () => {
    const issued = bitget.issueClientCredential();
    expect(issued.credential.apiKey).toMatch(/^kw_/);
    expect(issued.credential.password).toBeTruthy();
    expect(issued.verifier).toEqual(issued.credential);
    const signed = bitget.sign(get('/api/v2/spot/account/assets'), issued.credential, signCtx());
    expect(bitget.verifyClient(signed, issued.verifier, verifyCtx())).toMatchObject({ ok: true });
    expect(bitget.issueClientCredential().credential.secret).not.toBe(issued.credential.secret);
  });
});

describe('bitget errors', () => {
  it('answers every denial kind in Bitget shape with a code CCXT maps', () => {
    for (const kind of Object.keys(BITGET_ERRORS) as Array<keyof typeof BITGET_ERRORS>) {
      const r = bitget.errorResponse(kind, `keywarden denied [x]: ${kind}`);
      const body = JSON.parse(r.body) as Record<string, unknown>;
      expect(Object.keys(body)).toEqual(['code', 'msg', 'requestTime', 'data']);
      expect(body).toMatchObject({
        code: BITGET_ERRORS[kind][0],
        msg: `keywarden denied [x]: ${kind}`,
        data: null,
      });
      expect(body.code).not.toBe('00000');
      expect(typeof body.requestTime).toBe('number');
      expect(r.status).toBe(BITGET_ERRORS[kind][1]);
      expect(r.headers['content-type']).toBe('application/json');
    }
    expect(JSON.parse(bitget.errorResponse('auth', 'x').body).code).toBe('40009');
    expect(JSON.parse(bitget.errorResponse('policy', 'x').body).code).toBe('40014');
    expect(JSON.parse(bitget.errorResponse('rate_limited', 'x').body).code).toBe('429');
  });
});

describe('bitget market data', () => {
  it('maps spot symbols both ways', () => {
    expectSymbols(bitgetSymbol, [
      ['BTCUSDT', 'BTC/USDT'],
      ['ETHBTC', 'ETH/BTC'],
      ['BTCUSDC', 'BTC/USDC'],
      ['BGBUSDT', 'BGB/USDT'],
      ['USDT', undefined],
      ['BTCXYZ', undefined],
    ]);
    expect(bitgetMarketId('BTC/USDT')).toBe('BTCUSDT');
  });

  it('asks the public ticker and reads lastPr', () => {
    expect(bitget.tickerRequest('ETH/USDT')).toMatchObject({
      method: 'GET',
      path: '/api/v2/spot/market/tickers',
      query: 'symbol=ETHUSDT',
    });
    expect(bitget.classify(bitget.tickerRequest('ETH/USDT')).action).toBe('public');
    expect(
      bitget.parseTicker(reply({ code: '00000', data: [{ symbol: 'ETHUSDT', lastPr: '3001.5' }] })),
    ).toBe(3001.5);
    expect(bitget.parseTicker(reply({ code: '40034', msg: 'x', data: null }))).toBeUndefined();
    expect(bitget.parseTicker(reply({ code: '00000', data: [] }))).toBeUndefined();
    expect(bitget.parseTicker(reply({ code: '00000', data: [{ lastPr: '0' }] }))).toBeUndefined();
  });
});

describe('bitget introspection', () => {
  const info = (data: unknown) => recordingTransport(() => reply({ code: '00000', msg: 'success', data }));

  it('reads authorities and the IP list from GET /api/v2/spot/account/info, signed', async () => {
    const { sent, transport } = info({
      userId: '1',
      ips: '1.2.3.4, 5.6.7.8',
      authorities: ['stow', 'wtow', 'wwow'],
    });
    const r = await bitget.introspect(cred, transport, signCtx());
    expect(r).toEqual({
      available: true,
      canRead: true,
      canTrade: true,
      canWithdraw: true,
      canTransfer: true,
      ipRestricted: true,
      ipList: ['1.2.3.4', '5.6.7.8'],
      raw: { authorities: ['stow', 'wtow', 'wwow'], ips: '1.2.3.4, 5.6.7.8' },
    });
    expect(sent[0]).toMatchObject({ method: 'GET', path: '/api/v2/spot/account/info' });
    expect(bitget.verifyClient(sent[0] as ExchangeRequest, verifier, verifyCtx())).toMatchObject({
      ok: true,
    });
  });

  it('reads a read-only key as such, and the legacy coarse authorities too', async () => {
    expect(
      await bitget.introspect(cred, info({ ips: '', authorities: ['stor', 'wtor'] }).transport, signCtx()),
    ).toMatchObject({ canTrade: false, canWithdraw: false, canTransfer: false, ipRestricted: false });
    expect(
      await bitget.introspect(
        cred,
        info({ ips: '', authorities: ['trade', 'readonly'] }).transport,
        signCtx(),
      ),
    ).toMatchObject({ canTrade: true, canWithdraw: false });
  });

  it('is unavailable (not an exception) on a refusal or a non-JSON answer', async () => {
    const refused = recordingTransport(() =>
      reply({ code: '40037', msg: 'Apikey does not exist', data: null }, 400),
    );
    expect(await bitget.introspect(cred, refused.transport, signCtx())).toEqual({
      available: false,
      reason: 'bitget 40037: Apikey does not exist',
    });
    const html = recordingTransport(() => reply('<html>', 502));
    expect(await bitget.introspect(cred, html.transport, signCtx())).toMatchObject({ available: false });
  });
});
