import { describe, expect, it } from 'vitest';
import { binance } from '../../src/exchanges/binance/index.js';
import { binanceEmulator } from '../../src/sandbox/binance.js';
import { ccxtAt } from '../sandbox/helpers.js';
import { dropInOrders, useDropIn } from './mini-gateway.js';

describe('binance drop-in: CCXT with an issued credential, re-signed with the real key', () => {
  const dropIn = useDropIn(binance, binanceEmulator);
  const ccxtClient = (secret: string) =>
    ccxtAt('binance', dropIn.base, { apiKey: dropIn.client.apiKey, secret });

  it('runs balance, limit and market orders, open orders, cancel, trades and withdraw', async () => {
    const ex = ccxtClient(dropIn.client.secret);
    expect((await dropInOrders(ex, 'USDT')).USDT?.total).toBe(100000);
    expect((await ex.withdraw('USDT', 5, 'TXsandbox0000000000000000000000000')).id).toBeTruthy();
    // Every upstream request carried the real key, never the client's.
    expect(dropIn.sandbox.log.every((l) => l.status === 200)).toBe(true);
  });

  it('refuses a client that signs with the wrong secret before anything reaches the exchange', async () => {
    const before = dropIn.sandbox.log.length;
    await expect(ccxtClient('not-the-issued-secret').fetchBalance()).rejects.toThrow(/-1022|Signature/);
    expect(dropIn.sandbox.log.slice(before).filter((l) => l.path === '/api/v3/account')).toHaveLength(0);
  });
});
