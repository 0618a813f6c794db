import { describe, expect, it } from 'vitest';
import type { Credential, ExchangeRequest } from '../../src/exchanges/adapter.js';
import { bitget } from '../../src/exchanges/bitget/index.js';
import { createNonceSource } from '../../src/exchanges/memory-nonce-ledger.js';
import { bitgetEmulator } from '../../src/sandbox/bitget.js';
import { undiciTransport } from '../../src/scan/verify.js';
import { get, post, signCtxAt } from '../exchanges/helpers.js';
import { expectSeededPermissions, introspectSeeded, sendJson, useSandbox } from './helpers.js';

interface BitgetBody {
  code: string;
  msg: string;
  requestTime: number;
  data: unknown;
}

describe('bitget sandbox auth, permissions and shapes (real sockets)', () => {
  const box = useSandbox(bitgetEmulator);
  const { keys, key } = box;
  const ctx = (now = Date.now()) => signCtxAt(now, box.base);
  const send = (request: ExchangeRequest) => sendJson<BitgetBody>(box.base, request);
  const signed = (cred: Credential, request: ExchangeRequest, now?: number) =>
    send(bitget.sign(request, cred, ctx(now)));
  const assets = get('/api/v2/spot/account/assets');
  const PLACE = '/api/v2/spot/trade/place-order';
  const order = (fields: Record<string, unknown> = {}) =>
    post(
      PLACE,
      JSON.stringify({
        symbol: 'BTCUSDT',
        side: 'buy',
        orderType: 'limit',
        force: 'gtc',
        price: '1000',
        size: '0.001',
        ...fields,
      }),
    );

  it('generates read, trade, full and iprestricted keys with passphrases', () => {
    expect(keys.map((k) => k.name)).toEqual(['read', 'trade', 'full', 'iprestricted']);
    for (const k of keys) expect(k.credential.password).toBeTruthy();
    expect(() => bitget.validateCredential(key('full').credential)).not.toThrow();
  });

  it('answers a correctly signed request in Bitget shape', async () => {
    const r = await signed(key('read').credential, assets);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      code: '00000',
      msg: 'success',
      data: expect.arrayContaining([expect.objectContaining({ coin: 'USDT', available: '100000' })]),
    });
  });

  it('refuses a wrong secret (40009), a stale timestamp (40008), a wrong passphrase (40012) and an unknown key (40037)', async () => {
    const c = key('read').credential;
    const codes = await Promise.all([
      signed({ ...c, secret: 'WRONG' }, assets),
      signed(c, assets, Date.now() - 60_000),
      signed({ ...c, password: 'nope' }, assets),
      signed({ ...c, apiKey: 'bg_nosuchkey' }, assets),
    ]);
    expect(codes.map((r) => [r.status, r.json.code])).toEqual([
      [401, '40009'],
      [401, '40008'],
      [401, '40012'],
      [401, '40037'],
    ]);
    for (const r of codes) expect(Object.keys(r.json)).toEqual(['code', 'msg', 'requestTime', 'data']);
  });

  it('refuses a body tampered after signing and places no order', async () => {
    const s = bitget.sign(order(), key('trade').credential, ctx());
    const r = await send({ ...s, body: s.body.replace('"size":"0.001"', '"size":"1.000"') });
    expect(r.json.code).toBe('40009');
    expect(box.sandbox.engine.openOrders('main')).toHaveLength(0);
  });

  it('refuses the IP-restricted key from 127.0.0.1 (40018) and missing permissions (40014)', async () => {
    expect((await signed(key('iprestricted').credential, assets)).json.code).toBe('40018');
    expect((await signed(key('read').credential, order())).json.code).toBe('40014');
    const withdrawal = post(
      '/api/v2/spot/wallet/withdrawal',
      '{"coin":"USDT","transferType":"on_chain","address":"Tabc","chain":"TRC20","size":"1"}',
    );
    expect((await signed(key('trade').credential, withdrawal)).json.code).toBe('40014');
    const transfer = post(
      '/api/v2/spot/wallet/transfer',
      '{"fromType":"spot","toType":"p2p","amount":1,"coin":"USDT"}',
    );
    expect((await signed(key('trade').credential, transfer)).json.code).toBe('40014');
    expect((await signed(key('full').credential, transfer)).json.code).toBe('00000');
  });

  it('is strict: a field Bitget does not read here, or a plan/TP-SL order, is refused and places nothing', async () => {
    const c = key('trade').credential;
    for (const fields of [
      { foo: '1' },
      { triggerPrice: '2000' },
      { presetStopLossPrice: '900' },
      { tpslType: 'tpsl' },
    ]) {
      const r = await signed(c, order(fields));
      expect(r.json.code, JSON.stringify(fields)).toBe('40017');
    }
    expect((await signed(c, order({ symbol: 'NOPEUSDT' }))).json.code).toBe('40034');
    expect((await signed(c, order({ price: undefined }))).json.code).toBe('40017');
    expect(box.sandbox.engine.openOrders('main')).toHaveLength(0);
  });

  it('sizes a market buy in quote coins and a market sell in base coins', async () => {
    const c = key('trade').credential;
    const buy = await signed(
      c,
      post(PLACE, '{"symbol":"ETHUSDT","side":"buy","orderType":"market","size":"300"}'),
    );
    const sell = await signed(
      c,
      post(PLACE, '{"symbol":"ETHUSDT","side":"sell","orderType":"market","size":"0.1"}'),
    );
    const byId = (r: typeof buy) =>
      box.sandbox.engine.order('main', { id: (r.json.data as { orderId: string }).orderId });
    expect(byId(buy)).toMatchObject({ side: 'buy', quantity: 0.1, status: 'filled' });
    expect(byId(sell)).toMatchObject({ side: 'sell', quantity: 0.1, status: 'filled' });
  });

  it('answers an unknown route with 40404 and serves the public endpoints without a key', async () => {
    expect((await signed(key('read').credential, get('/api/v2/spot/nothing'))).json.code).toBe('40404');
    const ticker = await send(bitget.tickerRequest('BTC/USDT'));
    expect(bitget.parseTicker(ticker)).toBe(60000);
    expect((await send(get('/api/v2/spot/market/tickers', 'symbol=NOPEUSDT'))).json.code).toBe('40034');
    const symbols = await send(get('/api/v2/spot/public/symbols'));
    expect(symbols.json.data).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ symbol: 'BTCUSDT', baseCoin: 'BTC', quoteCoin: 'USDT' }),
      ]),
    );
  });

  it('reports each seeded key through the adapter introspection', async () => {
    const introspect = introspectSeeded(bitget, box, () => ctx());
    await expectSeededPermissions(introspect, { full: { canTransfer: true }, read: { canTransfer: false } });
    expect(await introspect('trade')).toMatchObject({
      available: true,
      canTrade: true,
      canWithdraw: false,
      canTransfer: false,
    });
  });

  it('cancels every open order through unfilled-orders and batch-cancel-order, grouped by symbol', async () => {
    const engine = box.sandbox.engine;
    for (const [symbol, price] of [
      ['BTC/USDT', 50_000],
      ['ETH/USDT', 2_000],
      ['BTC/USDT', 49_000],
    ] as const)
      engine.placeOrder({ account: 'main', symbol, side: 'buy', type: 'limit', quantity: 0.01, price });
    const mark = box.sandbox.log.length;
    const result = await bitget.cancelAllOrders?.(key('trade').credential, undiciTransport(box.base, 5_000), {
      clock: { now: Date.now },
      nonce: createNonceSource(Date.now),
      baseUrl: box.base,
    });
    expect(result).toEqual({ cancelled: 3, failed: [] });
    expect(engine.openOrders('main')).toHaveLength(0);
    expect(box.sandbox.log.slice(mark).map((l) => `${l.method} ${l.path}`)).toEqual([
      'GET /api/v2/spot/trade/unfilled-orders',
      'POST /api/v2/spot/trade/batch-cancel-order',
      'POST /api/v2/spot/trade/batch-cancel-order',
      'GET /api/v2/spot/trade/unfilled-orders',
    ]);
  });
});
