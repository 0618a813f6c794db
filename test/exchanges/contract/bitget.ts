/** Bitget v2: ACCESS-SIGN = base64(HMAC-SHA256(secret, ts + METHOD + path[?query] + body)), plain passphrase. */
import { z } from 'zod';
import { type ContractFixture, encode, headerAuth, headerSignature, request } from '../contract-fixture.js';

const PLACE_ORDER =
  '{"symbol":"BTCUSDT","side":"buy","orderType":"limit","force":"gtc","price":"23222.5","size":"1","clientOid":"121211212122"}';
const AUTH = ['access-key', 'access-sign', 'access-timestamp', 'access-passphrase'];

const fixture: ContractFixture = {
  id: 'bitget',
  samples: [
    {
      name: 'GET /api/v2/spot/account/assets',
      build: (extra) => request({ method: 'GET', path: '/api/v2/spot/account/assets', query: encode(extra) }),
      signed: ['query'],
    },
    {
      name: 'POST /api/v2/spot/trade/cancel-order (JSON body)',
      build: (extra) =>
        request({
          method: 'POST',
          path: '/api/v2/spot/trade/cancel-order',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ symbol: 'BTCUSDT', orderId: '1', ...Object.fromEntries(extra) }),
        }),
      signed: ['body'],
    },
  ],
  authHeaders: AUTH,
  authParams: [],
  signature: headerSignature('access-sign'),
  freshness: 'timestamp',
  duplicates: {
    query: { method: 'GET', path: '/api/v2/spot/account/assets' },
    json: { method: 'POST', path: '/api/v2/spot/trade/place-order' },
  },
  errorBody: z
    .object({
      code: z.string().regex(/^[1-9]\d*$/),
      msg: z.string(),
      requestTime: z.number(),
      data: z.null(),
    })
    .strict(),
  errorStatus: 'http',
  signVectors: [
    {
      // printf '%s' "$ts$METHOD$path$body" | openssl dgst -sha256 -hmac "$secret" -binary | base64
      name: 'POST /api/v2/spot/trade/place-order (the Place-Order page body)',
      source: 'self-computed',
      credential: { apiKey: 'kw_test', secret: 'c3ad0fb8a52f4f3e8b2a4a6a1a0b9d7e', password: 'pass-1' },
      request: request({
        method: 'POST',
        path: '/api/v2/spot/trade/place-order',
        headers: { 'content-type': 'application/json' },
        body: PLACE_ORDER,
      }),
      at: { nowMs: 1_659_076_670_000 },
      expect: {
        headers: {
          'ACCESS-SIGN': 'tkb3hMPzQABtALlVp2oyUf4Xlb6kBVVqrRVbZau9h2g=',
          'ACCESS-TIMESTAMP': '1659076670000',
          'ACCESS-PASSPHRASE': 'pass-1',
        },
        body: PLACE_ORDER,
      },
    },
  ],
  verifyVectors: [],
  ccxt: {
    id: 'bitget',
    call: { path: 'spot/account/assets', api: ['private', 'spot'], method: 'GET', params: {} },
  },
  authOf: headerAuth(AUTH),
};

export default fixture;
