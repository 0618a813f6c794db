import ccxt from 'ccxt';
import { describe, expect, it } from 'vitest';
import { bitgetEmulator } from '../../src/sandbox/bitget.js';
import { ccxtAt, requestLines, useSandbox } from './helpers.js';

describe('unmodified CCXT bitget client against the sandbox', () => {
  const box = useSandbox(bitgetEmulator);
  const client = (name: string, secret?: string) =>
    ccxtAt('bitget', box.base, { ...box.key(name).credential, ...(secret ? { secret } : {}) });
  const withdraw = (name: string) =>
    client(name).withdraw('USDT', 10, 'TXYZabc123456789012345678901234567', undefined, { network: 'TRC20' });

  it('fetches balances, places limit and market orders, lists, cancels and reads trades', async () => {
    const ex = client('trade');
    const balance = await ex.fetchBalance();
    expect(balance.USDT).toMatchObject({ total: 100000 });
    expect(balance.BTC).toMatchObject({ free: 2, total: 2 });
    const limit = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 50000);
    expect((await ex.fetchOpenOrders('BTC/USDT')).map((o) => o.id)).toContain(limit.id);
    // CCXT turns a market buy of 0.5 ETH at a reference price of 3000 into a 1500 USDT cost.
    const market = await ex.createOrder('ETH/USDT', 'market', 'buy', 0.5, 3000);
    expect(market.id).toBeTruthy();
    await ex.cancelOrder(String(limit.id), 'BTC/USDT');
    expect(await ex.fetchOpenOrders('BTC/USDT')).toHaveLength(0);
    const trades = await ex.fetchMyTrades('ETH/USDT');
    expect(trades).toHaveLength(1);
    expect(trades[0]).toMatchObject({ amount: 0.5, price: 3000 });
    const sell = await ex.createOrder('ETH/USDT', 'market', 'sell', 0.2);
    expect(sell.id).toBeTruthy();
    expect(requestLines(box.sandbox)).toEqual(
      expect.arrayContaining([
        'GET /api/v2/spot/public/symbols',
        'GET /api/v2/spot/account/assets',
        'POST /api/v2/spot/trade/place-order',
        'GET /api/v2/spot/trade/unfilled-orders',
        'POST /api/v2/spot/trade/cancel-order',
        'GET /api/v2/spot/trade/fills',
      ]),
    );
  });

  it('withdraws with the full key and is refused with 40014 with the trade key', async () => {
    const w = await withdraw('full');
    expect(w.id).toBeTruthy();
    expect(box.sandbox.engine.withdrawals('main').some((x) => x.id === w.id)).toBe(true);
    await expect(withdraw('trade')).rejects.toThrow(/40014/);
  });

  it('transfers with the full key and is refused with the trade key', async () => {
    const t = await client('full').transfer('USDT', 5, 'spot', 'swap');
    expect(t.id).toBeTruthy();
    await expect(client('trade').transfer('USDT', 5, 'spot', 'swap')).rejects.toBeInstanceOf(
      ccxt.PermissionDenied,
    );
  });

  it('surfaces the exchange errors to CCXT: wrong secret and IP-restricted key', async () => {
    const wrong = client('read', 'WRONGSECRET');
    await expect(wrong.fetchBalance()).rejects.toBeInstanceOf(ccxt.AuthenticationError);
    await expect(wrong.fetchBalance()).rejects.toThrow(/40009/);
    await expect(client('iprestricted').fetchBalance()).rejects.toBeInstanceOf(ccxt.PermissionDenied);
  });
});
