/** Bybit v5: X-BAPI-SIGN = hex(HMAC-SHA256(secret, ts + key + recvWindow + (GET ? query : body))). */
import { z } from 'zod';
import { type ContractFixture, encode, headerAuth, headerSignature, request } from '../contract-fixture.js';

const CRED = { apiKey: 'XXXXXXXXXX', secret: 'TESTSECRET0123456789' };
const NOW = 1_658_384_314_791;

const fixture: ContractFixture = {
  id: 'bybit',
  samples: [
    {
      name: 'GET /v5/account/wallet-balance',
      build: (extra) =>
        request({
          method: 'GET',
          path: '/v5/account/wallet-balance',
          query: encode([['accountType', 'UNIFIED'], ...extra]),
        }),
      signed: ['query'],
    },
    {
      name: 'POST /v5/order/cancel-all (JSON body)',
      build: (extra) =>
        request({
          method: 'POST',
          path: '/v5/order/cancel-all',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ category: 'spot', ...Object.fromEntries(extra) }),
        }),
      signed: ['body'],
    },
  ],
  // The recv window is the bot's freshness choice, not a credential: stripAuth keeps it for sign.
  authHeaders: ['x-bapi-api-key', 'x-bapi-sign', 'x-bapi-timestamp'],
  authParams: [],
  signature: headerSignature('x-bapi-sign'),
  freshness: 'timestamp',
  duplicates: {
    query: { method: 'GET', path: '/v5/account/wallet-balance' },
    json: { method: 'POST', path: '/v5/order/create' },
  },
  errorBody: z
    .object({
      retCode: z.number().int().positive(),
      retMsg: z.string(),
      result: z.object({}),
      retExtInfo: z.object({}),
      time: z.number(),
    })
    .strict(),
  errorStatus: 'body',
  signVectors: [
    {
      name: 'POST /v5/order/create (exchanges.md §5.3)',
      source: 'self-computed',
      credential: CRED,
      request: request({ method: 'POST', path: '/v5/order/create', body: '{"category": "option"}' }),
      at: { nowMs: 1_658_385_579_423 },
      expect: {
        headers: { 'X-BAPI-SIGN': '9f18974896149c27ecdc61d67d97e05be0a2c45ce5f4c7ecb3ec47c01ea2f9d2' },
      },
    },
    {
      name: 'GET /v5/order/realtime (exchanges.md §5.3)',
      source: 'self-computed',
      credential: CRED,
      request: request({
        method: 'GET',
        path: '/v5/order/realtime',
        query: 'category=option&symbol=BTC-29JUL22-25000-C',
      }),
      at: { nowMs: NOW },
      expect: {
        headers: {
          'X-BAPI-SIGN': 'e2efccd9fec8d9bf6d5873a43893e5d3df3b2bb3f08763172ee927c74fa63559',
          'X-BAPI-TIMESTAMP': String(NOW),
          'X-BAPI-API-KEY': CRED.apiKey,
        },
      },
    },
  ],
  verifyVectors: [],
  ccxt: {
    id: 'bybit',
    call: {
      path: 'v5/account/wallet-balance',
      api: 'private',
      method: 'GET',
      params: { accountType: 'UNIFIED' },
    },
  },
  authOf: headerAuth(['x-bapi-api-key', 'x-bapi-sign', 'x-bapi-timestamp', 'x-bapi-recv-window']),
};

export default fixture;
