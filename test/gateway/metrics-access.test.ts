/**
 * Who may read GET /metrics: by default only the loopback peer (never on the word of
 * X-Forwarded-For); with `access: token` only a bearer of the token from the environment;
 * with `access: open` anyone who reaches the listener. A token mode without its token refuses
 * to start rather than serve metrics to everyone.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Harness, startHarness } from './harness.js';

// The token comparison must go through safeEqual (constant time), not `===`.
const compared = vi.hoisted(() => [] as string[]);
vi.mock('../../src/core/safe-equal.js', async (original) => {
  const real = await original<typeof import('../../src/core/safe-equal.js')>();
  return {
    safeEqual: (a: string | Buffer, b: string | Buffer) => {
      compared.push(String(a), String(b));
      return real.safeEqual(a, b);
    },
  };
});

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const scrape = (harness: Harness, from: string, headers: Record<string, string> = {}) =>
  harness.server.app.inject({ method: 'GET', url: '/metrics', remoteAddress: from, headers });

describe('GET /metrics access', () => {
  it('by default serves the loopback peer only, whatever X-Forwarded-For says', async () => {
    h = await startHarness({
      exchanges: ['binance'],
      monitor: {},
      config: { server: { trustedProxies: ['127.0.0.1/32'] } },
    });
    expect((await scrape(h, '127.0.0.1')).statusCode).toBe(200);
    expect((await scrape(h, '::1')).statusCode).toBe(200);
    const remote = await scrape(h, '10.0.0.9');
    expect(remote.statusCode).toBe(403);
    expect(remote.json()).toMatchObject({ error: 'metrics_loopback_only' });
    expect(remote.body).not.toContain('keywarden_');
    // A proxy on this machine would make every scrape local: forwarded requests are refused.
    expect((await scrape(h, '127.0.0.1', { 'x-forwarded-for': '127.0.0.1' })).statusCode).toBe(403);
    for (const header of ['forwarded', 'x-real-ip', 'via', 'x-forwarded-host'])
      expect((await scrape(h, '127.0.0.1', { [header]: 'for=127.0.0.1' })).statusCode, header).toBe(403);
  });

  it('with access "token" serves only the bearer of the token, from any address', async () => {
    const token = randomBytes(24).toString('hex');
    h = await startHarness({
      exchanges: ['binance'],
      monitor: { env: { KW_METRICS_TOKEN: token } },
      config: { server: { metrics: { access: 'token', tokenEnv: 'KW_METRICS_TOKEN' } } },
    });
    const anonymous = await scrape(h, '10.0.0.9');
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toMatchObject({ error: 'metrics_token_required' });
    expect((await scrape(h, '127.0.0.1', { authorization: `Bearer ${token}x` })).statusCode).toBe(401);
    expect(compared).toContain(`${token}x`);
    expect((await scrape(h, '127.0.0.1', { authorization: 'Basic abc' })).statusCode).toBe(401);
    const ok = await scrape(h, '10.0.0.9', { authorization: `Bearer ${token}` });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('keywarden_');
  });

  it('with access "token" and no token in the environment, refuses to start', async () => {
    await expect(
      startHarness({
        exchanges: ['binance'],
        monitor: { env: {} },
        config: { server: { metrics: { access: 'token', tokenEnv: 'KW_METRICS_TOKEN' } } },
      }),
    ).rejects.toThrow(/KW_METRICS_TOKEN is unset/);
  });

  it('with access "open" serves anyone who reaches the listener', async () => {
    h = await startHarness({
      exchanges: ['binance'],
      monitor: {},
      config: { server: { metrics: { access: 'open' } } },
    });
    expect((await scrape(h, '203.0.113.7')).statusCode).toBe(200);
  });

  it('rejects a token mode without tokenEnv in the config', async () => {
    await expect(
      startHarness({ exchanges: ['binance'], config: { server: { metrics: { access: 'token' } } } }),
    ).rejects.toThrow(/tokenEnv/);
  });
});
