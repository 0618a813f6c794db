/**
 * `cancelAllOrders` of each adapter against its sandbox emulator, over real HTTP: every open
 * order is cancelled through the exchange's own endpoints, pages are walked, and a key the
 * exchange refuses comes back as failures (not an exception) with the orders left alone.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ExchangeId } from '../../src/core/index.js';
import type { SignContext } from '../../src/exchanges/adapter.js';
import { adapterFor } from '../../src/exchanges/index.js';
import { createNonceSource } from '../../src/exchanges/memory-nonce-ledger.js';
import type { SandboxKey } from '../../src/sandbox/emulator.js';
import { EMULATORS } from '../../src/sandbox/emulators.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { undiciTransport } from '../../src/scan/verify.js';
import { FIXTURES } from './exchange-fixtures.js';

const QUOTE = (id: ExchangeId) => FIXTURES[id].quote;
const ENDPOINTS = (id: ExchangeId) => FIXTURES[id].cancelAllEndpoints;

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

async function start(exchange: ExchangeId): Promise<{ sandbox: Sandbox; key(name: string): SandboxKey }> {
  const emulator = EMULATORS.find((e) => e.exchange === exchange);
  if (!emulator) throw new Error(exchange);
  const keys = emulator.generateKeys();
  sandbox = createSandbox({ emulators: [emulator], keys });
  await sandbox.listen(0, '127.0.0.1');
  const s = sandbox;
  return {
    sandbox: s,
    key(name) {
      const k = keys.find((x) => x.name === name);
      if (!k) throw new Error(name);
      return k;
    },
  };
}

function placeLimits(s: Sandbox, quote: string, count: number): void {
  for (let i = 0; i < count; i++) {
    const placed = s.engine.placeOrder({
      account: 'main',
      symbol: i % 2 === 0 ? `BTC/${quote}` : `ETH/${quote}`,
      side: 'buy',
      type: 'limit',
      quantity: 0.001,
      price: i % 2 === 0 ? 30_000 - i : 1_500 - i,
    });
    if (!placed.ok) throw new Error(placed.error.message);
  }
}

function ctxFor(s: Sandbox, exchange: ExchangeId): SignContext {
  return { clock: { now: Date.now }, nonce: createNonceSource(Date.now), baseUrl: s.baseUrl(exchange) };
}

describe.each(EMULATORS.map((e) => e.exchange))('%s cancelAllOrders', (exchange) => {
  const adapter = adapterFor(exchange);
  const cancelAll = adapter.cancelAllOrders?.bind(adapter);

  it('cancels every open order on every symbol through the exchange endpoints', async () => {
    expect(cancelAll).toBeDefined();
    const { sandbox: s, key } = await start(exchange);
    placeLimits(s, QUOTE(exchange), 5);
    // A filled order is not open: it must not be counted or touched.
    s.engine.placeOrder({
      account: 'main',
      symbol: `BTC/${QUOTE(exchange)}`,
      side: 'buy',
      type: 'market',
      quantity: 0.001,
    });
    expect(s.engine.openOrders('main')).toHaveLength(5);
    const result = await cancelAll?.(
      key('trade').credential,
      undiciTransport(s.baseUrl(exchange), 5_000),
      ctxFor(s, exchange),
    );
    expect(result).toEqual({ cancelled: 5, failed: [] });
    expect(s.engine.openOrders('main')).toHaveLength(0);
    expect(s.engine.closedOrders('main').filter((o) => o.status === 'filled')).toHaveLength(1);
    const seen = new Set(s.log.map((l) => `${l.method} ${l.path}`));
    for (const endpoint of ENDPOINTS(exchange)) expect(seen).toContain(endpoint);
    expect(s.log.every((l) => l.status === 200)).toBe(true);
  });

  it('answers zero when nothing is open', async () => {
    const { sandbox: s, key } = await start(exchange);
    const result = await cancelAll?.(
      key('trade').credential,
      undiciTransport(s.baseUrl(exchange), 5_000),
      ctxFor(s, exchange),
    );
    expect(result).toEqual({ cancelled: 0, failed: [] });
  });

  it('reports a key the exchange refuses as failures and leaves the orders open', async () => {
    const { sandbox: s, key } = await start(exchange);
    placeLimits(s, QUOTE(exchange), 2);
    // Binance, OKX and Coinbase list first: a read-only key lists but cannot cancel. Kraken and
    // Bybit refuse the single cancel-all call.
    const result = await cancelAll?.(
      key('read').credential,
      undiciTransport(s.baseUrl(exchange), 5_000),
      ctxFor(s, exchange),
    );
    expect(result?.cancelled).toBe(0);
    expect(result?.failed.length).toBeGreaterThan(0);
    for (const f of result?.failed ?? []) expect(f.reason.length).toBeGreaterThan(0);
    expect(s.engine.openOrders('main')).toHaveLength(2);
  });
});

describe('paging', () => {
  it.each(['okx', 'coinbase', 'binance'] as const)(
    '%s cancels more orders than one page or batch holds',
    async (exchange) => {
      const { sandbox: s, key } = await start(exchange);
      placeLimits(s, QUOTE(exchange), 130);
      const result = await adapterFor(exchange).cancelAllOrders?.(
        key('trade').credential,
        undiciTransport(s.baseUrl(exchange), 5_000),
        ctxFor(s, exchange),
      );
      expect(result).toEqual({ cancelled: 130, failed: [] });
      expect(s.engine.openOrders('main')).toHaveLength(0);
      if (exchange === 'okx') {
        // 100 per listed page, 20 per cancel batch: two listings with orders, one empty.
        expect(s.log.filter((l) => l.path === '/api/v5/trade/orders-pending')).toHaveLength(3);
        expect(s.log.filter((l) => l.path === '/api/v5/trade/cancel-batch-orders')).toHaveLength(7);
      }
      if (exchange === 'coinbase')
        expect(s.log.filter((l) => l.path === '/api/v3/brokerage/orders/batch_cancel')).toHaveLength(2);
    },
  );
});

describe('kraken nonce from another process', () => {
  const kraken = adapterFor('kraken');
  const T = 1_900_000_000_000;

  /** The gateway (another process) has signed with the nonce of time `at`. */
  async function gatewaySigned(s: Sandbox, key: SandboxKey, at: number): Promise<void> {
    const signed = kraken.sign(
      { method: 'POST', path: '/0/private/Balance', query: '', headers: {}, body: '' },
      key.credential,
      { clock: { now: Date.now }, nonce: createNonceSource(() => at), baseUrl: s.baseUrl('kraken') },
    );
    expect((await undiciTransport(s.baseUrl('kraken'), 5_000)(signed)).status).toBe(200);
  }

  /** This process's nonce clock: starts at T and moves 600 ms per nonce taken (no wall-clock timing). */
  function steppingCtx(s: Sandbox): SignContext {
    let t = T - 600;
    return {
      clock: { now: Date.now },
      nonce: createNonceSource(() => {
        t += 600;
        return t;
      }),
      baseUrl: s.baseUrl('kraken'),
    };
  }

  it('retries CancelAll when Kraken refuses the nonce, and succeeds once it is above', async () => {
    const { sandbox: s, key } = await start('kraken');
    placeLimits(s, 'USD', 2);
    await gatewaySigned(s, key('trade'), T + 1_000);
    const result = await kraken.cancelAllOrders?.(
      key('trade').credential,
      undiciTransport(s.baseUrl('kraken'), 5_000),
      steppingCtx(s),
    );
    expect(result).toEqual({ cancelled: 2, failed: [] });
    // T and T+600 were refused, T+1200 accepted.
    expect(s.log.filter((l) => l.path === '/0/private/CancelAll').map((l) => l.status)).toHaveLength(3);
    expect(s.engine.openOrders('main')).toHaveLength(0);
  });

  it('gives up after a few tries and reports the refusal', async () => {
    const { sandbox: s, key } = await start('kraken');
    placeLimits(s, 'USD', 1);
    await gatewaySigned(s, key('trade'), T + 600_000);
    const result = await kraken.cancelAllOrders?.(
      key('trade').credential,
      undiciTransport(s.baseUrl('kraken'), 5_000),
      steppingCtx(s),
    );
    expect(result?.cancelled).toBe(0);
    expect(result?.failed[0]?.reason).toMatch(/EAPI:Invalid nonce/);
    expect(s.log.filter((l) => l.path === '/0/private/CancelAll')).toHaveLength(3);
    expect(s.engine.openOrders('main')).toHaveLength(1);
  });
});
