/** Kraken: API-Sign = base64(HMAC-SHA512(secret, path + SHA256(nonce + body))), a nonce per key. */
import { z } from 'zod';
import { type ContractFixture, encode, headerAuth, headerSignature, request } from '../contract-fixture.js';

// Official vector (docs.kraken.com spot REST authentication, exchanges.md §3.3).
const SECRET = 'kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==';
const NONCE = '1616492376594';
const BODY = 'nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25';
const SIGN = '4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ==';
const KEY = 'sandbox-kraken-key';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

const fixture: ContractFixture = {
  id: 'kraken',
  samples: [
    {
      name: 'POST /0/private/Balance (form body)',
      build: (extra) =>
        request({ method: 'POST', path: '/0/private/Balance', headers: FORM, body: encode(extra) }),
      signed: ['body'],
    },
    {
      name: 'POST /0/private/Balance (JSON body)',
      build: (extra) =>
        request({
          method: 'POST',
          path: '/0/private/Balance',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(Object.fromEntries(extra)),
        }),
      signed: ['body'],
    },
  ],
  authHeaders: ['api-key', 'api-sign'],
  authParams: ['nonce', 'otp'],
  signature: headerSignature('api-sign'),
  freshness: 'nonce',
  duplicates: {
    query: { method: 'GET', path: '/0/public/Ticker' },
    form: { method: 'POST', path: '/0/private/Balance' },
    json: { method: 'POST', path: '/0/private/Balance' },
  },
  errorBody: z.object({
    error: z.array(z.string().regex(/^E[A-Za-z]+:/)).min(1),
    result: z.object({}).optional(),
  }),
  errorStatus: 'body',
  signVectors: [
    {
      name: 'documented AddOrder from its nonce-less body',
      source: 'official',
      credential: { apiKey: KEY, secret: SECRET },
      request: request({
        method: 'POST',
        path: '/0/private/AddOrder',
        headers: FORM,
        body: 'ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25',
      }),
      at: { nowMs: 0, nonce: NONCE, baseUrl: 'https://api.kraken.com' },
      expect: { headers: { 'API-Sign': SIGN, 'API-Key': KEY }, body: BODY },
    },
  ],
  verifyVectors: [
    {
      name: 'documented AddOrder',
      source: 'official',
      verifier: { apiKey: KEY, secret: SECRET },
      request: request({
        method: 'POST',
        path: '/0/private/AddOrder',
        headers: { 'api-key': KEY, 'api-sign': SIGN, ...FORM },
        body: BODY,
      }),
      nowMs: 0,
    },
  ],
  ccxt: { id: 'kraken', call: { path: 'Balance', api: 'private', method: 'POST', params: {} } },
  authOf: headerAuth(['api-key', 'api-sign']),
};

export default fixture;
