import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  Credential,
  ExchangeRequest,
  ExchangeResponse,
  SignContext,
} from '../../src/exchanges/adapter.js';
import { okx } from '../../src/exchanges/okx.js';
import type { SandboxKey } from '../../src/sandbox/emulator.js';
import { okxEmulator } from '../../src/sandbox/okx.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/server.js';

describe('okx sandbox auth, permissions and shapes (real sockets)', () => {
  let sandbox: Sandbox;
  let base: string;
  const keys = okxEmulator.generateKeys();
  const key = (name: string): SandboxKey => {
    const k = keys.find((x) => x.name === name);
    if (!k) throw new Error(name);
    return k;
  };
  const ctx = (now = Date.now()): SignContext => ({
    clock: { now: () => now },
    nonce: { next: () => '0' },
    baseUrl: base,
  });

  async function send(
    request: ExchangeRequest,
  ): Promise<ExchangeResponse & { json: { code: string; msg: string; data: unknown[] } }> {
    const url = `${base}${request.path}${request.query ? `?${request.query}` : ''}`;
    const res = await fetch(url, {
      method: request.method,
      headers: request.headers,
      ...(request.body !== '' ? { body: request.body } : {}),
    });
    const body = await res.text();
    return { status: res.status, headers: {}, body, json: JSON.parse(body) };
  }
  const signed = (cred: Credential, request: ExchangeRequest, now?: number) =>
    send(okx.sign(request, cred, ctx(now)));
  const balance: ExchangeRequest = {
    method: 'GET',
    path: '/api/v5/account/balance',
    query: '',
    headers: {},
    body: '',
  };
  const order = (sz: string): ExchangeRequest => ({
    method: 'POST',
    path: '/api/v5/trade/order',
    query: '',
    headers: {},
    body: `{"instId":"BTC-USDT","tdMode":"cash","side":"buy","ordType":"limit","px":"1000","sz":"${sz}"}`,
  });

  beforeAll(async () => {
    sandbox = createSandbox({ emulators: [okxEmulator], keys });
    await sandbox.listen(0);
    base = sandbox.baseUrl('okx');
  });
  afterAll(() => sandbox.close());

  it('generates read, trade, full and iprestricted keys with passphrases', () => {
    expect(keys.map((k) => k.name)).toEqual(['read', 'trade', 'full', 'iprestricted']);
    for (const k of keys) expect(k.credential.password).toBeTruthy();
  });

  it('answers a correctly signed request', async () => {
    const r = await signed(key('read').credential, balance);
    expect(r.status).toBe(200);
    expect(r.json.code).toBe('0');
  });

  it('refuses a wrong secret with 50113 (HTTP 401)', async () => {
    const r = await signed({ ...key('read').credential, secret: 'WRONG' }, balance);
    expect([r.status, r.json.code]).toEqual([401, '50113']);
  });

  it('refuses a stale timestamp with 50102', async () => {
    const r = await signed(key('read').credential, balance, Date.now() - 60_000);
    expect([r.status, r.json.code]).toEqual([401, '50102']);
  });

  it('refuses a body tampered after signing with 50113 and places no order', async () => {
    const s = okx.sign(order('0.001'), key('trade').credential, ctx());
    const r = await send({ ...s, body: s.body.replace('"sz":"0.001"', '"sz":"1.000"') });
    expect([r.status, r.json.code]).toEqual([401, '50113']);
    expect(sandbox.engine.openOrders('main')).toHaveLength(0);
  });

  it('refuses a missing passphrase with 50104 and a wrong one with 50105', async () => {
    const s = okx.sign(balance, key('read').credential, ctx());
    const { 'OK-ACCESS-PASSPHRASE': _p, ...headers } = s.headers;
    const missing = await send({ ...s, headers });
    expect([missing.status, missing.json.code]).toEqual([401, '50104']);
    const wrong = await signed({ ...key('read').credential, password: 'nope' }, balance);
    expect([wrong.status, wrong.json.code]).toEqual([401, '50105']);
  });

  it('refuses an unknown key with 50111', async () => {
    const r = await signed({ ...key('read').credential, apiKey: 'no-such-key' }, balance);
    expect([r.status, r.json.code]).toEqual([401, '50111']);
  });

  it('refuses the IP-restricted key from 127.0.0.1 with 50110', async () => {
    const r = await signed(key('iprestricted').credential, balance);
    expect([r.status, r.json.code]).toEqual([401, '50110']);
  });

  it('refuses trading with the read key and withdrawing with the trade key with 50120', async () => {
    const t = await signed(key('read').credential, order('0.001'));
    expect(t.json.code).toBe('50120');
    const w = await signed(key('trade').credential, {
      method: 'POST',
      path: '/api/v5/asset/withdrawal',
      query: '',
      headers: {},
      body: '{"ccy":"USDT","amt":"1","dest":"4","toAddr":"Tabc","fee":"0"}',
    });
    expect(w.json.code).toBe('50120');
  });

  it('refuses a body with duplicated keys with 50002', async () => {
    const r = await signed(key('trade').credential, {
      ...order('0.001'),
      body: '{"instId":"BTC-USDT","side":"buy","ordType":"limit","px":"1000","sz":"0.001","sz":"1"}',
    });
    expect(r.json.code).toBe('50002');
  });

  it('reports per-order sCode in batch answers', async () => {
    const r = await signed(key('trade').credential, {
      method: 'POST',
      path: '/api/v5/trade/batch-orders',
      query: '',
      headers: {},
      body: JSON.stringify([
        { instId: 'BTC-USDT', tdMode: 'cash', side: 'buy', ordType: 'limit', px: '1000', sz: '0.001' },
        { instId: 'NOPE-USDT', tdMode: 'cash', side: 'buy', ordType: 'limit', px: '1', sz: '1' },
      ]),
    });
    expect(r.json.code).toBe('2');
    expect((r.json.data as Array<{ sCode: string }>).map((d) => d.sCode)).toEqual(['0', '51001']);
  });

  it('serves the public ticker the adapter asks for', async () => {
    const r = await send(okx.tickerRequest('BTC/USDT'));
    expect(okx.parseTicker(r)).toBe(60000);
  });

  it('answers introspection the adapter understands', async () => {
    const transport = (request: ExchangeRequest) => send(request);
    expect(await okx.introspect(key('full').credential, transport, ctx())).toMatchObject({
      available: true,
      canTrade: true,
      canWithdraw: true,
      ipRestricted: false,
    });
    expect(await okx.introspect(key('read').credential, transport, ctx())).toMatchObject({
      canTrade: false,
      canWithdraw: false,
    });
    expect(await okx.introspect(key('iprestricted').credential, transport, ctx())).toMatchObject({
      available: false,
      reason: expect.stringContaining('50110'),
    });
  });
});
