/** OKX: OK-ACCESS-SIGN = base64(HMAC-SHA256(secret, ts + METHOD + path[?query] + body)), with a passphrase. */
import { z } from 'zod';
import { type ContractFixture, encode, headerAuth, headerSignature, request } from '../contract-fixture.js';

const AUTH = ['ok-access-key', 'ok-access-sign', 'ok-access-timestamp', 'ok-access-passphrase'];
const NOW = Date.parse('2020-12-08T09:08:57.715Z');
const CRED = { apiKey: 'kw_test', secret: '22582BD0CFF14C41EDBF1AB98506286D', password: 'pass-1' };
const ORDER = '{"instId":"BTC-USDT","tdMode":"cash","side":"buy","ordType":"limit","px":"2.15","sz":"2"}';

const fixture: ContractFixture = {
  id: 'okx',
  samples: [
    {
      name: 'GET /api/v5/account/balance',
      build: (extra) => request({ method: 'GET', path: '/api/v5/account/balance', query: encode(extra) }),
      signed: ['query'],
    },
    {
      name: 'POST /api/v5/trade/cancel-order (JSON body)',
      build: (extra) =>
        request({
          method: 'POST',
          path: '/api/v5/trade/cancel-order',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ instId: 'BTC-USDT', ordId: '1', ...Object.fromEntries(extra) }),
        }),
      signed: ['body'],
    },
  ],
  authHeaders: AUTH,
  authParams: [],
  signature: headerSignature('ok-access-sign'),
  freshness: 'timestamp',
  duplicates: {
    query: { method: 'GET', path: '/api/v5/account/balance' },
    json: { method: 'POST', path: '/api/v5/trade/order' },
  },
  errorBody: z
    .object({ code: z.string().regex(/^[1-9]\d*$/), msg: z.string(), data: z.array(z.unknown()) })
    .strict(),
  errorStatus: 'http',
  introspectionOverReports: {
    canTransfer: 'OKX has no transfer permission of its own: a trade key may use asset/transfer',
  },
  signVectors: [
    {
      name: 'POST /api/v5/trade/order (exchanges.md §4.3)',
      source: 'self-computed',
      credential: CRED,
      request: request({ method: 'POST', path: '/api/v5/trade/order', body: ORDER }),
      at: { nowMs: NOW },
      expect: {
        headers: {
          'OK-ACCESS-SIGN': 'iwrdSpN7pm4G4u8+fswZUyH6mOM48+sBF6WvKpj4Dvk=',
          'OK-ACCESS-TIMESTAMP': '2020-12-08T09:08:57.715Z',
          'OK-ACCESS-PASSPHRASE': 'pass-1',
          'Content-Type': 'application/json',
        },
        body: ORDER,
      },
    },
    {
      name: 'GET /api/v5/account/balance?ccy=BTC (exchanges.md §4.3)',
      source: 'self-computed',
      credential: CRED,
      request: request({ method: 'GET', path: '/api/v5/account/balance', query: 'ccy=BTC' }),
      at: { nowMs: NOW },
      expect: {
        headers: { 'OK-ACCESS-SIGN': 'HiZhvSfMtWJA3uUIVXV3a/bSXNPCWvYFXoGCVS8V4zY=' },
        query: 'ccy=BTC',
      },
    },
  ],
  verifyVectors: [],
  ccxt: { id: 'okx', call: { path: 'account/balance', api: 'private', method: 'GET', params: {} } },
  authOf: headerAuth(AUTH),
};

export default fixture;
