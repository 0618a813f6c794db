import { describe, expect, it } from 'vitest';
import { binanceEmulator } from '../../src/sandbox/binance.js';
import { ccxtAt, orderRoundTrip, requestLines, useSandbox } from './helpers.js';

describe('unmodified CCXT binance client against the sandbox', () => {
  const box = useSandbox(binanceEmulator);
  const client = (name: string) => ccxtAt('binance', box.base, box.key(name).credential);

  it('fetches balances, places limit and market orders, lists, cancels and reads trades', async () => {
    const { limit, market, canceled } = await orderRoundTrip(client('trade'), 'USDT');
    expect(limit.status).toBe('open');
    expect(market.status).toBe('closed');
    expect(market.filled).toBe(0.5);
    expect(canceled.status).toBe('canceled');
    const paths = requestLines(box.sandbox);
    expect(paths).toContain('GET /api/v3/exchangeInfo');
    expect(paths).toContain('GET /sapi/v1/capital/config/getall');
  });

  it('withdraws with the full key and is refused with the exchange permission error with the trade key', async () => {
    const w = await client('full').withdraw('USDT', 10, 'TXYZsandboxaddress000000000000000', undefined, {
      network: 'USDT',
    });
    expect(w.id).toBeTruthy();
    // Binance answers {"code":-1002,"msg":"You are not authorized to execute this request."} (HTTP 401).
    await expect(client('trade').withdraw('USDT', 10, 'TXYZsandboxaddress000000000000000')).rejects.toThrow(
      /You are not authorized to execute this request/,
    );
    expect(box.sandbox.engine.withdrawals('main')).toHaveLength(1);
    expect(box.sandbox.log.at(-1)?.status).toBe(401);
  });

  it('serves fetchTicker from the engine price', async () => {
    const ticker = await client('read').fetchTicker('ETH/USDT');
    expect(ticker.last).toBe(3000);
  });

  it('trades with an Ed25519 key (PKCS#8 PEM secret), verified with its public key', async () => {
    const ex = client('ed25519');
    expect((await ex.fetchBalance()).info).toMatchObject({ canTrade: true });
    const order = await ex.createOrder('SOL/USDT', 'limit', 'sell', 1, 500);
    expect(order.status).toBe('open');
  });

  it('refuses the IP-restricted key from 127.0.0.1 with -2015', async () => {
    await expect(client('iprestricted').fetchBalance()).rejects.toThrow(/-2015/);
  });
});
