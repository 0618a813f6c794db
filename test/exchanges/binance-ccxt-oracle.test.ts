import { generateKeyPairSync } from 'node:crypto';
import ccxt from 'ccxt';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ExchangeRequest, SignContext } from '../../src/exchanges/adapter.js';
import { binance } from '../../src/exchanges/binance/index.js';
import { encodeParams, type Params } from '../../src/exchanges/params.js';

const BASE = 'https://api.binance.com';

/** CCXT's own signing of one implicit-API call, with its clock pinned. */
function ccxtSign(secret: string, ts: number, path: string, method: string, params: Record<string, string>) {
  const ex = new ccxt.binance({ apiKey: 'oracle-key', secret });
  ex.nonce = () => ts;
  ex.milliseconds = () => ts;
  const api = path.startsWith('/sapi/v1/') ? 'sapi' : 'private';
  const rel = path.replace(/^\/(api\/v3|sapi\/v1)\//, '');
  return ex.sign(rel, api, method, { ...params }) as {
    url: string;
    method: string;
    body?: string;
    headers: Record<string, string>;
  };
}

function ours(secret: string, ts: number, path: string, method: string, params: Params) {
  // CCXT appends its default recvWindow (10000) after the caller's params; a client would send the same.
  const text = encodeParams([...params, ['recvWindow', '10000']]);
  const inBody = method === 'POST' || method === 'PUT';
  const request: ExchangeRequest = {
    method,
    path,
    query: inBody ? '' : text,
    body: inBody ? text : '',
    headers: {},
  };
  const ctx: SignContext = { clock: { now: () => ts }, nonce: { next: () => String(ts) }, baseUrl: BASE };
  const signed = binance.sign(request, { apiKey: 'oracle-key', secret }, ctx);
  return {
    url: `${BASE}${signed.path}${signed.query ? `?${signed.query}` : ''}`,
    body: signed.body === '' ? undefined : signed.body,
    headers: signed.headers,
  };
}

const symbol = fc.constantFrom('BTCUSDT', 'ETHBTC', 'SOLFDUSD', 'DOGEUSDC', 'BNBEUR', 'XRPTRY');
const decimal = fc
  .tuple(fc.integer({ min: 0, max: 99999 }), fc.integer({ min: 0, max: 99999999 }))
  .map(([i, f]) => `${i}.${String(f).padStart(8, '0')}`.replace(/0+$/, '').replace(/\.$/, ''));
const timestamp = fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 });
const hmacSecret = fc.stringMatching(/^[A-Za-z0-9]{64}$/);

const orderParams = fc
  .record({
    symbol,
    side: fc.constantFrom('BUY', 'SELL'),
    type: fc.constantFrom('LIMIT', 'MARKET'),
    quantity: decimal,
    price: decimal,
    newClientOrderId: fc.stringMatching(/^[A-Za-z0-9-]{1,20}$/),
  })
  .map(
    (p): Params =>
      p.type === 'LIMIT'
        ? [
            ['symbol', p.symbol],
            ['side', p.side],
            ['type', p.type],
            ['timeInForce', 'GTC'],
            ['quantity', p.quantity],
            ['price', p.price],
            ['newClientOrderId', p.newClientOrderId],
          ]
        : [
            ['symbol', p.symbol],
            ['side', p.side],
            ['type', p.type],
            ['quoteOrderQty', p.quantity],
            ['newClientOrderId', p.newClientOrderId],
          ],
  );

const call = fc.oneof(
  orderParams.map((params) => ({ path: '/api/v3/order', method: 'POST', params })),
  symbol.map((s) => ({
    path: '/api/v3/order',
    method: 'DELETE',
    params: [
      ['symbol', s],
      ['orderId', '12345'],
    ] as Params,
  })),
  symbol.map((s) => ({ path: '/api/v3/myTrades', method: 'GET', params: [['symbol', s]] as Params })),
  fc.constant({ path: '/api/v3/account', method: 'GET', params: [] as Params }),
  fc.constant({ path: '/sapi/v1/account/apiRestrictions', method: 'GET', params: [] as Params }),
);

function compare(secret: string, ts: number, c: { path: string; method: string; params: Params }) {
  const expected = ccxtSign(secret, ts, c.path, c.method, Object.fromEntries(c.params));
  const actual = ours(secret, ts, c.path, c.method, c.params);
  expect(actual.url).toBe(expected.url);
  expect(actual.body).toBe(expected.body);
  expect(actual.headers['X-MBX-APIKEY']).toBe(expected.headers['X-MBX-APIKEY']);
  if (expected.headers['Content-Type'])
    expect(actual.headers['Content-Type']).toBe(expected.headers['Content-Type']);
}

describe('binance sign() equals CCXT 4.5.84 sign() (oracle)', () => {
  it('HMAC-SHA256 over generated orders, cancels and reads in query or body', () => {
    fc.assert(
      fc.property(hmacSecret, timestamp, call, (secret, ts, c) => compare(secret, ts, c)),
      { numRuns: 100 },
    );
  });

  it('Ed25519 PKCS#8 secret', () => {
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    fc.assert(
      fc.property(timestamp, call, (ts, c) => compare(pem, ts, c)),
      { numRuns: 50 },
    );
  });

  it('RSA PKCS#8 secret', () => {
    const pem = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    fc.assert(
      fc.property(timestamp, call, (ts, c) => compare(pem, ts, c)),
      { numRuns: 20 },
    );
  });

  it('a CCXT-signed request verifies as a client request, and our re-signing of it is byte-identical', () => {
    fc.assert(
      fc.property(hmacSecret, timestamp, call, (secret, ts, c) => {
        const signed = ccxtSign(secret, ts, c.path, c.method, Object.fromEntries(c.params));
        const url = new URL(signed.url);
        const request: ExchangeRequest = {
          method: c.method,
          path: url.pathname,
          query: url.search.slice(1),
          body: signed.body ?? '',
          headers: { 'x-mbx-apikey': 'oracle-key' },
        };
        const verdict = binance.verifyClient(
          request,
          { apiKey: 'oracle-key', secret },
          { clock: { now: () => ts + 10 }, nonces: { accept: () => true }, origin: { host: '', prefix: '' } },
        );
        expect(verdict).toMatchObject({ ok: true });
        const again = binance.sign(
          binance.stripAuth(request),
          { apiKey: 'oracle-key', secret },
          {
            clock: { now: () => ts },
            nonce: { next: () => '' },
            baseUrl: BASE,
          },
        );
        expect(again.query).toBe(request.query);
        expect(again.body).toBe(request.body);
      }),
      { numRuns: 100 },
    );
  });
});
