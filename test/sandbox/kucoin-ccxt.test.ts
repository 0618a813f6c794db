import ccxt from 'ccxt';
import { describe, expect, it } from 'vitest';
import { kucoinEmulator } from '../../src/sandbox/kucoin.js';
import { ccxtAt, orderRoundTrip, requestLines, useSandbox } from './helpers.js';

describe('unmodified CCXT kucoin client against the sandbox', () => {
  const box = useSandbox(kucoinEmulator);
  const client = (name: string, secret?: string) =>
    ccxtAt('kucoin', box.base, { ...box.key(name).credential, ...(secret ? { secret } : {}) });
  const withdraw = (name: string) => client(name).withdraw('USDT', 10, 'TXYZabc123456789012345678901234567');

  it('fetches balances, places limit and market orders, lists, cancels and reads trades', async () => {
    await orderRoundTrip(client('trade'), 'USDT');
    expect(requestLines(box.sandbox)).toEqual(
      expect.arrayContaining([
        'GET /api/v2/symbols',
        'GET /api/v3/currencies',
        'GET /api/v1/hf/accounts/opened',
        'GET /api/v1/accounts',
        'POST /api/v1/orders',
        'GET /api/v1/orders',
        'GET /api/v1/fills',
      ]),
    );
    expect(requestLines(box.sandbox).some((l) => l.startsWith('DELETE /api/v1/orders/'))).toBe(true);
  });

  it('withdraws with the full key and is refused with 400007 with the trade key', async () => {
    const w = await withdraw('full');
    expect(w.id).toBeTruthy();
    expect(box.sandbox.engine.withdrawals('main').some((x) => x.id === w.id)).toBe(true);
    await expect(withdraw('trade')).rejects.toThrow(/400007/);
  });

  it('surfaces the exchange errors to CCXT: wrong secret and IP-restricted key', async () => {
    const wrong = client('read', 'WRONGSECRET');
    await expect(wrong.fetchBalance()).rejects.toBeInstanceOf(ccxt.AuthenticationError);
    await expect(client('iprestricted').fetchBalance()).rejects.toThrow(/400006/);
  });
});
