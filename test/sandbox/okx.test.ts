import { describe, expect, it } from 'vitest';
import type { Credential, ExchangeRequest } from '../../src/exchanges/adapter.js';
import { okx } from '../../src/exchanges/okx.js';
import { okxEmulator } from '../../src/sandbox/okx.js';
import { get, post, signCtxAt } from '../exchanges/helpers.js';
import { expectSeededPermissions, introspectSeeded, sendJson, useSandbox } from './helpers.js';

interface OkxBody {
  code: string;
  msg: string;
  data: unknown[];
}

describe('okx sandbox auth, permissions and shapes (real sockets)', () => {
  const box = useSandbox(okxEmulator);
  const { keys, key } = box;
  const ctx = (now = Date.now()) => signCtxAt(now, box.base);
  const send = (request: ExchangeRequest) => sendJson<OkxBody>(box.base, request);
  const signed = (cred: Credential, request: ExchangeRequest, now?: number) =>
    send(okx.sign(request, cred, ctx(now)));
  const balance = get('/api/v5/account/balance');
  const order = (sz: string) =>
    post(
      '/api/v5/trade/order',
      `{"instId":"BTC-USDT","tdMode":"cash","side":"buy","ordType":"limit","px":"1000","sz":"${sz}"}`,
    );

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
    expect(box.sandbox.engine.openOrders('main')).toHaveLength(0);
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
    const w = await signed(
      key('trade').credential,
      post('/api/v5/asset/withdrawal', '{"ccy":"USDT","amt":"1","dest":"4","toAddr":"Tabc","fee":"0"}'),
    );
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
    const r = await signed(
      key('trade').credential,
      post(
        '/api/v5/trade/batch-orders',
        JSON.stringify([
          { instId: 'BTC-USDT', tdMode: 'cash', side: 'buy', ordType: 'limit', px: '1000', sz: '0.001' },
          { instId: 'NOPE-USDT', tdMode: 'cash', side: 'buy', ordType: 'limit', px: '1', sz: '1' },
        ]),
      ),
    );
    expect(r.json.code).toBe('2');
    expect((r.json.data as Array<{ sCode: string }>).map((d) => d.sCode)).toEqual(['0', '51001']);
  });

  it('serves the public ticker the adapter asks for', async () => {
    const r = await send(okx.tickerRequest('BTC/USDT'));
    expect(okx.parseTicker(r)).toBe(60000);
  });

  it('answers introspection the adapter understands', async () => {
    const introspect = introspectSeeded(okx, box, ctx);
    await expectSeededPermissions(introspect, { iprestricted: { reason: expect.stringContaining('50110') } });
  });
});
