/**
 * Per-client and per-IP rate limits shared through Redis (rateLimit.store): three gateways on
 * one store and one Redis hold a client to one limit between them; the in-memory store (the
 * control) gives it the limit once per gateway. A Redis that does not answer fails closed by
 * default (503 in the exchange's shape, `rate_limit_unavailable`, an alert, not ready) and open
 * when configured. Skipped when no Redis listens on 127.0.0.1:6379 (the address is fixed).
 */
import { randomUUID } from 'node:crypto';
import { connect, createServer } from 'node:net';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { buildGatewayStack, type GatewayStack } from '../../src/gateway/compose.js';
import { createRedisRateLimitStore } from '../../src/gateway/redis-rate-limit.js';
import { storeBackedState } from '../../src/gateway/store-state.js';
import { type Harness, startHarness } from './harness.js';

const REDIS = 'redis://127.0.0.1:6379';
const redisUp = await new Promise<boolean>((resolve) => {
  const s = connect(6379, '127.0.0.1');
  s.once('connect', () => {
    s.destroy();
    resolve(true);
  });
  s.once('error', () => resolve(false));
});

/** A port nothing listens on: bound, then closed. */
const closedPort = await new Promise<number>((resolve) => {
  const srv = createServer();
  srv.listen(0, '127.0.0.1', () => {
    const address = srv.address();
    srv.close(() => resolve(typeof address === 'object' && address ? address.port : 1));
  });
});

const prefix = () => `kw_shl_${randomUUID()}:`;
const opened: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
  for (const o of opened.reverse()) await o.close();
});

/** The harness's gateway and `extra` more over the same store, vault, keys and audit log (other instances). */
async function gateways(h: Harness, extra: number): Promise<string[]> {
  const urls = [h.url];
  for (let i = 0; i < extra; i++) {
    const stack: GatewayStack = buildGatewayStack({
      config: h.config,
      vault: h.vault,
      keys: h.keys,
      clients: h.clients,
      audit: h.audit,
      ...storeBackedState(h.store.sqlite),
    });
    opened.push(stack);
    urls.push(await stack.listen('127.0.0.1', 0));
  }
  return urls;
}

async function get(url: string, token: string) {
  const r = await request(`${url}/binance/api/v3/account`, { headers: { authorization: `Bearer ${token}` } });
  return { status: r.statusCode, body: await r.body.text() };
}

/** 45 requests at once, round robin over the gateways: how many were admitted, and in how long. */
async function burst(
  urls: string[],
  token: string,
): Promise<{ admitted: number; limited: number; seconds: number }> {
  const started = Date.now();
  const answers = await Promise.all(
    Array.from({ length: 45 }, (_, i) => get(urls[i % urls.length] ?? '', token)),
  );
  return {
    admitted: answers.filter((a) => a.status === 200).length,
    limited: answers.filter((a) => a.status === 429).length,
    seconds: (Date.now() - started) / 1000,
  };
}

const LIMIT = { perSecond: 1, burst: 10 };

describe.skipIf(!redisUp)('per-client rate limits shared through Redis', () => {
  it('two Redis stores (two instances) take from one bucket, atomically; a lagging clock refills nothing', async () => {
    const p = prefix();
    const [a, b] = [1, 2].map(() => createRedisRateLimitStore({ url: REDIS, timeoutMs: 250, prefix: p }));
    if (!a || !b) throw new Error('unreachable');
    opened.push(a, b);
    await Promise.all([a.ready(), b.ready()]);
    const t = 1_800_000_000_000;
    const takes = await Promise.all(
      Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).take('client-1', 5, 10, 1, t)),
    );
    expect(takes.filter(Boolean)).toHaveLength(10);
    // One second later, 5 tokens back, whichever instance asks.
    const later = await Promise.all(Array.from({ length: 8 }, () => b.take('client-1', 5, 10, 1, t + 1_000)));
    expect(later.filter(Boolean)).toHaveLength(5);
    // An instance whose clock is 5 s behind does not un-spend anything.
    expect(await a.take('client-1', 5, 10, 1, t - 5_000)).toBe(false);
    // A cost above the burst never fits; another key has its own bucket.
    expect(await a.take('client-2', 5, 10, 11, t)).toBe(false);
    expect(await a.take('client-2', 5, 10, 10, t)).toBe(true);
  });

  it('three gateways sharing Redis admit at most limit + burst of one client between them', async () => {
    const h = await startHarness({
      exchanges: ['binance'],
      config: { rateLimit: { ...LIMIT, store: { url: REDIS, prefix: prefix() } } },
    });
    opened.push(h);
    const urls = await gateways(h, 2);
    const { token } = await h.issue('binance', 'shared-bot');
    const r = await burst(urls, token);
    expect(r.admitted).toBeGreaterThan(0);
    expect(r.admitted).toBeLessThanOrEqual(LIMIT.burst + Math.ceil(r.seconds * LIMIT.perSecond) + 1);
    expect(r.admitted + r.limited).toBe(45);
    const ready = await request(`${urls[1]}/readyz`);
    expect(ready.statusCode).toBe(200);
    expect(await ready.body.json()).toMatchObject({ status: 'ready', redis: true });
  });

  it('the per-IP bucket (before authentication) is shared the same way', async () => {
    const h = await startHarness({
      exchanges: ['binance'],
      config: {
        rateLimit: {
          perSecond: 0,
          perIpPerSecond: 1,
          perIpBurst: 10,
          store: { url: REDIS, prefix: prefix() },
        },
      },
    });
    opened.push(h);
    const urls = await gateways(h, 2);
    const { token } = await h.issue('binance', 'ip-bot', { ratePerSecond: 0 });
    const r = await burst(urls, token);
    expect(r.admitted).toBeGreaterThan(0);
    expect(r.admitted).toBeLessThanOrEqual(10 + Math.ceil(r.seconds) + 1);
  });

  it('control: with the in-memory store each of the three gateways admits its own burst', async () => {
    const h = await startHarness({ exchanges: ['binance'], config: { rateLimit: LIMIT } });
    opened.push(h);
    const urls = await gateways(h, 2);
    const { token } = await h.issue('binance', 'local-bot');
    const r = await burst(urls, token);
    expect(r.admitted).toBeGreaterThanOrEqual(3 * LIMIT.burst);
    const ready = await request(`${urls[0]}/readyz`);
    expect(await ready.body.json()).not.toHaveProperty('redis');
  });
});

describe('a rate-limit Redis that does not answer', () => {
  it('fails closed by default: 503 in the exchange shape, an alert, and not ready', async () => {
    const h = await startHarness({
      exchanges: ['binance'],
      monitor: {},
      config: { rateLimit: { store: { url: `redis://127.0.0.1:${closedPort}`, prefix: prefix() } } },
    });
    opened.push(h);
    const { token } = await h.issue('binance', 'closed-bot');
    const before = h.sandbox.log.length;
    const r = await get(h.url, token);
    expect(r.status).toBe(503);
    expect(JSON.parse(r.body)).toMatchObject({ code: -1001 });
    expect(r.body).toContain('rate-limit store did not answer');
    expect(h.sandbox.log.length).toBe(before);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(h.audit.records.some((x) => x.kind === 'alert' && x.rule === 'redis.unavailable')).toBe(true);
    const ready = await request(`${h.url}/readyz`);
    expect(ready.statusCode).toBe(503);
    expect(await ready.body.json()).toMatchObject({ status: 'not ready', redis: false, store: true });
  });

  it('the rate-budget Redis likewise: refused (rate_budget_unavailable), the same alert, not ready', async () => {
    const h = await startHarness({
      exchanges: ['binance'],
      monitor: {},
      config: { rateBudgets: { store: { url: `redis://127.0.0.1:${closedPort}`, prefix: prefix() } } },
    });
    opened.push(h);
    const { token } = await h.issue('binance', 'budget-bot');
    const r = await get(h.url, token);
    expect(r.status).toBe(503);
    expect(r.body).toContain('Rate budget store unavailable');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(h.audit.records.some((x) => x.kind === 'alert' && x.rule === 'redis.unavailable')).toBe(true);
    const ready = await request(`${h.url}/readyz`);
    expect(ready.statusCode).toBe(503);
    expect(await ready.body.json()).toMatchObject({ status: 'not ready', redis: false });
  });

  it('with onError: open the request passes without the limit; still reported, still ready', async () => {
    const h = await startHarness({
      exchanges: ['binance'],
      config: {
        rateLimit: { store: { url: `redis://127.0.0.1:${closedPort}`, onError: 'open', prefix: prefix() } },
      },
    });
    opened.push(h);
    const { token } = await h.issue('binance', 'open-bot');
    expect((await get(h.url, token)).status).toBe(200);
    const ready = await request(`${h.url}/readyz`);
    expect(ready.statusCode).toBe(200);
    expect(await ready.body.json()).toMatchObject({ status: 'ready', redis: false });
  });
});
