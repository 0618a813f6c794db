/**
 * Coinbase Advanced Trade: a CDP JWT (ES256 or EdDSA) in `Authorization: Bearer`, whose claims
 * name the method, host and path only; legacy keys sign `CB-ACCESS-*` HMAC headers.
 */
import { z } from 'zod';
import type { ExchangeRequest } from '../../../src/exchanges/index.js';
import { type ContractFixture, encode, headerSignature, request } from '../contract-fixture.js';

const JSON_BODY = { 'content-type': 'application/json' };
const bearer = headerSignature('authorization');

/** The JWT of a Bearer header; the slot reads and writes the token without its scheme word. */
const jwt = {
  get: (r: ExchangeRequest) => /^Bearer (\S+)$/.exec(bearer.get(r) ?? '')?.[1],
  set: (r: ExchangeRequest, token: string) => bearer.set(r, `Bearer ${token}`),
};

function segment(token: string, i: number): Record<string, unknown> {
  const part = token.split('.')[i] ?? '';
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}

const fixture: ContractFixture = {
  id: 'coinbase',
  // The JWT covers method, host and path: query and body travel unsigned (Coinbase's own scheme).
  samples: [
    {
      name: 'GET /api/v3/brokerage/accounts',
      build: (extra) => request({ method: 'GET', path: '/api/v3/brokerage/accounts', query: encode(extra) }),
      signed: [],
    },
    {
      name: 'POST /api/v3/brokerage/orders (JSON body)',
      build: (extra) =>
        request({
          method: 'POST',
          path: '/api/v3/brokerage/orders',
          headers: JSON_BODY,
          body: JSON.stringify({ product_id: 'BTC-USD', side: 'BUY', ...Object.fromEntries(extra) }),
        }),
      signed: [],
    },
  ],
  authHeaders: [
    'authorization',
    'cb-access-key',
    'cb-access-sign',
    'cb-access-timestamp',
    'cb-access-passphrase',
  ],
  authParams: [],
  signature: jwt,
  freshness: 'timestamp',
  duplicates: {
    query: { method: 'GET', path: '/api/v3/brokerage/accounts' },
    json: { method: 'POST', path: '/api/v3/brokerage/orders' },
  },
  errorBody: z.union([
    z.object({ error: z.string().min(1), error_details: z.string(), message: z.string() }).strict(),
    z.literal('Unauthorized\n'),
  ]),
  errorStatus: 'http',
  // Coinbase answers a bad or expired JWT with a bare `401 Unauthorized` text body.
  messageDropped: ['auth', 'timestamp'],
  signVectors: [
    {
      name: 'legacy HMAC key signs CB-ACCESS-* headers (exchanges.md §2.4)',
      source: 'self-computed',
      credential: { apiKey: 'legacykey', secret: 'TESTSECRET0123456789' },
      request: request({ method: 'GET', path: '/api/v3/brokerage/accounts', query: 'limit=1' }),
      at: { nowMs: 1_700_000_000_000 },
      expect: {
        headers: {
          'cb-access-key': 'legacykey',
          'cb-access-sign': 'd9024c2a3267953eddede86d0becc4e6efb3f5b63c81d2960ca923c4c2cf0d15',
          'cb-access-timestamp': '1700000000',
        },
      },
    },
  ],
  verifyVectors: [],
  ccxt: {
    id: 'coinbase',
    call: { path: 'brokerage/accounts', api: ['v3', 'private'], method: 'GET', params: {} },
  },
  // ECDSA signatures and JWT nonces are random, and CCXT writes its own `iss`/`aud`: two signers
  // agree on who signs, for which request, and when.
  authOf(r) {
    const token = jwt.get(r);
    if (token === undefined) return undefined;
    const header = segment(token, 0);
    const claims = segment(token, 1);
    return {
      alg: header.alg,
      kid: header.kid,
      sub: claims.sub,
      nbf: claims.nbf,
      exp: claims.exp,
      uri: claims.uri ?? claims.uris,
    };
  },
};

export default fixture;
