import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binanceEmulator } from '../../src/sandbox/binance.js';
import type { SandboxKey } from '../../src/sandbox/emulator.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/server.js';

/** The override documented in README.md ("Exchanges"): every Binance spot/SAPI prefix to the sandbox. */
function binanceClient(base: string, key: SandboxKey) {
  return new ccxt.binance({
    apiKey: key.credential.apiKey,
    secret: key.credential.secret,
    urls: {
      api: {
        public: `${base}/api/v3`,
        private: `${base}/api/v3`,
        v1: `${base}/api/v1`,
        sapi: `${base}/sapi/v1`,
        sapiV2: `${base}/sapi/v2`,
        sapiV3: `${base}/sapi/v3`,
        sapiV4: `${base}/sapi/v4`,
      },
    },
    options: { fetchMarkets: { types: ['spot'] } },
    // The sandbox has no rate limits; CCXT's client-side throttle would only slow the test down.
    enableRateLimit: false,
  });
}

describe('unmodified CCXT binance client against the sandbox', () => {
  let sandbox: Sandbox;
  let base: string;
  const keys = binanceEmulator.generateKeys();
  const key = (name: string): SandboxKey => {
    const k = keys.find((x) => x.name === name);
    if (!k) throw new Error(name);
    return k;
  };

  beforeAll(async () => {
    sandbox = createSandbox({ emulators: [binanceEmulator], keys });
    await sandbox.listen(0);
    base = sandbox.baseUrl('binance');
  });
  afterAll(() => sandbox.close());

  it('fetches balances, places limit and market orders, lists, cancels and reads trades', async () => {
    const ex = binanceClient(base, key('trade'));
    const balance = await ex.fetchBalance();
    expect(balance.USDT?.total).toBe(100000);
    const limit = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 50000);
    expect(limit.status).toBe('open');
    const open = await ex.fetchOpenOrders('BTC/USDT');
    expect(open.map((o) => o.id)).toContain(limit.id);
    const market = await ex.createOrder('ETH/USDT', 'market', 'buy', 0.5);
    expect(market.status).toBe('closed');
    expect(market.filled).toBe(0.5);
    const canceled = await ex.cancelOrder(String(limit.id), 'BTC/USDT');
    expect(canceled.status).toBe('canceled');
    expect(await ex.fetchOpenOrders('BTC/USDT')).toHaveLength(0);
    const trades = await ex.fetchMyTrades('ETH/USDT');
    expect(trades).toHaveLength(1);
    expect(trades[0]?.amount).toBe(0.5);
    const paths = sandbox.log.map((l) => `${l.method} ${l.path}`);
    expect(paths).toContain('GET /api/v3/exchangeInfo');
    expect(paths).toContain('GET /sapi/v1/capital/config/getall');
  });

  it('withdraws with the full key and is refused with the exchange permission error with the trade key', async () => {
    const full = binanceClient(base, key('full'));
    const w = await full.withdraw('USDT', 10, 'TXYZsandboxaddress000000000000000', undefined, {
      network: 'USDT',
    });
    expect(w.id).toBeTruthy();
    const trade = binanceClient(base, key('trade'));
    // Binance answers {"code":-1002,"msg":"You are not authorized to execute this request."} (HTTP 401).
    await expect(trade.withdraw('USDT', 10, 'TXYZsandboxaddress000000000000000')).rejects.toThrow(
      /You are not authorized to execute this request/,
    );
    expect(sandbox.engine.withdrawals('main')).toHaveLength(1);
    expect(sandbox.log.at(-1)?.status).toBe(401);
  });

  it('serves fetchTicker from the engine price', async () => {
    const ticker = await binanceClient(base, key('read')).fetchTicker('ETH/USDT');
    expect(ticker.last).toBe(3000);
  });

  it('trades with an Ed25519 key (PKCS#8 PEM secret), verified with its public key', async () => {
    const ex = binanceClient(base, key('ed25519'));
    expect((await ex.fetchBalance()).info).toMatchObject({ canTrade: true });
    const order = await ex.createOrder('SOL/USDT', 'limit', 'sell', 1, 500);
    expect(order.status).toBe('open');
  });

  it('refuses the IP-restricted key from 127.0.0.1 with -2015', async () => {
    const ex = binanceClient(base, key('iprestricted'));
    await expect(ex.fetchBalance()).rejects.toThrow(/-2015/);
  });
});
