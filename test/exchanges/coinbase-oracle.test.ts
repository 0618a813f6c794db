import { createPublicKey, verify } from 'node:crypto';
import ccxt from 'ccxt';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ExchangeRequest, SignContext, VerifyContext } from '../../src/exchanges/adapter.js';
import { coinbase, decodeJwt } from '../../src/exchanges/coinbase/index.js';
import { createMemoryNonceLedger } from '../../src/exchanges/memory-nonce-ledger.js';
import { encodeParams } from '../../src/exchanges/params.js';

const T = 1_700_000_000;
const issued = coinbase.issueClientCredential();

interface Case {
  baseUrl: string;
  version: 'v3' | 'v2';
  method: 'GET' | 'POST' | 'DELETE' | 'PUT';
  segments: string[];
  id: string;
  params: Record<string, string>;
}

const segment = fc.stringMatching(/^[a-z_]{1,12}$/);
const caseArb: fc.Arbitrary<Case> = fc.record({
  baseUrl: fc.constantFrom(
    'https://api.coinbase.com',
    'https://gateway.example:8443/coinbase',
    'http://127.0.0.1:8788/coinbase',
    'http://localhost:9/cb/',
  ),
  version: fc.constantFrom('v3' as const, 'v2' as const),
  method: fc.constantFrom('GET' as const, 'POST' as const, 'DELETE' as const, 'PUT' as const),
  segments: fc.array(segment, { minLength: 1, maxLength: 3 }),
  id: fc.uuid(),
  params: fc.dictionary(fc.stringMatching(/^[a-z][a-z_]{0,8}$/), fc.stringMatching(/^[A-Za-z0-9-]{1,10}$/), {
    maxKeys: 3,
  }),
});

function ccxtClient(baseUrl: string) {
  const ex = new ccxt.coinbase({
    apiKey: issued.credential.apiKey,
    secret: issued.credential.secret,
    urls: { api: { rest: baseUrl.replace(/\/+$/, '') } },
  });
  ex.seconds = () => T;
  return ex;
}

/** What CCXT does for one call, and the same request in keywarden's form. */
function both(c: Case) {
  const ex = ccxtClient(c.baseUrl);
  const ccxtPath = `${c.segments.join('/')}/{item_id}`;
  const signed = ex.sign(ccxtPath, [c.version, 'private'], c.method, { ...c.params, item_id: c.id });
  const path = `${c.version === 'v3' ? '/api/v3' : '/v2'}/${c.segments.join('/')}/${c.id}`;
  const entries = Object.entries(c.params);
  const request: ExchangeRequest = {
    method: c.method,
    path,
    query: c.method === 'GET' ? encodeParams(entries) : '',
    headers: {},
    body: c.method !== 'GET' && entries.length > 0 ? JSON.stringify(c.params) : '',
  };
  const auth = String(signed.headers?.Authorization ?? '');
  return { ccxtToken: auth.replace(/^Bearer /, ''), request, url: String(signed.url) };
}

function signCtx(baseUrl: string): SignContext {
  return { clock: { now: () => T * 1000 }, nonce: { next: () => '0' }, baseUrl };
}

function verifyCtx(baseUrl: string, atSeconds = T): VerifyContext {
  const u = new URL(baseUrl);
  return {
    clock: { now: () => atSeconds * 1000 },
    nonces: createMemoryNonceLedger(),
    origin: { host: u.host, prefix: u.pathname.replace(/\/+$/, '') },
  };
}

describe('coinbase JWT oracle against CCXT 4.5.84', () => {
  it('claims the same key, uri, method and lifetime as CCXT, and each side verifies the other', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { ccxtToken, request } = both(c);
        const ours = coinbase.sign(request, issued.credential, signCtx(c.baseUrl));
        const ourToken = String(ours.headers.authorization).replace(/^Bearer /, '');
        const a = decodeJwt(ourToken);
        const b = decodeJwt(ccxtToken);
        expect(a).toBeDefined();
        expect(b).toBeDefined();
        if (!a || !b) return;
        expect(a.header.alg).toBe('ES256');
        expect(a.header.kid).toBe(b.header.kid);
        expect(a.claims.sub).toBe(b.claims.sub);
        expect(a.claims.nbf).toBe(b.claims.nbf);
        expect(a.claims.exp).toBe(b.claims.exp);
        // CCXT strips only `https://`; over plain http its uri keeps the scheme.
        expect(a.claims.uri).toBe(String(b.claims.uri).replace(/^(\w+) http:\/\//, '$1 '));
        expect(String(a.claims.uri).startsWith(`${c.method} `)).toBe(true);
        expect(String(a.claims.uri)).not.toContain('?');
        // Our JWT verifies with nothing but the public key (raw r||s, P-1363).
        const sig = Buffer.from(ourToken.split('.')[2] ?? '', 'base64url');
        expect(sig.length).toBe(64);
        const pub = createPublicKey(issued.verifier.secret);
        const input = Buffer.from(ourToken.split('.').slice(0, 2).join('.'));
        expect(verify('sha256', input, { key: pub, dsaEncoding: 'ieee-p1363' }, sig)).toBe(true);
        // CCXT's JWT, sent to a gateway at baseUrl, verifies with the stored verifier.
        const clientReq = { ...request, headers: { authorization: `Bearer ${ccxtToken}` } };
        expect(coinbase.verifyClient(clientReq, issued.verifier, verifyCtx(c.baseUrl))).toMatchObject({
          ok: true,
        });
        expect(coinbase.verifyClient(ours, issued.verifier, verifyCtx(c.baseUrl))).toMatchObject({
          ok: true,
        });
      }),
      { numRuns: 60 },
    );
  });

  it('matches CCXT on the uri of the production host exactly', () => {
    const c: Case = {
      baseUrl: 'https://api.coinbase.com',
      version: 'v3',
      method: 'GET',
      segments: ['brokerage', 'orders', 'historical'],
      id: 'b6b2bfa3-0bd4-4f5e-9a3e-0d5a2c6b9d11',
      params: { limit: '5' },
    };
    const { ccxtToken, request } = both(c);
    const ours = coinbase.sign(request, issued.credential, signCtx(c.baseUrl));
    const a = decodeJwt(String(ours.headers.authorization).slice(7));
    expect(a?.claims.uri).toBe(
      'GET api.coinbase.com/api/v3/brokerage/orders/historical/b6b2bfa3-0bd4-4f5e-9a3e-0d5a2c6b9d11',
    );
    expect(decodeJwt(ccxtToken)?.claims.uri).toBe(a?.claims.uri);
  });

  it('documents where CCXT differs from the official SDK claims', () => {
    const { ccxtToken, request } = both({
      baseUrl: 'https://api.coinbase.com',
      version: 'v3',
      method: 'GET',
      segments: ['brokerage'],
      id: 'x',
      params: {},
    });
    const ours = decodeJwt(
      String(
        coinbase.sign(request, issued.credential, signCtx('https://api.coinbase.com')).headers.authorization,
      ).slice(7),
    );
    const theirs = decodeJwt(ccxtToken);
    expect(ours?.claims.iss).toBe('cdp');
    expect(ours?.claims.aud).toBeUndefined();
    expect(ours?.header.typ).toBe('JWT');
    expect(theirs?.claims.iss).toBe('coinbase-cloud');
    expect(theirs?.claims.aud).toEqual(['retail_rest_api_proxy']);
    expect(theirs?.claims.iat).toBe(T);
  });
});
