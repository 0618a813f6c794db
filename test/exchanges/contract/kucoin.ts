/** KuCoin: KC-API-SIGN = base64(HMAC-SHA256(secret, ts + METHOD + path[?query] + body)); v2/v3 passphrase signed. */
import { z } from 'zod';
import { type ContractFixture, encode, headerAuth, headerSignature, request } from '../contract-fixture.js';

const AUTH = ['kc-api-key', 'kc-api-sign', 'kc-api-timestamp', 'kc-api-passphrase', 'kc-api-key-version'];

const fixture: ContractFixture = {
  id: 'kucoin',
  samples: [
    {
      name: 'GET /api/v1/accounts',
      build: (extra) => request({ method: 'GET', path: '/api/v1/accounts', query: encode(extra) }),
      signed: ['query'],
    },
    {
      name: 'POST /api/v1/orders (JSON body)',
      build: (extra) =>
        request({
          method: 'POST',
          path: '/api/v1/orders',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            clientOid: 'c1',
            symbol: 'BTC-USDT',
            side: 'buy',
            type: 'market',
            funds: '10',
            ...Object.fromEntries(extra),
          }),
        }),
      signed: ['body'],
    },
  ],
  authHeaders: AUTH,
  authParams: [],
  signature: headerSignature('kc-api-sign'),
  freshness: 'timestamp',
  duplicates: {
    query: { method: 'GET', path: '/api/v1/accounts' },
    json: { method: 'POST', path: '/api/v1/orders' },
  },
  errorBody: z.object({ code: z.string().regex(/^[1-9]\d*$/), msg: z.string() }).strict(),
  errorStatus: 'http',
  signVectors: [
    {
      // printf '%s' "$ts$METHOD$endpoint" | openssl dgst -sha256 -hmac "$secret" -binary | base64, and the
      // passphrase likewise (key version 2)
      name: 'GET /api/v1/accounts?currency=BTC&type=trade',
      source: 'self-computed',
      credential: { apiKey: 'key-1', secret: 'secret-1', password: 'pass-1' },
      request: request({ method: 'GET', path: '/api/v1/accounts', query: 'currency=BTC&type=trade' }),
      at: { nowMs: 1_700_000_000_000 },
      expect: {
        headers: {
          'KC-API-SIGN': 'd3D4oqMsWnq/GneSNMhg1IQcrJglNV78+DoXWoHLP9E=',
          'KC-API-PASSPHRASE': 'wXlJWXLypMBd0F0+pqooBY85d4Y5kIsP+mefSFofQmk=',
          'KC-API-TIMESTAMP': '1700000000000',
          'KC-API-KEY-VERSION': '2',
        },
        query: 'currency=BTC&type=trade',
      },
    },
  ],
  verifyVectors: [],
  ccxt: { id: 'kucoin', call: { path: 'accounts', api: 'private', method: 'GET', params: {} } },
  authOf: headerAuth(AUTH),
};

export default fixture;
