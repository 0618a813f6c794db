import ccxt from 'ccxt';
import { describe, expect, it } from 'vitest';
import { coinbaseEmulator } from '../../src/sandbox/coinbase.js';
import { ccxtAt, requestLines, useSandbox } from './helpers.js';

const box = useSandbox(coinbaseEmulator);
const clients = new Map<string, InstanceType<typeof ccxt.coinbase>>();

/**
 * Exactly the override documented in README.md: only `urls.api.rest` changes. The `read`
 * client keeps CCXT's default throttle on; the others turn it off (a speed knob, ~1.5 s per
 * loadMarkets) so the file stays fast.
 */
function client(name: string) {
  const cached = clients.get(name);
  if (cached) return cached;
  const ex = ccxtAt(
    'coinbase',
    box.base,
    box.key(name).credential,
    name === 'read' ? { enableRateLimit: true } : {},
  );
  clients.set(name, ex);
  return ex;
}

describe('unmodified CCXT 4.5.84 coinbase client against the Coinbase emulator', () => {
  it('loads markets and fetches the balance with a CDP ES256 key', async () => {
    const ex = client('read');
    const balance = await ex.fetchBalance();
    expect(balance.BTC?.total).toBe(2);
    expect(balance.USD?.total).toBe(100000);
    expect(ex.markets?.['BTC/USD']?.id).toBe('BTC-USD');
    const paths = requestLines(box.sandbox);
    expect(paths).toContain('GET /v2/currencies');
    expect(paths).toContain('GET /api/v3/brokerage/transaction_summary');
    expect(paths).toContain('GET /v2/accounts');
  });

  it('places limit and market orders, lists open orders, cancels and reads fills', async () => {
    const ex = client('trade');
    const limit = await ex.createOrder('BTC/USD', 'limit', 'buy', 0.01, 50000);
    expect(limit.id).toBeDefined();
    const open = await ex.fetchOpenOrders('BTC/USD');
    expect(open.map((o) => o.id)).toContain(limit.id);
    expect(open[0]?.price).toBe(50000);
    const market = await ex.createOrder('BTC/USD', 'market', 'buy', 0.01, 60000);
    const sell = await ex.createOrder('BTC/USD', 'market', 'sell', 0.005);
    expect(market.id).toBeDefined();
    expect(sell.id).toBeDefined();
    const canceled = await ex.cancelOrder(String(limit.id), 'BTC/USD');
    expect(canceled.id).toBe(limit.id);
    expect(await ex.fetchOpenOrders('BTC/USD')).toHaveLength(0);
    const trades = await ex.fetchMyTrades('BTC/USD');
    expect(trades.map((t) => t.order).sort()).toEqual([market.id, sell.id].sort());
    const buy = trades.find((t) => t.order === market.id);
    expect(buy?.amount).toBeCloseTo(0.01, 8);
    expect(buy?.price).toBe(60000);
  });

  it('withdraws with the full key', async () => {
    const ex = client('full');
    const tx = await ex.withdraw('BTC', 0.1, 'bc1qsandboxaddress000000000000000000000');
    expect(tx.id).toBeDefined();
    const sent = box.sandbox.engine.withdrawals('main');
    expect(sent.at(-1)?.amount).toBe(0.1);
    expect(sent.at(-1)?.address).toBe('bc1qsandboxaddress000000000000000000000');
  });

  it('refuses a withdrawal by the trade key with Coinbase scope error', async () => {
    const ex = client('trade');
    const before = box.sandbox.engine.withdrawals('main').length;
    await expect(ex.withdraw('BTC', 0.1, 'bc1qsandboxaddress000000000000000000000')).rejects.toThrow(
      /invalid_scope|Missing required scopes/,
    );
    await expect(ex.withdraw('BTC', 0.1, 'bc1qsandboxaddress000000000000000000000')).rejects.toBeInstanceOf(
      ccxt.AuthenticationError,
    );
    expect(box.sandbox.engine.withdrawals('main').length).toBe(before);
    expect(box.sandbox.log.at(-1)?.status).toBe(403);
  });

  it('refuses an order by the read key with PERMISSION_DENIED', async () => {
    const ex = client('read');
    await expect(ex.createOrder('BTC/USD', 'limit', 'buy', 0.01, 50000)).rejects.toBeInstanceOf(
      ccxt.PermissionDenied,
    );
  });

  it('rejects the IP-restricted key from 127.0.0.1', async () => {
    const ex = client('iprestricted');
    await expect(ex.fetchBalance()).rejects.toBeInstanceOf(ccxt.AuthenticationError);
    expect(box.sandbox.log.at(-1)?.status).toBe(401);
  });
});
