import ccxt from 'ccxt';
import { describe, expect, it } from 'vitest';
import { okxEmulator } from '../../src/sandbox/okx.js';
import { ccxtAt, orderRoundTrip, requestLines, useSandbox } from './helpers.js';

describe('unmodified CCXT okx client against the sandbox', () => {
  const box = useSandbox(okxEmulator);
  const client = (name: string, secret?: string) =>
    ccxtAt('okx', box.base, { ...box.key(name).credential, ...(secret ? { secret } : {}) });
  const withdraw = (name: string) =>
    client(name).withdraw('USDT', 10, 'TXYZabc123456789012345678901234567', undefined, { fee: '0' });

  it('fetches balances, places limit and market orders, lists, cancels and reads trades', async () => {
    await orderRoundTrip(client('trade'), 'USDT');
    expect(requestLines(box.sandbox)).toEqual(
      expect.arrayContaining([
        'GET /api/v5/asset/currencies',
        'GET /api/v5/public/instruments',
        'GET /api/v5/account/balance',
        'POST /api/v5/trade/batch-orders',
        'POST /api/v5/trade/cancel-order',
        'GET /api/v5/trade/fills-history',
      ]),
    );
  });

  it('withdraws with the full key and is refused with 50120 with the trade key', async () => {
    const w = await withdraw('full');
    expect(w.id).toBeTruthy();
    expect(box.sandbox.engine.withdrawals('main').some((x) => x.id === w.id)).toBe(true);
    await expect(withdraw('trade')).rejects.toThrow(/50120/);
  });

  it('surfaces the exchange errors to CCXT: wrong secret and IP-restricted key', async () => {
    const wrong = client('read', 'WRONGSECRET');
    await expect(wrong.fetchBalance()).rejects.toBeInstanceOf(ccxt.AuthenticationError);
    await expect(wrong.fetchBalance()).rejects.toThrow(/50113/);
    await expect(client('iprestricted').fetchBalance()).rejects.toBeInstanceOf(ccxt.PermissionDenied);
  });
});
