/**
 * The Coinbase emulator is as strict as Coinbase, on its own (no gateway in front): unknown or
 * unused fields are INVALID_ARGUMENT, IOC/FOK leave nothing resting, edits and convert
 * quote/commit execute as Coinbase executes them.
 */
import { describe, expect, it } from 'vitest';
import { coinbase } from '../../src/exchanges/coinbase/index.js';
import { coinbaseEmulator } from '../../src/sandbox/coinbase.js';
import { sendJson, useSandbox } from './helpers.js';

const box = useSandbox(coinbaseEmulator);
const V3 = '/api/v3/brokerage';

async function post(path: string, body: unknown, query = '') {
  const signed = coinbase.sign(
    { method: 'POST', path, query, headers: {}, body: JSON.stringify(body) },
    box.key('full').credential,
    { clock: Date, nonce: { next: () => '1' }, baseUrl: box.base },
  );
  return sendJson<Record<string, unknown>>(box.base, signed);
}

const order = (config: Record<string, unknown>, extra: Record<string, unknown> = {}, side = 'BUY') => ({
  client_order_id: `c-${Math.random().toString(36).slice(2)}`,
  product_id: 'BTC-USD',
  side,
  order_configuration: config,
  ...extra,
});

const account = () => box.key('full').account;
const orderCount = () =>
  box.sandbox.engine.openOrders(account()).length + box.sandbox.engine.closedOrders(account()).length;

describe('coinbase sandbox strictness', () => {
  it('refuses unknown and unused fields with INVALID_ARGUMENT and executes nothing', async () => {
    const before = orderCount();
    for (const body of [
      order({ market_market_ioc: { base_size: '0.5', limit_price: '1' } }),
      order({ market_market_ioc: { base_size: '0.5', quote_size: '10' } }),
      order({ market_market_ioc: { quote_size: '10' } }, { size: '5' }),
      order({
        market_market_ioc: { quote_size: '10' },
        limit_limit_gtc: { base_size: '1', limit_price: '1' },
      }),
      order({}),
    ]) {
      const r = await post(`${V3}/orders`, body);
      expect(r.status, r.body).toBe(400);
      expect(r.json).toMatchObject({ error: 'INVALID_ARGUMENT' });
    }
    const q = await post(
      `${V3}/orders`,
      order({ market_market_ioc: { quote_size: '10' } }),
      'product_id=ETH-USD',
    );
    expect(q.json).toMatchObject({ error: 'INVALID_ARGUMENT' });
    expect(orderCount()).toBe(before);
  });

  it('executes a market order by quote size, and cancels what an IOC limit did not fill', async () => {
    const m = await post(`${V3}/orders`, order({ market_market_ioc: { quote_size: '600' } }));
    expect(m.json).toMatchObject({ success: true });
    const placed = box.sandbox.engine.closedOrders(account()).at(-1);
    expect(placed).toMatchObject({ symbol: 'BTC/USD', side: 'buy', status: 'filled' });
    expect((placed?.quantity ?? 0) * 60000).toBeCloseTo(600, 6);
    const ioc = await post(
      `${V3}/orders`,
      order({ sor_limit_ioc: { base_size: '0.01', limit_price: '50000' } }),
    );
    expect(ioc.json).toMatchObject({ success: true });
    expect(box.sandbox.engine.closedOrders(account()).at(-1)).toMatchObject({
      status: 'canceled',
      filled: 0,
    });
  });

  it('edits a resting limit order: the old id follows the new price', async () => {
    const r = await post(
      `${V3}/orders`,
      order({ limit_limit_gtc: { base_size: '0.01', limit_price: '50000' } }),
    );
    const id = String((r.json.success_response as Record<string, unknown>).order_id);
    const e = await post(`${V3}/orders/edit`, { order_id: id, price: '51000' });
    expect(e.json).toMatchObject({ success: true });
    const read = coinbase.sign(
      { method: 'GET', path: `${V3}/orders/historical/${id}`, query: '', headers: {}, body: '' },
      box.key('full').credential,
      { clock: Date, nonce: { next: () => '1' }, baseUrl: box.base },
    );
    const got = await sendJson<{ order: Record<string, unknown> }>(box.base, read);
    expect(coinbase.parseRestingOrder?.(got)).toMatchObject({ symbol: 'BTC/USD', side: 'buy', price: 51000 });
    expect((await post(`${V3}/orders/edit`, { order_id: id, price: '1', side: 'SELL' })).json).toMatchObject({
      error: 'INVALID_ARGUMENT',
    });
  });

  it('converts on commit, once, as a market order of the quoted amount', async () => {
    const q = await post(`${V3}/convert/quote`, { from_account: 'USD', to_account: 'ETH', amount: '300' });
    const trade = q.json.trade as Record<string, unknown>;
    expect(trade).toMatchObject({
      status: 'TRADE_STATUS_CREATED',
      amount: { value: '0.1', currency: 'ETH' },
    });
    const before = orderCount();
    const commit = await post(`${V3}/convert/trade/${String(trade.id)}`, {
      from_account: 'USD',
      to_account: 'ETH',
    });
    expect(commit.json).toMatchObject({ trade: { status: 'TRADE_STATUS_COMPLETED' } });
    expect(orderCount()).toBe(before + 1);
    expect(box.sandbox.engine.closedOrders(account()).at(-1)).toMatchObject({
      symbol: 'ETH/USD',
      side: 'buy',
    });
    const again = await post(`${V3}/convert/trade/${String(trade.id)}`, {
      from_account: 'USD',
      to_account: 'ETH',
    });
    expect(again.status).toBe(400);
    expect(orderCount()).toBe(before + 1);
  });
});
