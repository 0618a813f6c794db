import ccxt from 'ccxt';
import { describe, expect, it } from 'vitest';
import { bybitEmulator } from '../../src/sandbox/bybit.js';
import { ccxtAt, orderRoundTrip, requestLines, useSandbox } from './helpers.js';

describe('unmodified CCXT bybit client against the sandbox', () => {
  const box = useSandbox(bybitEmulator);
  const client = (name: string, secret?: string) =>
    ccxtAt('bybit', box.base, { ...box.key(name).credential, ...(secret ? { secret } : {}) });

  it('fetches balances, places limit and market orders, lists, cancels and reads trades', async () => {
    await orderRoundTrip(client('trade'), 'USDT');
    expect(requestLines(box.sandbox)).toEqual(
      expect.arrayContaining([
        'GET /v5/asset/coin/query-info',
        'GET /v5/market/instruments-info',
        'GET /v5/account/wallet-balance',
        'POST /v5/order/create',
        'GET /v5/order/realtime',
        'POST /v5/order/cancel',
        'GET /v5/execution/list',
      ]),
    );
  });

  it('withdraws with the full key and is refused with 10005 with the trade key', async () => {
    const w = await client('full').withdraw('USDT', 10, 'TXYZabc123456789012345678901234567');
    expect(w.id).toBeTruthy();
    expect(box.sandbox.engine.withdrawals('main').some((x) => x.id === w.id)).toBe(true);
    await expect(client('trade').withdraw('USDT', 10, 'TXYZabc123456789012345678901234567')).rejects.toThrow(
      /10005/,
    );
  });

  it('surfaces the exchange errors to CCXT: wrong secret and IP-restricted key', async () => {
    const wrong = client('read', 'WRONGSECRET');
    await expect(wrong.fetchBalance()).rejects.toBeInstanceOf(ccxt.AuthenticationError);
    await expect(wrong.fetchBalance()).rejects.toThrow(/10004/);
    await expect(client('iprestricted').fetchBalance()).rejects.toBeInstanceOf(ccxt.PermissionDenied);
  });
});
