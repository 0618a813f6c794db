import { describe, expect, it } from 'vitest';
import { binance, binanceSignature } from '../../src/exchanges/binance/index.js';
import { binanceEmulator } from '../../src/sandbox/binance.js';
import type { SandboxKey } from '../../src/sandbox/emulator.js';
import { expectSeededPermissions, introspectSeeded, useSandbox } from './helpers.js';

describe('binance sandbox emulator over real sockets', () => {
  const box = useSandbox(binanceEmulator);
  const key = box.key;

  async function call(
    method: string,
    path: string,
    payload: string,
    opts: { k?: SandboxKey; secret?: string; inBody?: boolean; tamper?: (s: string) => string } = {},
  ) {
    const k = opts.k ?? key('trade');
    const signed = `${payload}&signature=${binanceSignature(payload, opts.secret ?? k.credential.secret)}`;
    const text = opts.tamper ? opts.tamper(signed) : signed;
    const res = await fetch(`${box.base}${path}${opts.inBody ? '' : `?${text}`}`, {
      method,
      headers: { 'X-MBX-APIKEY': k.credential.apiKey, 'content-type': 'application/x-www-form-urlencoded' },
      ...(opts.inBody ? { body: text } : {}),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it('serves a correctly signed account request (positive control)', async () => {
    const r = await call('GET', '/api/v3/account', `timestamp=${Date.now()}`);
    expect(r.status).toBe(200);
    expect(Array.isArray(r.body.balances)).toBe(true);
  });

  it('rejects a wrong secret with -1022', async () => {
    const r = await call('GET', '/api/v3/account', `timestamp=${Date.now()}`, { secret: 'wrong' });
    expect(r).toEqual({
      status: 400,
      body: { code: -1022, msg: 'Signature for this request is not valid.' },
    });
  });

  it('rejects a stale timestamp with -1021', async () => {
    const r = await call('GET', '/api/v3/account', `timestamp=${Date.now() - 6000}`);
    expect(r.status).toBe(400);
    expect(r.body.code).toBe(-1021);
    const ok = await call('GET', '/api/v3/account', `recvWindow=20000&timestamp=${Date.now() - 6000}`);
    expect(ok.status).toBe(200);
  });

  it('rejects a body tampered after signing with -1022 and places no order', async () => {
    const before = box.sandbox.engine.openOrders('main').length;
    const payload = `symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price=1000&timestamp=${Date.now()}`;
    const r = await call('POST', '/api/v3/order', payload, {
      inBody: true,
      tamper: (s) => s.replace('quantity=0.01', 'quantity=1'),
    });
    expect(r.body.code).toBe(-1022);
    expect(box.sandbox.engine.openOrders('main')).toHaveLength(before);
  });

  it('rejects a duplicated parameter with -1101', async () => {
    const r = await call('GET', '/api/v3/account', `timestamp=${Date.now()}&timestamp=${Date.now()}`);
    expect(r.body.code).toBe(-1101);
  });

  it('rejects the IP-restricted key from 127.0.0.1 with -2015, an unknown key too', async () => {
    const r = await call('GET', '/api/v3/account', `timestamp=${Date.now()}`, { k: key('iprestricted') });
    expect(r.status).toBe(401);
    expect(r.body.code).toBe(-2015);
    const fake = { ...key('trade'), credential: { apiKey: 'nope', secret: 'nope' } };
    expect((await call('GET', '/api/v3/account', `timestamp=${Date.now()}`, { k: fake })).body.code).toBe(
      -2015,
    );
  });

  it('refuses an order from the read-only key with -2015', async () => {
    const payload = `symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01&timestamp=${Date.now()}`;
    const r = await call('POST', '/api/v3/order', payload, { k: key('read'), inBody: true });
    expect(r.body.code).toBe(-2015);
  });

  it('answers apiRestrictions so the adapter introspection reads each key correctly', async () => {
    const ctx = { clock: { now: Date.now }, nonce: { next: () => '' }, baseUrl: box.base };
    const introspect = introspectSeeded(binance, box, () => ctx);
    await expectSeededPermissions(introspect, { read: { canRead: true } });
  });

  it('serves public ticker and exchangeInfo without a key', async () => {
    const t = await fetch(`${box.base}/api/v3/ticker/price?symbol=BTCUSDT`);
    expect(binance.parseTicker({ status: t.status, headers: {}, body: await t.text() })).toBe(60000);
    const info = (await (await fetch(`${box.base}/api/v3/exchangeInfo`)).json()) as { symbols: unknown[] };
    expect(info.symbols.length).toBeGreaterThan(3);
  });
});
