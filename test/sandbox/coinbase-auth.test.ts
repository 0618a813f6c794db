import { describe, expect, it } from 'vitest';
import type { ExchangeRequest, SignContext } from '../../src/exchanges/adapter.js';
import { buildJwt, coinbase, loadSigningKey } from '../../src/exchanges/coinbase/index.js';
import { coinbaseEmulator } from '../../src/sandbox/coinbase.js';
import type { SandboxKey } from '../../src/sandbox/emulator.js';
import { EMULATORS } from '../../src/sandbox/emulators.js';
import { pemHeader } from '../pem.js';
import { expectSeededPermissions, introspectSeeded, sendTo, useSandbox } from './helpers.js';

const box = useSandbox(coinbaseEmulator);
const { keys, key } = box;
/** The sandbox's host:port, which the JWT `uri` claim names. */
const host = () => new URL(box.base).host;

function jwt(k: SandboxKey, uri: string, opts: { nowSeconds?: number; secret?: string } = {}): string {
  const sk = loadSigningKey({ apiKey: k.credential.apiKey, secret: opts.secret ?? k.credential.secret });
  if (sk.kind === 'hmac') throw new Error('unexpected');
  return buildJwt({
    apiKey: k.credential.apiKey,
    key: sk,
    uri,
    nowSeconds: opts.nowSeconds ?? Math.floor(Date.now() / 1000),
  });
}

async function call(method: string, path: string, token?: string, body?: string) {
  const res = await fetch(`${box.base}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body } : {}),
  });
  return { status: res.status, text: await res.text() };
}

const ACCOUNTS = '/api/v3/brokerage/accounts';

describe('coinbase sandbox authentication', () => {
  it('generates read, trade, full and iprestricted EC P-256 CDP keys with public verify secrets', () => {
    expect(keys.map((k) => k.name)).toEqual(['read', 'trade', 'full', 'iprestricted']);
    for (const k of keys) {
      expect(k.credential.apiKey).toMatch(/^organizations\/[^/]+\/apiKeys\/.+$/);
      expect(k.credential.secret.startsWith(pemHeader('ec-sec1'))).toBe(true);
      expect(k.verifySecret).toContain('BEGIN PUBLIC KEY');
    }
    expect(key('iprestricted').ipAllow).toEqual(['203.0.113.7']);
    expect(EMULATORS).toContain(coinbaseEmulator);
  });

  it('accepts a fresh JWT whose uri names Host + /coinbase + path', async () => {
    const r = await call('GET', ACCOUNTS, jwt(key('read'), `GET ${host()}/coinbase${ACCOUNTS}`));
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text).accounts.length).toBeGreaterThan(0);
  });

  it('answers key_permissions with the key scopes', async () => {
    const path = '/api/v3/brokerage/key_permissions';
    const r = await call('GET', path, jwt(key('trade'), `GET ${host()}/coinbase${path}`));
    expect(JSON.parse(r.text)).toMatchObject({ can_view: true, can_trade: true, can_transfer: false });
  });

  it('rejects a missing JWT, a JWT signed by another key and an unknown key with 401 Unauthorized', async () => {
    const uri = `GET ${host()}/coinbase${ACCOUNTS}`;
    expect(await call('GET', ACCOUNTS)).toEqual({ status: 401, text: 'Unauthorized\n' });
    expect(
      await call('GET', ACCOUNTS, jwt(key('read'), uri, { secret: key('full').credential.secret })),
    ).toEqual({
      status: 401,
      text: 'Unauthorized\n',
    });
    const stranger = {
      ...key('read'),
      credential: { ...key('read').credential, apiKey: 'organizations/x/apiKeys/nope' },
    };
    expect((await call('GET', ACCOUNTS, jwt(stranger, uri))).status).toBe(401);
  });

  it('rejects an expired JWT', async () => {
    const old = Math.floor(Date.now() / 1000) - 300;
    expect(
      (
        await call(
          'GET',
          ACCOUNTS,
          jwt(key('read'), `GET ${host()}/coinbase${ACCOUNTS}`, { nowSeconds: old }),
        )
      ).status,
    ).toBe(401);
  });

  it('rejects a JWT whose uri names another path, method or host', async () => {
    for (const uri of [
      `GET ${host()}/coinbase/api/v3/brokerage/portfolios`,
      `POST ${host()}/coinbase${ACCOUNTS}`,
      `GET api.coinbase.com${ACCOUNTS}`,
    ]) {
      expect((await call('GET', ACCOUNTS, jwt(key('read'), uri))).status).toBe(401);
    }
  });

  it('executes a body changed after signing, because Coinbase JWTs do not cover the body', async () => {
    const path = '/api/v3/brokerage/orders';
    const token = jwt(key('trade'), `POST ${host()}/coinbase${path}`);
    const tampered = JSON.stringify({
      client_order_id: 'tampered-1',
      product_id: 'BTC-USD',
      side: 'SELL',
      order_configuration: { market_market_ioc: { base_size: '0.001' } },
    });
    const r = await call('POST', path, token, tampered);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toMatchObject({ success: true, success_response: { side: 'SELL' } });
  });

  it('rejects the IP-restricted key from 127.0.0.1', async () => {
    const r = await call('GET', ACCOUNTS, jwt(key('iprestricted'), `GET ${host()}/coinbase${ACCOUNTS}`));
    expect(r).toEqual({ status: 401, text: 'Unauthorized\n' });
  });

  it('refuses out-of-scope calls with Coinbase scope errors (v3 and v2 shapes)', async () => {
    const orders = '/api/v3/brokerage/orders';
    const order = JSON.stringify({
      client_order_id: 'r-1',
      product_id: 'BTC-USD',
      side: 'BUY',
      order_configuration: { limit_limit_gtc: { base_size: '0.001', limit_price: '1000' } },
    });
    const v3 = await call('POST', orders, jwt(key('read'), `POST ${host()}/coinbase${orders}`), order);
    expect(v3.status).toBe(403);
    expect(JSON.parse(v3.text)).toEqual({
      error: 'PERMISSION_DENIED',
      error_details: 'Missing required scopes',
      message: 'Missing required scopes',
    });
    const send = `/v2/accounts/whatever/transactions`;
    const v2 = await call(
      'POST',
      send,
      jwt(key('trade'), `POST ${host()}/coinbase${send}`),
      '{"type":"send","to":"bc1q","amount":"1","currency":"BTC"}',
    );
    expect(v2.status).toBe(403);
    expect(JSON.parse(v2.text)).toEqual({
      errors: [{ id: 'invalid_scope', message: 'Missing required scopes' }],
    });
  });

  it('rejects malformed and duplicate-key JSON bodies', async () => {
    const orders = '/api/v3/brokerage/orders';
    const token = jwt(key('trade'), `POST ${host()}/coinbase${orders}`);
    expect((await call('POST', orders, token, '{"side":"BUY","side":"SELL"}')).status).toBe(400);
    expect((await call('POST', orders, token, '{"side":')).status).toBe(400);
  });

  it('serves public market data without a JWT', async () => {
    const r = await call('GET', '/api/v3/brokerage/market/products/BTC-USD');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toMatchObject({ product_id: 'BTC-USD', price: '60000' });
    const fut = await call('GET', '/api/v3/brokerage/market/products?product_type=FUTURE');
    expect(JSON.parse(fut.text)).toEqual({ products: [], num_products: 0 });
  });

  describe('the adapter signing for the emulated exchange', () => {
    const ctx = (): SignContext => ({
      clock: { now: Date.now },
      nonce: { next: () => '1' },
      baseUrl: box.base,
    });
    const transport = (r: ExchangeRequest) => sendTo(box.base, r);

    it('signs requests the emulator accepts (uri = host + /coinbase + path)', async () => {
      const signed = coinbase.sign(
        { method: 'GET', path: ACCOUNTS, query: 'limit=250', headers: {}, body: '' },
        key('full').credential,
        ctx(),
      );
      expect((await transport(signed)).status).toBe(200);
    });

    it('introspects the emulated keys through key_permissions', async () => {
      await expectSeededPermissions(introspectSeeded(coinbase, box, ctx), {
        full: { canRead: true },
        read: { available: true, canRead: true },
      });
    });

    it('reads the ticker the emulator serves', async () => {
      const price = coinbase.parseTicker(await transport(coinbase.tickerRequest('ETH/USD')));
      expect(price).toBe(3000);
    });
  });
});
