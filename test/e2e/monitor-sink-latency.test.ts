/**
 * A sink that hangs and a sink that answers 500 must not slow the gateway. Two gateways run
 * side by side in this test: one whose monitor has no sink (the baseline) and one whose every
 * alert goes to a webhook that never answers and to one that always fails. The same traffic —
 * every other request raising a fresh critical alert (a new source IP outside the allow-list),
 * the rest allowed reads forwarded to the sandbox — is sent to both, interleaved, and the
 * latency distributions are compared as ratios (no wall-clock deadline).
 */
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Policy } from '../../src/policy/policy-types.js';
import { type Harness, startHarness } from '../gateway/harness.js';
import { startReceiver } from '../monitor/receiver.js';
import { call, HOOK_ENV, webhookSink } from './monitor-support.js';

const ROUNDS = 150;
const POLICY: Policy = { mode: 'enforce', actions: ['public', 'read', 'trade', 'cancel'] };

let baseline: Harness;
let failing: Harness;
let dead: Awaited<ReturnType<typeof startReceiver>>;
const tokens = new Map<Harness, string>();

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
}

beforeAll(async () => {
  // /hang never answers; /500 always fails (retried, then given up).
  dead = await startReceiver((r, res) => {
    if (r.path.endsWith('/500')) res.writeHead(500).end('down');
  });
  const common = {
    exchanges: ['binance' as const],
    monitor: { env: HOOK_ENV },
  };
  const config = (sinks: unknown[]) => ({
    server: { trustedProxies: ['127.0.0.1/32'] },
    rateLimit: { perSecond: 0, burst: 1 },
    monitor: { sinks },
  });
  baseline = await startHarness({ ...common, config: config([]) });
  failing = await startHarness({
    ...common,
    config: config([
      webhookSink(`${dead.url}/hang`, { name: 'hang', timeoutMs: 300, maxAttempts: 2, queueSize: 5 }),
      webhookSink(`${dead.url}/500`, {
        name: 'fail500',
        timeoutMs: 300,
        maxAttempts: 3,
        backoffBaseMs: 20,
        queueSize: 5,
      }),
    ]),
  });
  for (const h of [baseline, failing])
    tokens.set(
      h,
      (await h.issue('binance', 'latency-bot', { policy: POLICY, ipAllow: ['10.0.0.0/24'] })).token,
    );
}, 60_000);

afterAll(async () => {
  await baseline?.close();
  await failing?.close();
  await dead?.close();
});

async function timed(h: Harness, round: number): Promise<number[]> {
  const token = tokens.get(h) ?? '';
  const t0 = performance.now();
  const denied = await call(h, 'binance', 'GET', '/api/v3/account', {
    token,
    ip: `198.18.${round >> 8}.${round & 255}`,
  });
  const t1 = performance.now();
  const allowed = await call(h, 'binance', 'GET', '/api/v3/account', { token, ip: '10.0.0.5' });
  const t2 = performance.now();
  expect(denied.code).toBe('ip_not_allowed');
  expect(allowed.status).toBe(200);
  return [t1 - t0, t2 - t1];
}

describe('failing alert sinks do not slow the gateway', () => {
  it('request latency with a hanging and a 500 sink stays within a margin of the no-sink baseline', async () => {
    // Warm both (connection pools, JIT, caches) before measuring.
    for (let i = 0; i < 20; i++) {
      await timed(baseline, 60_000 + i);
      await timed(failing, 60_000 + i);
    }
    const base: number[] = [];
    const withSinks: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      // Alternate who goes first so drift on a shared machine hits both alike.
      if (i % 2 === 0) {
        base.push(...(await timed(baseline, i)));
        withSinks.push(...(await timed(failing, i)));
      } else {
        withSinks.push(...(await timed(failing, i)));
        base.push(...(await timed(baseline, i)));
      }
    }
    base.sort((a, b) => a - b);
    withSinks.sort((a, b) => a - b);
    const ratio = {
      median: percentile(withSinks, 0.5) / percentile(base, 0.5),
      p90: percentile(withSinks, 0.9) / percentile(base, 0.9),
    };
    // A gateway waiting on a sink would pay its 300 ms timeout: ratios of ~100, not ~1.
    expect(ratio.median, JSON.stringify(ratio)).toBeLessThan(2);
    expect(ratio.p90, JSON.stringify(ratio)).toBeLessThan(3);

    // The sinks really were in trouble meanwhile: the hanging one was tried, the 500 one retried,
    // and the bounded queues overflowed (dropped and counted) instead of growing.
    expect(dead.received.some((r) => r.path.endsWith('/hang'))).toBe(true);
    expect(dead.received.filter((r) => r.path.endsWith('/500')).length).toBeGreaterThan(1);
    const metrics = await failing.monitor?.metrics.render();
    expect(metrics).toMatch(/keywarden_alert_deliveries_total\{sink="webhook",outcome="dropped"\} [1-9]/);
    expect(metrics).toMatch(/keywarden_alert_deliveries_total\{sink="webhook",outcome="retry"\} [1-9]/);
    expect(metrics).toMatch(
      /keywarden_alerts_total\{rule="request.ip_not_allowed",severity="critical"\} [1-9]/,
    );
  }, 120_000);
});
