/**
 * Kraken and Coinbase (no WebSocket order entry: orders go over REST through the gateway) keep
 * their CCXT Pro stream through a key rotation and an exchange-forced close: the upstream is
 * re-opened with the key's current credential (Kraken: a fresh real token fetched with the new
 * key; Coinbase: a new JWT per subscribe), the subscriptions are given again, the client's socket
 * stays open and the events of orders placed after it still arrive (src/gateway/ws/ws-resume.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ExchangeId } from '../../src/core/index.js';
import type { Policy } from '../../src/policy/policy-types.js';
import { type Harness, startHarness } from '../gateway/harness.js';
import { ccxtPro } from './ws-e2e.js';
import { openConnections, rotateTo, sandboxKey, seenOrder, until } from './ws-resume-e2e.js';

const POLICY: Policy = {
  mode: 'enforce',
  actions: ['public', 'read', 'trade', 'cancel'],
  symbols: { allow: ['BTC/USD'] },
  maxOrderNotional: 1000,
};

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ exchanges: ['kraken', 'coinbase'] });
}, 60_000);
afterAll(() => h.close());

let n = 0;

describe.each(['kraken', 'coinbase'] as const)(
  '%s: the upstream is re-opened under the client',
  (exchange: ExchangeId) => {
    async function setup() {
      const issued = await h.issue(exchange, `rr-${++n}`, { policy: POLICY });
      const ex = ccxtPro(exchange, h.url, issued.credential);
      const rest = await h.ccxt(exchange, issued.credential);
      await ex.loadHttpProxyAgent();
      await ex.loadMarkets();
      rest.setMarkets(ex.markets, ex.currencies);
      if (exchange === 'kraken') {
        await ex.authenticate();
        // Balances answer with their snapshot; executions may have none: subscribed, not awaited.
        await ex.watchBalance();
        ex.watchOrders().catch(() => undefined);
        await new Promise((r) => setTimeout(r, 300));
      } else {
        // The first answer is the snapshot of open orders.
        await ex.watchOrders();
      }
      return { issued, ex, rest };
    }
    // biome-ignore lint/suspicious/noExplicitAny: CCXT's classes are untyped here
    async function placeAndSee(ex: any, rest: any, price: number): Promise<void> {
      let id: string | undefined;
      const seen = seenOrder(
        () => ex.watchOrders(),
        () => id,
      );
      await new Promise((r) => setTimeout(r, 200));
      id = (await rest.createOrder('BTC/USD', 'limit', 'buy', 0.001, price)).id;
      await seen;
    }
    // biome-ignore lint/suspicious/noExplicitAny: as above
    const sockets = (ex: any): WebSocket[] =>
      Object.values(ex.clients as Record<string, { connection: WebSocket }>)
        .map((c) => c.connection)
        // Clients CCXT made but never connected (a public URL) have none.
        .filter((c) => c !== undefined);
    const records = (clientId: string, action: string) =>
      h.audit.records.filter((r) => r.clientId === clientId && r.action === action);

    it('a key rotation re-subscribes the upstream with the new key; orders after it still arrive', async () => {
      const { issued, ex, rest } = await setup();
      try {
        const oldKey = sandboxKey(h, exchange, 'full').credential.apiKey;
        const newKey = sandboxKey(h, exchange, 'trade').credential.apiKey;
        const before = openConnections(h, exchange);
        expect(before.map((c) => c.apiKey)).toEqual([oldKey]);
        const held = sockets(ex);
        await rotateTo(h, exchange, 'trade');
        await until(
          'the upstream re-subscribed with the new key',
          () =>
            before.every((c) => c.closedAt !== undefined) &&
            openConnections(h, exchange).some((c) => c.apiKey === newKey && c.apiKeys.length === 1),
        );
        await placeAndSee(ex, rest, 50_000);
        expect(held.every((s) => s.readyState === WebSocket.OPEN)).toBe(true);
        expect(sockets(ex)).toEqual(held);
        expect(records(issued.client.id, 'ws-close')).toEqual([]);
        expect(records(issued.client.id, 'ws-resume')[0]?.detail).toMatchObject({ reason: 'key_rotated' });
        const all = JSON.stringify([h.sandbox.log, h.audit.records]);
        for (const name of ['full', 'trade'])
          expect(all).not.toContain(sandboxKey(h, exchange, name).credential.secret);
      } finally {
        await ex.close();
      }
    }, 60_000);

    it('the exchange closing the upstream is invisible to the client', async () => {
      const { issued, ex, rest } = await setup();
      try {
        const before = openConnections(h, exchange);
        const held = sockets(ex);
        h.sandbox.ws.drop({ exchange });
        await until(
          'the upstream re-opened',
          () =>
            before.every((c) => c.closedAt !== undefined) &&
            openConnections(h, exchange).some((c) => c.apiKey !== undefined),
        );
        await placeAndSee(ex, rest, 49_000);
        expect(held.every((s) => s.readyState === WebSocket.OPEN)).toBe(true);
        expect(records(issued.client.id, 'ws-close')).toEqual([]);
        expect(records(issued.client.id, 'ws-resume').map((r) => r.detail?.reason)).toContain(
          'upstream_gone',
        );
      } finally {
        await ex.close();
      }
    }, 60_000);
  },
);
