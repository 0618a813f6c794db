import { describe, expect, it } from 'vitest';
import type { Credential, ExchangeRequest } from '../../src/exchanges/adapter.js';
import { bybit } from '../../src/exchanges/bybit/index.js';
import { bybitEmulator } from '../../src/sandbox/bybit.js';
import { get, post, signCtxAt } from '../exchanges/helpers.js';
import { expectSeededPermissions, introspectSeeded, sendJson, useSandbox } from './helpers.js';

interface BybitBody {
  retCode: number;
  retMsg: string;
  result: Record<string, unknown>;
}

describe('bybit sandbox auth, permissions and shapes (real sockets)', () => {
  const box = useSandbox(bybitEmulator);
  const { keys, key } = box;
  const ctx = (now = Date.now()) => signCtxAt(now, box.base);
  const send = (request: ExchangeRequest) => sendJson<BybitBody>(box.base, request);
  const signed = (cred: Credential, request: ExchangeRequest, now?: number) =>
    send(bybit.sign(request, cred, ctx(now)));
  const wallet = get('/v5/account/wallet-balance', 'accountType=UNIFIED');
  const order = (qty: string) =>
    post(
      '/v5/order/create',
      `{"category":"spot","symbol":"BTCUSDT","side":"Buy","orderType":"Limit","qty":"${qty}","price":"1000"}`,
    );

  it('generates read, trade, full and iprestricted keys', () => {
    expect(keys.map((k) => k.name)).toEqual(['read', 'trade', 'full', 'iprestricted']);
  });

  it('answers a correctly signed request with retCode 0', async () => {
    const r = await signed(key('read').credential, wallet);
    expect([r.status, r.json.retCode]).toEqual([200, 0]);
  });

  it('refuses a wrong secret with 10004', async () => {
    const r = await signed({ ...key('read').credential, secret: 'WRONG' }, wallet);
    expect(r.json.retCode).toBe(10004);
  });

  it('refuses a stale timestamp with 10002, honouring the recv window header', async () => {
    const stale = await signed(key('read').credential, wallet, Date.now() - 6000);
    expect(stale.json.retCode).toBe(10002);
    const wide = await signed(
      key('read').credential,
      { ...wallet, headers: { 'X-BAPI-RECV-WINDOW': '20000' } },
      Date.now() - 6000,
    );
    expect(wide.json.retCode).toBe(0);
    const future = await signed(key('read').credential, wallet, Date.now() + 5000);
    expect(future.json.retCode).toBe(10002);
  });

  it('refuses a body tampered after signing with 10004 and places no order', async () => {
    const s = bybit.sign(order('0.001'), key('trade').credential, ctx());
    const r = await send({ ...s, body: s.body.replace('"qty":"0.001"', '"qty":"1"') });
    expect(r.json.retCode).toBe(10004);
    expect(box.sandbox.engine.openOrders('main')).toHaveLength(0);
  });

  it('refuses unknown or missing keys with 10003', async () => {
    const r = await signed({ ...key('read').credential, apiKey: 'nope' }, wallet);
    expect(r.json.retCode).toBe(10003);
    const bare = await send(wallet);
    expect([bare.status, bare.json.retCode]).toEqual([401, 10003]);
  });

  it('refuses the IP-restricted key from 127.0.0.1 with 10010', async () => {
    const r = await signed(key('iprestricted').credential, wallet);
    expect(r.json.retCode).toBe(10010);
  });

  it('refuses trading with the read key and withdrawing with the trade key with 10005', async () => {
    expect((await signed(key('read').credential, order('0.001'))).json.retCode).toBe(10005);
    const w = await signed(
      key('trade').credential,
      post(
        '/v5/asset/withdraw/create',
        `{"coin":"USDT","amount":"1","address":"Tabc","timestamp":${Date.now()},"accountType":"FUND"}`,
      ),
    );
    expect(w.json.retCode).toBe(10005);
  });

  it('refuses a body with duplicated keys', async () => {
    const r = await signed(key('trade').credential, {
      ...order('0.001'),
      body: '{"category":"spot","symbol":"BTCUSDT","side":"Buy","orderType":"Limit","qty":"0.001","qty":"1","price":"1000"}',
    });
    expect(r.json.retCode).toBe(10001);
    expect(box.sandbox.engine.openOrders('main')).toHaveLength(0);
  });

  it('serves the public ticker the adapter asks for', async () => {
    expect(bybit.parseTicker(await send(bybit.tickerRequest('ETH/USDT')))).toBe(3000);
  });

  it('answers introspection the adapter understands', async () => {
    const introspect = introspectSeeded(bybit, box, ctx);
    await expectSeededPermissions(introspect, {
      full: { canTransfer: true },
      iprestricted: { reason: expect.stringContaining('10010') },
    });
  });
});
