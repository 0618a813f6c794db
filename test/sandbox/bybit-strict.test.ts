/**
 * The Bybit emulator is as strict as Bybit (issue 10): unknown and unused parameters answer
 * 10001, limit prices beyond the price limit 170193/170194 (spot) or 110003 (linear), and the
 * batch, amend, conditional and linear-perpetual endpoints execute as Bybit executes them.
 * keywarden never relies on this; it only makes the end-to-end tests prove what executes.
 */
import { describe, expect, it } from 'vitest';
import type { ExchangeRequest } from '../../src/exchanges/adapter.js';
import { bybit, bybitVerify } from '../../src/exchanges/bybit/index.js';
import { bybitEmulator } from '../../src/sandbox/bybit.js';
import { get, post, signCtxAt } from '../exchanges/helpers.js';
import { sendJson, useSandbox } from './helpers.js';

interface BybitBody {
  retCode: number;
  retMsg: string;
  result: Record<string, unknown> & { list?: Array<Record<string, unknown>> };
  retExtInfo: { list?: Array<{ code: number }> };
}

describe('bybit sandbox strictness (real sockets)', () => {
  const box = useSandbox(bybitEmulator);
  const call = (request: ExchangeRequest) =>
    sendJson<BybitBody>(
      box.base,
      bybit.sign(request, box.key('full').credential, signCtxAt(Date.now(), box.base)),
    );
  const create = (body: Record<string, unknown>) => call(post('/v5/order/create', JSON.stringify(body)));
  const spot = {
    category: 'spot',
    symbol: 'BTCUSDT',
    side: 'Buy',
    orderType: 'Limit',
    qty: '0.01',
    price: '59000',
  };
  const orders = () =>
    box.sandbox.engine.openOrders('main').length + box.sandbox.engine.closedOrders('main').length;

  it('refuses unknown, unused and misplaced parameters with 10001, placing nothing', async () => {
    const before = orders();
    for (const body of [
      { ...spot, request: [] },
      { ...spot, Symbol: 'ETHUSDT' },
      { ...spot, orderType: 'Market', price: '1' },
      { ...spot, marketUnit: 'baseCoin' },
      { ...spot, positionIdx: 1 },
      { ...spot, tpLimitPrice: '1' },
      { ...spot, qty: '1e-3' },
    ])
      expect((await create(body)).json.retCode, JSON.stringify(body)).toBe(10001);
    const q = await call({ ...post('/v5/order/create', JSON.stringify(spot)), query: 'symbol=ETHUSDT' });
    expect(q.json.retCode).toBe(10001);
    expect(orders()).toBe(before);
  });

  it('refuses limit prices beyond the price limit', async () => {
    expect((await create({ ...spot, price: '70000' })).json.retCode).toBe(170193);
    expect((await create({ ...spot, side: 'Sell', price: '50000' })).json.retCode).toBe(170194);
    expect((await create({ ...spot, category: 'linear', price: '70000' })).json.retCode).toBe(110003);
    expect((await create({ ...spot, price: '30000' })).json.retCode).toBe(0);
  });

  it('trades linear perpetuals in base coin, listed with their instruments and tickers', async () => {
    const r = await create({ ...spot, category: 'linear', qty: '0.02' });
    expect(r.json.retCode).toBe(0);
    expect(box.sandbox.engine.order('main', { id: String(r.json.result.orderId) })).toMatchObject({
      symbol: 'BTC/USDT:USDT',
      quantity: 0.02,
    });
    const info = await sendJson<BybitBody>(
      box.base,
      bybit.instrumentRequest?.('BTC/USDT:USDT', 'swap') ?? get('/'),
    );
    expect(bybit.parseInstrument?.({ status: 200, headers: {}, body: JSON.stringify(info.json) })).toEqual({
      contractSize: 1,
      inverse: false,
    });
    expect(
      bybit.parseTicker(
        await sendJson(box.base, bybit.tickerRequest('ETH/USDT:USDT')).then((x) => ({
          status: 200,
          headers: {},
          body: JSON.stringify(x.json),
        })),
      ),
    ).toBe(3000);
  });

  it('executes create-batch item by item under the top-level category; refuses per-item category and empty batches', async () => {
    const item = { symbol: 'ETHUSDT', side: 'Buy', orderType: 'Limit', qty: '0.1', price: '2900' };
    const batch = (request: unknown[]) =>
      call(post('/v5/order/create-batch', JSON.stringify({ category: 'spot', request })));
    const ok = await batch([item, { ...item, symbol: 'NOPEUSDT' }]);
    expect(ok.json.retCode).toBe(0);
    expect(ok.json.retExtInfo.list?.map((c) => c.code)).toEqual([0, 170121]);
    expect((await batch([])).json.retCode).toBe(10001);
    expect((await batch([{ ...item, category: 'linear' }])).json.retCode).toBe(10001);
  });

  it('amends a resting order, keeping its id and link id; holds conditional orders as Untriggered', async () => {
    const placed = await create({ ...spot, orderLinkId: 'sbx-amend' });
    const orderId = String(placed.json.result.orderId);
    const amend = (body: Record<string, unknown>) =>
      call(post('/v5/order/amend', JSON.stringify({ category: 'spot', symbol: 'BTCUSDT', ...body })));
    expect((await amend({ orderId, price: '58000', qty: '0.02' })).json).toMatchObject({
      retCode: 0,
      result: { orderId },
    });
    expect((await amend({ orderLinkId: 'sbx-amend', price: '57000' })).json.retCode).toBe(0);
    expect((await amend({ orderId, price: '99000' })).json.retCode).toBe(170193);
    const open = await call(get('/v5/order/realtime', 'category=spot&orderLinkId=sbx-amend'));
    expect(open.json.result.list).toEqual([
      expect.objectContaining({ price: '57000', qty: '0.02', orderLinkId: 'sbx-amend' }),
    ]);
    const stop = await create({ ...spot, orderFilter: 'StopOrder', triggerPrice: '61000' });
    expect(stop.json.retCode).toBe(0);
    const held = await call(
      get('/v5/order/realtime', `category=spot&orderId=${String(stop.json.result.orderId)}`),
    );
    expect(held.json.result.list).toEqual([expect.objectContaining({ orderStatus: 'Untriggered' })]);
  });

  it('refuses a recv window above 60,000 ms with 10002 (shared with the adapter)', () => {
    const signed = bybit.sign(
      {
        ...get('/v5/account/wallet-balance', 'accountType=UNIFIED'),
        headers: { 'X-BAPI-RECV-WINDOW': '999999999' },
      },
      { apiKey: 'k', secret: 's' },
      signCtxAt(1_000),
    );
    expect(bybitVerify(signed, 's', 1_000 + 86_400_000)?.retCode).toBe(10002);
  });
});
