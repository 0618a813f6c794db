import { describe, expect, it } from 'vitest';
import type { Credential, ExchangeRequest } from '../../src/exchanges/adapter.js';
import { kucoin } from '../../src/exchanges/kucoin/index.js';
import { kucoinEmulator } from '../../src/sandbox/kucoin.js';
import { get, post, req, signCtxAt } from '../exchanges/helpers.js';
import { expectSeededPermissions, introspectSeeded, sendJson, useSandbox } from './helpers.js';

interface KucoinBody {
  code: string;
  msg?: string;
  data?: unknown;
}

describe('kucoin sandbox auth, permissions and shapes (real sockets)', () => {
  const box = useSandbox(kucoinEmulator);
  const { keys, key } = box;
  const ctx = (now = Date.now()) => signCtxAt(now, box.base);
  const send = (request: ExchangeRequest) => sendJson<KucoinBody>(box.base, request);
  const signed = (cred: Credential, request: ExchangeRequest, now?: number) =>
    send(kucoin.sign(request, cred, ctx(now)));
  const balance = get('/api/v1/accounts', 'type=trade');
  const order = (fields: Record<string, unknown> = {}) =>
    post(
      '/api/v1/orders',
      JSON.stringify({
        clientOid: `c${Math.random()}`.replace('.', ''),
        side: 'buy',
        symbol: 'BTC-USDT',
        type: 'limit',
        price: '59000',
        size: '0.001',
        ...fields,
      }),
    );

  it('generates read, trade, full and iprestricted keys with passphrases', () => {
    expect(keys.map((k) => k.name)).toEqual(['read', 'trade', 'full', 'iprestricted']);
    for (const k of keys) expect(k.credential.password).toBeTruthy();
  });

  it('answers a correctly signed request with code 200000', async () => {
    const r = await signed(key('read').credential, balance);
    expect([r.status, r.json.code]).toEqual([200, '200000']);
  });

  it('refuses a missing header (400001), an unknown key (400003), a wrong secret, a stale timestamp and a wrong passphrase', async () => {
    expect((await send(balance)).json.code).toBe('400001');
    expect((await signed({ ...key('read').credential, apiKey: 'nope' }, balance)).json.code).toBe('400003');
    // The passphrase is HMAC-signed with the secret: a wrong secret shows as a wrong passphrase first.
    expect((await signed({ ...key('read').credential, secret: 'WRONG' }, balance)).json.code).toBe('400004');
    expect((await signed(key('read').credential, balance, Date.now() - 60_000)).json.code).toBe('400002');
    expect((await signed({ ...key('read').credential, password: 'other' }, balance)).json.code).toBe(
      '400004',
    );
  });

  it('refuses a body tampered after signing with 400005 and places no order', async () => {
    const s = kucoin.sign(order(), key('trade').credential, ctx());
    const r = await send({ ...s, body: s.body.replace('"size":"0.001"', '"size":"1.000"') });
    expect([r.status, r.json.code]).toEqual([401, '400005']);
    expect(box.sandbox.engine.openOrders('main')).toHaveLength(0);
  });

  it('refuses what a key may not do with 400007, and an IP outside the whitelist with 400006', async () => {
    expect((await signed(key('read').credential, order())).json.code).toBe('400007');
    const w = post(
      '/api/v3/withdrawals',
      '{"currency":"USDT","toAddress":"T1","withdrawType":"ADDRESS","amount":1}',
    );
    expect((await signed(key('trade').credential, w)).json.code).toBe('400007');
    expect((await signed(key('iprestricted').credential, balance)).json.code).toBe('400006');
  });

  it('is strict: an unknown field, a price on a market order and a margin trade type are 400100 and place nothing', async () => {
    const before = box.sandbox.engine.openOrders('main').length;
    for (const bad of [
      { stopPrice: '1' },
      { type: 'market', size: '0.1', price: '1' },
      { tradeType: 'MARGIN_TRADE' },
    ]) {
      const r = await signed(key('trade').credential, order(bad));
      expect(r.json.code, JSON.stringify(bad)).toBe('400100');
    }
    expect(box.sandbox.engine.openOrders('main')).toHaveLength(before);
    const placed = await signed(key('trade').credential, order());
    expect(placed.json).toMatchObject({ code: '200000', data: { orderId: expect.any(String) } });
  });

  it('refuses a body on a DELETE and an encoded query with 400100', async () => {
    expect((await signed(key('trade').credential, req('DELETE', '/api/v1/orders', '{}'))).json.code).toBe(
      '400100',
    );
    expect((await signed(key('read').credential, get('/api/v1/orders', 'symbol=BTC%2DUSDT'))).json.code).toBe(
      '400100',
    );
  });

  it('answers an unknown private endpoint with 404000', async () => {
    const r = await signed(key('read').credential, get('/api/v1/nothing-here'));
    expect([r.status, r.json.code]).toEqual([404, '404000']);
  });

  it('the adapter introspects the seeded keys through GET /api/v1/user/api-key', async () => {
    await expectSeededPermissions(
      introspectSeeded(kucoin, box, () => ctx()),
      {
        full: { canTransfer: true, canRead: true },
        read: { canTransfer: false, canRead: true },
      },
    );
  });

  it('the adapter cancels every open order in one call', async () => {
    const cancelAll = kucoin.cancelAllOrders;
    if (!cancelAll) throw new Error('kucoin has cancelAllOrders');
    for (let i = 0; i < 3; i++) await signed(key('trade').credential, order());
    const open = box.sandbox.engine.openOrders('main').length;
    expect(open).toBeGreaterThanOrEqual(3);
    const result = await cancelAll(key('trade').credential, (r) => sendJson(box.base, r), ctx());
    expect(result).toEqual({ cancelled: open, failed: [] });
    expect(box.sandbox.engine.openOrders('main')).toHaveLength(0);
    const refused = await cancelAll(key('read').credential, (r) => sendJson(box.base, r), ctx());
    expect(refused.failed[0]?.reason).toMatch(/400007/);
  });
});
