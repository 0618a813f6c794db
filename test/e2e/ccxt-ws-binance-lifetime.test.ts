/**
 * Binance closes a WebSocket API connection after 24 h, announcing it with `serverShutdown`. With
 * the sandbox's lifetime shortened to 1.5 s, an unmodified CCXT Pro client watching its orders
 * for several lifetimes keeps its one socket: each notice makes keywarden re-open the upstream
 * (re-subscribed, before the exchange closes the old one), and every order placed meanwhile
 * reaches the client (src/gateway/ws/ws-resume.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type Harness, startHarness } from '../gateway/harness.js';
import { ccxtPro, WS_E2E_POLICY } from './ws-e2e.js';
import { connections, seenOrder } from './ws-resume-e2e.js';

const LIFETIME_MS = 1_500;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ exchanges: ['binance'], sandboxWsLifetimeMs: LIFETIME_MS });
}, 60_000);
afterAll(() => h.close());

describe("Binance's connection lifetime", () => {
  it('the client keeps its socket over several upstream lifetimes and gets every order', async () => {
    const issued = await h.issue('binance', 'lifetime', { policy: WS_E2E_POLICY });
    const ex = ccxtPro('binance', h.url, issued.credential);
    try {
      await ex.loadHttpProxyAgent();
      await ex.loadMarkets();
      await ex.authenticate();
      const started = Date.now();
      const held: WebSocket[] = [];
      let price = 59_000;
      while (Date.now() - started < LIFETIME_MS * 3.5) {
        let id: string | undefined;
        const seen = seenOrder(
          () => ex.watchOrders('BTC/USDT'),
          () => id,
        );
        id = (await ex.createOrderWs('BTC/USDT', 'limit', 'buy', 0.001, price--)).id;
        await seen;
        if (held.length === 0)
          held.push(
            ...Object.values(ex.clients as Record<string, { connection: WebSocket }>).map(
              (c) => c.connection,
            ),
          );
        await new Promise((r) => setTimeout(r, 400));
      }
      expect(held.every((s) => s.readyState === WebSocket.OPEN)).toBe(true);
      expect(
        Object.values(ex.clients as Record<string, { connection: WebSocket }>).map((c) => c.connection),
      ).toEqual(held);
      const mine = h.audit.records.filter((r) => r.clientId === issued.client.id);
      const reasons = mine.filter((r) => r.action === 'ws-resume').map((r) => r.detail?.reason);
      expect(reasons.length).toBeGreaterThanOrEqual(2);
      // Announced closes are resumed ahead of the close, never as a loss.
      expect(new Set(reasons)).toEqual(new Set(['exchange_shutdown']));
      expect(mine.filter((r) => r.action === 'ws-close' || r.action === 'ws-resume-failed')).toEqual([]);
      expect(connections(h, 'binance').length).toBeGreaterThanOrEqual(3);
    } finally {
      await ex.close();
    }
  }, 60_000);
});
