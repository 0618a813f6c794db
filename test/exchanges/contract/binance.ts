/** Binance: HMAC-SHA256 hex over query + body, `signature` last, key in `X-MBX-APIKEY`. */
import { z } from 'zod';
import { type ContractFixture, encode, headerAuth, paramSignature, request } from '../contract-fixture.js';

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
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

const fixture: ContractFixture = {
  id: 'binance',
  samples: [
    {
      name: 'GET /api/v3/account',
      build: (extra) => request({ method: 'GET', path: '/api/v3/account', query: encode(extra) }),
      signed: ['query'],
    },
    {
      name: 'POST /api/v3/order (form body)',
      build: (extra) =>
        request({
          method: 'POST',
          path: '/api/v3/order',
          headers: FORM,
          body: encode([
            ['symbol', 'BTCUSDT'],
            ['side', 'BUY'],
            ['type', 'MARKET'],
            ['quantity', '0.01'],
            ...extra,
          ]),
        }),
      signed: ['body'],
    },
  ],
  authHeaders: ['x-mbx-apikey'],
  authParams: ['signature', 'timestamp'],
  signature: paramSignature('signature'),
  freshness: 'timestamp',
  duplicates: {
    query: { method: 'GET', path: '/api/v3/account' },
    form: { method: 'POST', path: '/api/v3/order' },
  },
  errorBody: z.object({ code: z.number().int().negative(), msg: z.string() }).strict(),
  errorStatus: 'http',
  signVectors: [],
  verifyVectors: [
    {
      name: 'documented request A in the body',
      source: 'official',
      verifier: { apiKey: API_KEY, secret: SECRET },
      request: request({
        method: 'POST',
        path: '/api/v3/order',
        headers: { 'x-mbx-apikey': API_KEY, ...FORM },
        body: `${PAYLOAD_A}&signature=${SIG_A}`,
      }),
      nowMs: TS + 100,
    },
    {
      name: 'documented request B (percent-encoded non-ASCII symbol) in the query',
      source: 'official',
      verifier: { apiKey: API_KEY, secret: SECRET },
      request: request({
        method: 'POST',
        path: '/api/v3/order',
        headers: { 'X-MBX-APIKEY': API_KEY },
        query: `${PAYLOAD_B}&signature=${SIG_B}`,
      }),
      nowMs: TS + 100,
    },
  ],
  ccxt: { id: 'binance', call: { path: 'account', api: 'private', method: 'GET', params: {} } },
  authOf: (r) => ({ ...headerAuth(['x-mbx-apikey'])(r), signature: paramSignature('signature').get(r) }),
};

export default fixture;
