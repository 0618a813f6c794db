/**
 * `lockdown --cancel-orders` on every registered exchange: bots place limit orders through
 * the gateway with unmodified CCXT clients; the lockdown cancels every one of them through the
 * exchange with the real key, and the sandbox is left with no open order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXCHANGE_IDS } from '../../src/core/index.js';
import { FIXTURES } from '../exchanges/exchange-fixtures.js';
import { type Harness, startHarness } from '../gateway/harness.js';
import { lockdownProcess, type SecondProcess } from './lockdown-helpers.js';

let h: Harness;
let p: SecondProcess;
beforeAll(async () => {
  // One sandbox account per exchange, so each exchange's orders are its own.
  h = await startHarness({
    plantKeys: (keys) => {
      for (const k of keys) k.account = k.exchange;
    },
  });
  p = await lockdownProcess(h);
}, 60_000);
afterAll(async () => {
  await p.close();
  await h.close();
});

describe('lockdown --all --cancel-orders', () => {
  it('leaves no open order on any registered exchange', async () => {
    const placed: Record<string, number> = {};
    for (const exchange of EXCHANGE_IDS) {
      const issued = await h.issue(exchange, `${exchange}-trader`, { ratePerSecond: 0 });
      const bot = await h.ccxt(exchange, issued.credential);
      const q = FIXTURES[exchange].quote;
      await bot.createOrder(`BTC/${q}`, 'limit', 'buy', 0.01, 50000);
      await bot.createOrder(`BTC/${q}`, 'limit', 'buy', 0.01, 49000);
      await bot.createOrder(`ETH/${q}`, 'limit', 'buy', 0.1, 2500);
      placed[exchange] = 3;
      expect(h.sandbox.engine.openOrders(exchange), exchange).toHaveLength(3);
    }

    const { lockdown, warnings } = await p.service.lockdown({
      scope: { kind: 'all' },
      reason: 'cancel everything',
      cancelOrders: true,
    });
    expect(warnings).toEqual([]);
    expect(lockdown.frozen).toHaveLength(EXCHANGE_IDS.length);
    const byExchange = Object.fromEntries((lockdown.cancel ?? []).map((c) => [c.exchange, c]));
    for (const exchange of EXCHANGE_IDS) {
      expect(byExchange[exchange], exchange).toMatchObject({
        keyLabel: `${exchange}-main`,
        cancelled: placed[exchange],
        failed: [],
      });
      expect(byExchange[exchange]?.error, exchange).toBeUndefined();
      expect(h.sandbox.engine.openOrders(exchange), exchange).toEqual([]);
      expect(h.sandbox.engine.closedOrders(exchange).filter((o) => o.status === 'canceled')).toHaveLength(3);
    }
    // The cancels went straight to the exchanges with the real keys, not through the gateway.
    const records = h.audit.records.filter((r) => r.action === 'lockdown.cancel_orders');
    expect(records.map((r) => r.detail?.cancelled)).toEqual(EXCHANGE_IDS.map(() => 3));
  }, 120_000);

  it('reports an exchange that does not answer instead of failing the lockdown', async () => {
    const issued = await h.issue('kraken', 'kraken-late', { ratePerSecond: 0 });
    expect(issued.client.status).toBe('active');
    const dead = await lockdownProcess({
      ...h,
      config: {
        ...h.config,
        exchanges: { ...h.config.exchanges, kraken: { enabled: true, baseUrl: 'http://127.0.0.1:9' } },
      },
    });
    try {
      const { lockdown, warnings } = await dead.service.lockdown({
        scope: { kind: 'key', ref: 'kraken-main' },
        cancelOrders: true,
      });
      // The freeze holds regardless.
      expect(lockdown.frozen).toContain('kraken-late');
      expect((await h.clients.get('kraken-late'))?.status).toBe('frozen');
      expect(lockdown.cancel?.[0]?.error).toMatch(/not answer|request failed|upstream/i);
      expect(warnings.join('\n')).toMatch(/open orders of key kraken-main were not cancelled/);
    } finally {
      await dead.close();
    }
  });
});
