import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxKey } from '../../src/sandbox/emulator.js';
import { okxEmulator } from '../../src/sandbox/okx.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/server.js';

/** The override documented in README.md ("Exchanges"). */
function okxClient(base: string, key: SandboxKey) {
  return new ccxt.okx({
    apiKey: key.credential.apiKey,
    secret: key.credential.secret,
    password: key.credential.password,
    urls: { api: { rest: base } },
    enableRateLimit: false,
  });
}

describe('unmodified CCXT okx client against the sandbox', () => {
  let sandbox: Sandbox;
  let base: string;
  const keys = okxEmulator.generateKeys();
  const key = (name: string): SandboxKey => {
    const k = keys.find((x) => x.name === name);
    if (!k) throw new Error(name);
    return k;
  };

  beforeAll(async () => {
    sandbox = createSandbox({ emulators: [okxEmulator], keys });
    await sandbox.listen(0);
    base = sandbox.baseUrl('okx');
  });
  afterAll(() => sandbox.close());

  it('fetches balances, places limit and market orders, lists, cancels and reads trades', async () => {
    const ex = okxClient(base, key('trade'));
    const balance = await ex.fetchBalance();
    expect(balance.USDT?.total).toBe(100000);
    expect(balance.BTC?.free).toBe(2);
    const limit = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 50000);
    expect(limit.id).toBeTruthy();
    const open = await ex.fetchOpenOrders('BTC/USDT');
    expect(open.map((o) => o.id)).toContain(limit.id);
    const market = await ex.createOrder('ETH/USDT', 'market', 'buy', 0.5);
    expect(market.id).toBeTruthy();
    await ex.cancelOrder(String(limit.id), 'BTC/USDT');
    expect(await ex.fetchOpenOrders('BTC/USDT')).toHaveLength(0);
    const trades = await ex.fetchMyTrades('ETH/USDT');
    expect(trades).toHaveLength(1);
    expect(trades[0]?.amount).toBe(0.5);
    expect(trades[0]?.price).toBe(3000);
    const paths = sandbox.log.map((l) => `${l.method} ${l.path}`);
    expect(paths).toEqual(
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
    const full = okxClient(base, key('full'));
    const w = await full.withdraw('USDT', 10, 'TXYZabc123456789012345678901234567', undefined, { fee: '0' });
    expect(w.id).toBeTruthy();
    expect(sandbox.engine.withdrawals('main').some((x) => x.id === w.id)).toBe(true);
    const trade = okxClient(base, key('trade'));
    await expect(
      trade.withdraw('USDT', 10, 'TXYZabc123456789012345678901234567', undefined, { fee: '0' }),
    ).rejects.toThrow(/50120/);
  });

  it('surfaces the exchange errors to CCXT: wrong secret and IP-restricted key', async () => {
    const wrong = okxClient(base, {
      ...key('read'),
      credential: { ...key('read').credential, secret: 'WRONGSECRET' },
    });
    await expect(wrong.fetchBalance()).rejects.toBeInstanceOf(ccxt.AuthenticationError);
    await expect(wrong.fetchBalance()).rejects.toThrow(/50113/);
    const restricted = okxClient(base, key('iprestricted'));
    await expect(restricted.fetchBalance()).rejects.toBeInstanceOf(ccxt.PermissionDenied);
  });
});
