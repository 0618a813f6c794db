import { generateKeyPairSync } from 'node:crypto';
import ccxt from 'ccxt';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/core/index.js';
import type { ExchangeRequest } from '../../src/exchanges/adapter.js';
import { binance, binanceSignature, binanceSymbol } from '../../src/exchanges/binance/index.js';
import { malformedPem } from '../pem.js';
import { expectSymbols, recordingTransport, reply, signCtxAt, verifyCtxAt } from './helpers.js';

// Official vectors (binance-spot-api-docs rest-api.md, exchanges.md §1.3).
const API_KEY = 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A';
const SECRET = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';
const PAYLOAD_A =
  'symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559';
const SIG_A = 'c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71';
const PAYLOAD_B =
  'symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559';
const SIG_B = 'e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3';
const TS = 1499827319559;

const verifyCtx = (now: number) => verifyCtxAt(now, '/binance');
const signCtx = (now: number) => signCtxAt(now, 'https://api.binance.com', String(now));

function req(partial: Partial<ExchangeRequest>): ExchangeRequest {
  return { method: 'GET', path: '/api/v3/account', query: '', headers: {}, body: '', ...partial };
}

describe('binance official HMAC test vectors', () => {
  it('payload A (ASCII) signs to the documented signature', () => {
    expect(binanceSignature(PAYLOAD_A, SECRET)).toBe(SIG_A);
  });
  it('payload B (percent-encoded non-ASCII symbol) signs to the documented signature', () => {
    expect(binanceSignature(PAYLOAD_B, SECRET)).toBe(SIG_B);
  });
  it('verifies the documented request A in the body and B in the query', () => {
    const verifier = { apiKey: API_KEY, secret: SECRET };
    const a = req({
      method: 'POST',
      path: '/api/v3/order',
      headers: { 'x-mbx-apikey': API_KEY },
      body: `${PAYLOAD_A}&signature=${SIG_A}`,
    });
    expect(binance.verifyClient(a, verifier, verifyCtx(TS + 100))).toMatchObject({ ok: true });
    const b = req({
      method: 'POST',
      path: '/api/v3/order',
      headers: { 'X-MBX-APIKEY': API_KEY },
      query: `${PAYLOAD_B}&signature=${SIG_B}`,
    });
    expect(binance.verifyClient(b, verifier, verifyCtx(TS + 100))).toMatchObject({ ok: true });
  });
  it('accepts the signature in upper case (HMAC comparison is case-insensitive)', () => {
    const r = req({
      headers: { 'x-mbx-apikey': API_KEY },
      query: `${PAYLOAD_A}&signature=${SIG_A.toUpperCase()}`,
    });
    expect(binance.verifyClient(r, { apiKey: API_KEY, secret: SECRET }, verifyCtx(TS))).toMatchObject({
      ok: true,
    });
  });
});

describe('binance sign', () => {
  it('adds timestamp first and the signature last, in the body for POST, with the API key header', () => {
    const signed = binance.sign(
      req({
        method: 'POST',
        path: '/api/v3/order',
        body: 'symbol=LTCBTC&side=BUY&type=LIMIT&recvWindow=5000',
      }),
      { apiKey: API_KEY, secret: SECRET },
      signCtx(TS),
    );
    const payload = `timestamp=${TS}&symbol=LTCBTC&side=BUY&type=LIMIT&recvWindow=5000`;
    expect(signed.body).toBe(`${payload}&signature=${binanceSignature(payload, SECRET)}`);
    expect(signed.query).toBe('');
    expect(signed.headers['X-MBX-APIKEY']).toBe(API_KEY);
    expect(signed.headers['Content-Type']).toBe('application/x-www-form-urlencoded');
  });
  it('signs query and body concatenated exactly as sent when both are used', () => {
    const signed = binance.sign(
      req({
        method: 'POST',
        path: '/api/v3/order',
        query: 'symbol=LTCBTC&side=BUY',
        body: 'quantity=1&price=0.1',
      }),
      { apiKey: API_KEY, secret: SECRET },
      signCtx(TS),
    );
    expect(signed.query).toBe('symbol=LTCBTC&side=BUY');
    const body = `timestamp=${TS}&quantity=1&price=0.1`;
    expect(signed.body).toBe(
      `${body}&signature=${binanceSignature(`symbol=LTCBTC&side=BUY${body}`, SECRET)}`,
    );
    const back = binance.verifyClient(
      { ...signed, headers: { 'x-mbx-apikey': API_KEY } },
      { apiKey: API_KEY, secret: SECRET },
      verifyCtx(TS),
    );
    expect(back).toMatchObject({ ok: true });
  });
  it('replaces a client timestamp and signature with its own and caps recvWindow at 60000', () => {
    const signed = binance.sign(
      req({ query: 'recvWindow=90000&timestamp=1&signature=abc' }),
      { apiKey: API_KEY, secret: SECRET },
      signCtx(TS),
    );
    expect(signed.query.startsWith(`timestamp=${TS}&recvWindow=60000&signature=`)).toBe(true);
  });
  it('signs with an Ed25519 PKCS#8 key (base64, percent-encoded) that verifies with the public key', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const signed = binance.sign(
      req({ query: 'omitZeroBalances=true' }),
      { apiKey: 'k', secret: pem },
      signCtx(TS),
    );
    const sig = decodeURIComponent(/signature=([^&]+)$/.exec(signed.query)?.[1] ?? '');
    expect(Buffer.from(sig, 'base64')).toHaveLength(64);
    const pub = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(
      binance.verifyClient(
        { ...signed, headers: { 'x-mbx-apikey': 'k' } },
        { apiKey: 'k', secret: pub },
        verifyCtx(TS),
      ),
    ).toMatchObject({
      ok: true,
    });
  });
  it('leaves public endpoints unsigned', () => {
    const signed = binance.sign(
      req({ path: '/api/v3/exchangeInfo' }),
      { apiKey: API_KEY, secret: SECRET },
      signCtx(TS),
    );
    expect(signed.query).toBe('');
  });
});

describe('binance verifyClient rejects', () => {
  const verifier = { apiKey: API_KEY, secret: SECRET };
  const good = req({ headers: { 'x-mbx-apikey': API_KEY }, query: `${PAYLOAD_A}&signature=${SIG_A}` });
  it('a wrong secret as bad_signature, answered with -1022', () => {
    const r = binance.verifyClient(good, { apiKey: API_KEY, secret: `${SECRET}x` }, verifyCtx(TS));
    expect(r).toMatchObject({ ok: false, reason: 'bad_signature' });
    if (!r.ok) expect(JSON.parse(binance.errorResponse('auth', r.message).body).code).toBe(-1022);
  });
  it('a stale timestamp (older than recvWindow) with -1021', () => {
    const r = binance.verifyClient(good, verifier, verifyCtx(TS + 5001));
    expect(r).toMatchObject({ ok: false, reason: 'stale_timestamp' });
    const res = binance.errorResponse('timestamp', r.ok ? '' : r.message);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).code).toBe(-1021);
    expect(binance.verifyClient(good, verifier, verifyCtx(TS + 5000))).toMatchObject({ ok: true });
  });
  it('a timestamp 1000ms or more ahead of the server', () => {
    expect(binance.verifyClient(good, verifier, verifyCtx(TS - 1000))).toMatchObject({
      reason: 'stale_timestamp',
    });
    expect(binance.verifyClient(good, verifier, verifyCtx(TS - 999))).toMatchObject({ ok: true });
  });
  it('a body tampered after signing', () => {
    const tampered = { ...good, query: good.query.replace('quantity=1', 'quantity=100') };
    expect(binance.verifyClient(tampered, verifier, verifyCtx(TS))).toMatchObject({
      reason: 'bad_signature',
    });
  });
  it('a missing API key header, answered with -2014 / 401', () => {
    const r = binance.verifyClient({ ...good, headers: {} }, verifier, verifyCtx(TS));
    expect(r).toMatchObject({ reason: 'missing_credentials' });
    const res = binance.errorResponse('auth', r.ok ? '' : r.message);
    expect([res.status, JSON.parse(res.body).code]).toEqual([401, -2014]);
  });
  it('a recvWindow over 60000', () => {
    const payload = `symbol=LTCBTC&recvWindow=60001&timestamp=${TS}`;
    const r = req({
      headers: { 'x-mbx-apikey': API_KEY },
      query: `${payload}&signature=${binanceSignature(payload, SECRET)}`,
    });
    expect(binance.verifyClient(r, verifier, verifyCtx(TS))).toMatchObject({ reason: 'malformed' });
  });
  it('an unknown key as -2015 / 401', () => {
    const res = binance.errorResponse('permission', 'Invalid API-key, IP, or permissions for action.');
    expect([res.status, JSON.parse(res.body)]).toEqual([
      401,
      { code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' },
    ]);
  });
  it('a frozen client as -1002 / 403, which CCXT raises as AuthenticationError, not a retryable DDoSProtection', () => {
    // Each with the kind the gateway's error table gives it.
    const frozen = binance.errorResponse(
      ERROR_CODES.client_frozen.kind,
      'keywarden denied [client_frozen]: client bot is frozen',
    );
    expect([frozen.status, (JSON.parse(frozen.body) as { code: number }).code]).toEqual([403, -1002]);
    const ipRefused = binance.errorResponse(
      ERROR_CODES.ip_not_allowed.kind,
      "keywarden denied [ip_not_allowed]: source IP 10.0.0.9 is not in the client's allow-list",
    );
    expect((JSON.parse(ipRefused.body) as { code: number }).code).toBe(-2015);
    // CCXT, for a key that has already authenticated once (a running bot):
    const ccxtBinance = new ccxt.binance();
    ccxtBinance.options.hasAlreadyAuthenticatedSuccessfully = true;
    const raised = (res: { status: number; body: string }) => {
      try {
        ccxtBinance.handleErrors(
          res.status,
          '',
          'https://gw/binance/api/v3/account',
          'GET',
          {},
          res.body,
          JSON.parse(res.body),
          {},
          undefined,
        );
      } catch (err) {
        return err;
      }
      return undefined;
    };
    expect(raised(frozen)).toBeInstanceOf(ccxt.AuthenticationError);
    expect(raised(frozen)).not.toBeInstanceOf(ccxt.DDoSProtection);
    expect(raised(ipRefused)).toBeInstanceOf(ccxt.DDoSProtection);
  });
});

describe('binance parse and stripAuth', () => {
  it('refuses a parameter duplicated in the query, in the body, or across both', () => {
    expect(binance.parse(req({ query: 'symbol=A&symbol=B' })).ok).toBe(false);
    expect(binance.parse(req({ method: 'POST', body: 'quantity=1&quantity=2' })).ok).toBe(false);
    expect(binance.parse(req({ method: 'POST', query: 'quantity=1', body: 'quantity=2' })).ok).toBe(false);
    expect(binance.parse(req({ query: 'symbol=%E0%A4%A' })).ok).toBe(false);
    expect(binance.parse(req({ method: 'POST', query: 'symbol=A', body: 'quantity=2' })).ok).toBe(true);
  });
  it('removes signature, timestamp and the API key header but keeps recvWindow and byte order', () => {
    const s = binance.stripAuth(
      req({
        headers: { 'X-MBX-APIKEY': 'k', accept: 'x' },
        query: 'timestamp=1&symbol=%41B&recvWindow=10000&signature=ff',
      }),
    );
    expect(s.query).toBe('symbol=%41B&recvWindow=10000');
    expect(s.headers).toEqual({ accept: 'x' });
  });
});

describe('binance credentials, introspection and ticker', () => {
  it('issues kw_ keys with 60 random characters and a 64-character secret', () => {
    const { credential, verifier } = binance.issueClientCredential();
    expect(credential.apiKey).toMatch(/^kw_[0-9A-Za-z]{60}$/);
    expect(credential.secret).toMatch(/^[0-9A-Za-z]{64}$/);
    expect(verifier).toEqual(credential);
  });
  it('validates HMAC and PEM secrets', () => {
    expect(() => binance.validateCredential({ apiKey: 'a', secret: 'b' })).not.toThrow();
    expect(() => binance.validateCredential({ apiKey: '', secret: 'b' })).toThrow(/apiKey/);
    expect(() =>
      binance.validateCredential({
        apiKey: 'a',
        secret: malformedPem('pkcs8'),
      }),
    ).toThrow(/PEM/);
  });
  it('reads apiRestrictions into an introspection result', async () => {
    const { sent, transport } = recordingTransport((r) =>
      r.path.endsWith('ipRestriction')
        ? reply({ ipRestrict: true, ipList: ['1.2.3.4'] })
        : reply({
            ipRestrict: true,
            enableReading: true,
            enableWithdrawals: false,
            enableInternalTransfer: false,
            permitsUniversalTransfer: false,
            enableSpotAndMarginTrading: true,
          }),
    );
    const result = await binance.introspect({ apiKey: API_KEY, secret: SECRET }, transport, signCtx(TS));
    expect(sent[0]?.path).toBe('/sapi/v1/account/apiRestrictions');
    expect(sent[0]?.query).toMatch(/^timestamp=\d+&signature=[0-9a-f]{64}$/);
    expect(result).toMatchObject({
      available: true,
      canRead: true,
      canTrade: true,
      canWithdraw: false,
      canTransfer: false,
      ipRestricted: true,
      ipList: ['1.2.3.4'],
    });
  });
  it('reports introspection unavailable on an error answer', async () => {
    const result = await binance.introspect(
      { apiKey: API_KEY, secret: SECRET },
      async () => reply('{"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."}', 401),
      signCtx(TS),
    );
    expect(result.available).toBe(false);
  });
  it('builds and reads the price ticker', () => {
    expect(binance.tickerRequest('BTC/USDT')).toMatchObject({
      method: 'GET',
      path: '/api/v3/ticker/price',
      query: 'symbol=BTCUSDT',
    });
    expect(binance.parseTicker(reply('{"symbol":"BTCUSDT","price":"60000.01"}'))).toBe(60000.01);
    expect(binance.parseTicker(reply('{}', 400))).toBeUndefined();
  });
  it('splits symbols on known quote assets', () => {
    expectSymbols(binanceSymbol, [
      ['BTCUSDT', 'BTC/USDT'],
      ['ETHBTC', 'ETH/BTC'],
      ['BNBFDUSD', 'BNB/FDUSD'],
      ['SOLTRY', 'SOL/TRY'],
      ['XYZ', undefined],
    ]);
  });
});
