import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxKey } from '../../src/sandbox/emulator.js';
import { krakenEmulator } from '../../src/sandbox/kraken.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/server.js';

/** The override documented in README.md ("Exchanges"). */
function krakenClient(base: string, key: SandboxKey) {
  return new ccxt.kraken({
    apiKey: key.credential.apiKey,
    secret: key.credential.secret,
    urls: { api: { public: base, private: base } },
    enableRateLimit: false,
  });
}

describe('unmodified CCXT kraken client against the sandbox', () => {
  let sandbox: Sandbox;
  let base: string;
  const keys = krakenEmulator.generateKeys();
  const key = (name: string): SandboxKey => {
    const k = keys.find((x) => x.name === name);
    if (!k) throw new Error(name);
    return k;
  };

  beforeAll(async () => {
    sandbox = createSandbox({ emulators: [krakenEmulator], keys });
    await sandbox.listen(0);
    base = sandbox.baseUrl('kraken');
  });
  afterAll(() => sandbox.close());

  it('fetches balances, places limit and market orders, lists, cancels and reads trades', async () => {
    const ex = krakenClient(base, key('trade'));
    const balance = await ex.fetchBalance();
    expect(balance.USD?.total).toBe(100000);
    expect(balance.BTC?.total).toBe(2);
    const limit = await ex.createOrder('BTC/USD', 'limit', 'buy', 0.01, 50000);
    expect(limit.id).toBeTruthy();
    const open = await ex.fetchOpenOrders('BTC/USD');
    expect(open.map((o) => o.id)).toContain(limit.id);
    const market = await ex.createOrder('ETH/USD', 'market', 'buy', 0.5);
    expect(market.id).toBeTruthy();
    await ex.cancelOrder(String(limit.id), 'BTC/USD');
    expect(await ex.fetchOpenOrders('BTC/USD')).toHaveLength(0);
    const trades = await ex.fetchMyTrades('ETH/USD');
    expect(trades).toHaveLength(1);
    expect(trades[0]?.amount).toBe(0.5);
    const paths = sandbox.log.map((l) => `${l.method} ${l.path}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        'GET /0/public/Assets',
        'GET /0/public/AssetPairs',
        'POST /0/private/BalanceEx',
      ]),
    );
  });

  it('withdraws with the full key and is refused with EGeneral:Permission denied with the trade key', async () => {
    const full = krakenClient(base, key('full'));
    const w = await full.withdraw('BTC', 0.1, '', undefined, { key: 'my-cold-wallet' });
    expect(w.id).toBeTruthy();
    expect(sandbox.engine.withdrawals('main')).toHaveLength(1);
    const trade = krakenClient(base, key('trade'));
    await expect(trade.withdraw('BTC', 0.1, '', undefined, { key: 'my-cold-wallet' })).rejects.toBeInstanceOf(
      ccxt.PermissionDenied,
    );
  });

  it('refuses the IP-restricted key from 127.0.0.1', async () => {
    const ex = krakenClient(base, key('iprestricted'));
    await expect(ex.fetchBalance()).rejects.toThrow(/Permission denied/);
  });
});
