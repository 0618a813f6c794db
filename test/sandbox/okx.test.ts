import { describe, expect, it } from 'vitest';
import type { Credential, ExchangeRequest } from '../../src/exchanges/adapter.js';
import { okx } from '../../src/exchanges/okx/index.js';
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

  it('refuses a parameter OKX does not read with 51000 "Parameter {param} error", executing nothing', async () => {
    const trade = key('trade').credential;
    const before = box.sandbox.engine.openOrders('main').length;
    const unknown = JSON.stringify({ ...JSON.parse(order('0.001').body), request: [] });
    const r = await signed(trade, post('/api/v5/trade/order', unknown));
    expect([r.status, r.json.code, r.json.msg]).toEqual([400, '51000', 'Parameter request error']);
    const leg = JSON.stringify({
      ...JSON.parse(order('0.001').body),
      attachAlgoOrds: [{ slTriggerPx: '900', slOrdPx: '-1', bogus: '1' }],
    });
    expect((await signed(trade, post('/api/v5/trade/order', leg))).json.msg).toBe('Parameter bogus error');
    const market = '{"instId":"BTC-USDT","tdMode":"cash","side":"buy","ordType":"market","sz":"10","px":"1"}';
    const m = await signed(trade, post('/api/v5/trade/batch-orders', `[${market}]`));
    expect((m.json.data as Array<{ sCode: string; sMsg: string }>)[0]).toMatchObject({
      sCode: '51000',
      sMsg: 'Parameter px error',
    });
    expect(box.sandbox.engine.openOrders('main')).toHaveLength(before);
  });

  it('refuses a limit price outside the price limit with 51006', async () => {
    const far = order('0.001').body.replace('"px":"1000"', '"px":"95000"');
    const r = await signed(key('trade').credential, post('/api/v5/trade/order', far));
    expect((r.json.data as Array<{ sCode: string }>)[0]?.sCode).toBe('51006');
  });

  it('lists SWAP instruments with their contract value, which the adapter reads', async () => {
    const r = await send(okx.instrumentRequest?.('DOGE/USDT:USDT', 'swap') as ExchangeRequest);
    expect(okx.parseInstrument?.(r)).toEqual({ contractSize: 1000, inverse: false });
    expect(okx.parseTicker(await send(okx.tickerRequest('DOGE/USDT:USDT')))).toBe(0.1);
  });

  it('places a swap order as sz × ctVal base units and reports it in contracts', async () => {
    const body = '{"instId":"DOGE-USDT-SWAP","tdMode":"cross","side":"buy","ordType":"market","sz":"2"}';
    const r = await signed(key('trade').credential, post('/api/v5/trade/order', body));
    const ordId = (r.json.data as Array<{ ordId: string }>)[0]?.ordId ?? '';
    expect(box.sandbox.engine.order('main', { id: ordId })).toMatchObject({
      symbol: 'DOGE/USDT:USDT',
      quantity: 2000,
    });
    const shown = await signed(
      key('read').credential,
      get('/api/v5/trade/order', `instId=DOGE-USDT-SWAP&ordId=${ordId}`),
    );
    expect(shown.json.data[0]).toMatchObject({ instType: 'SWAP', sz: '2', accFillSz: '2' });
  });

  it('amends a resting order keeping its id; the adapter reads the resting order back', async () => {
    const trade = key('trade').credential;
    const placed = await signed(trade, order('0.002'));
    const ordId = (placed.json.data as Array<{ ordId: string }>)[0]?.ordId ?? '';
    const amend = `{"instId":"BTC-USDT","ordId":"${ordId}","newPx":"1100","newSz":"0.003"}`;
    const r = await signed(trade, post('/api/v5/trade/amend-order', amend));
    expect(r.json.data[0]).toMatchObject({ ordId, sCode: '0' });
    const intent = okx.classify(post('/api/v5/trade/amend-order', amend)).orders[0];
    const lookup = okx.restingOrderRequest?.(intent ?? {}, post('/api/v5/trade/amend-order', amend));
    const resting = okx.parseRestingOrder?.(await signed(key('read').credential, lookup as ExchangeRequest));
    expect(resting).toEqual({
      symbol: 'BTC/USDT',
      rawSymbol: 'BTC-USDT',
      market: 'spot',
      side: 'buy',
      quantity: 0.003,
      price: 1100,
    });
    const cancel = await signed(
      trade,
      post('/api/v5/trade/cancel-order', `{"instId":"BTC-USDT","ordId":"${ordId}"}`),
    );
    expect(cancel.json.data[0]).toMatchObject({ ordId, sCode: '0' });
  });

  it('fires an algo order at once (prices do not move): a trigger places its order', async () => {
    const body =
      '{"instId":"BTC-USDT","tdMode":"cash","side":"buy","ordType":"trigger","sz":"0.001","tgtCcy":"base_ccy","triggerPx":"59000","orderPx":"-1"}';
    const r = await signed(key('trade').credential, post('/api/v5/trade/order-algo', body));
    const algoId = (r.json.data as Array<{ algoId: string }>)[0]?.algoId ?? '';
    expect(box.sandbox.engine.order('main', { id: algoId })).toMatchObject({
      type: 'market',
      quantity: 0.001,
      status: 'filled',
    });
    const iceberg = body.replace('"trigger"', '"iceberg"');
    expect((await signed(key('trade').credential, post('/api/v5/trade/order-algo', iceberg))).json.code).toBe(
      '51000',
    );
  });

  it('answers introspection the adapter understands', async () => {
    const introspect = introspectSeeded(okx, box, ctx);
    await expectSeededPermissions(introspect, { iprestricted: { reason: expect.stringContaining('50110') } });
  });
});
