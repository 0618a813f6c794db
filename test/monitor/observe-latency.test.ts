import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/monitor/metrics.js';
import { createMonitorFromConfig } from '../../src/monitor/monitor.js';
import { monitorConfigSchema } from '../../src/monitor/monitor-config.js';
import type { Monitor, RequestEvent } from '../../src/monitor/monitor-types.js';
import { req, T0 } from './fixtures.js';
import { startReceiver } from './receiver.js';

const N = 2000;

/** Every event raises a fresh alert (distinct client → distinct dedup key), the worst case for the sinks. */
function events(tag: string): RequestEvent[] {
  return Array.from({ length: N }, (_, i) =>
    req(T0 + i, { client: `${tag}-${i}`, decision: 'deny', code: 'policy_denied', message: 'no' }),
  );
}

/** Time each observe() call; between batches yield to the event loop so the sink worker really runs alongside. */
async function timeObserve(
  monitor: Monitor,
  list: RequestEvent[],
): Promise<{ median: number; total: number }> {
  const times: number[] = [];
  for (let i = 0; i < list.length; i++) {
    const e = list[i];
    if (!e) continue;
    const t = process.hrtime.bigint();
    monitor.observe(e);
    times.push(Number(process.hrtime.bigint() - t));
    if (i % 100 === 99) await new Promise((r) => setImmediate(r));
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)] ?? 0, total: times.reduce((a, b) => a + b, 0) };
}

describe('observe() with a failing sink', () => {
  let hanging: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    hanging = await startReceiver((r, res) => {
      if (r.path === '/500') res.writeHead(500).end();
      // any other path: never answer
    });
  });
  afterAll(() => hanging.close());

  it('costs about the same with a hanging and a 500 sink as with no sink at all', async () => {
    const delivery = {
      groupWaitMs: 0,
      timeoutMs: 500,
      maxAttempts: 3,
      backoffBaseMs: 50,
      queueSize: 200,
      minSeverity: 'info',
    };
    const withSinks = monitorConfigSchema.parse({
      sinks: [
        {
          type: 'webhook',
          name: 'hang',
          url: `${hanging.url}/hang`,
          secret: 'whsec_0123456789abcdef',
          ...delivery,
        },
        { type: 'slack', name: 'err', url: `${hanging.url}/500`, ...delivery },
      ],
    });
    const clock = { now: () => T0 };
    const none = createMonitorFromConfig(monitorConfigSchema.parse({}), { clock, metrics: createMetrics() });
    const metrics = createMetrics();
    const failing = createMonitorFromConfig(withSinks, { clock, metrics });

    // Warm up the JIT on both paths, then measure alternately to share any machine noise.
    await timeObserve(none, events('warm-a').slice(0, 500));
    await timeObserve(failing, events('warm-b').slice(0, 500));
    const baseline = await timeObserve(none, events('base'));
    const measured = await timeObserve(failing, events('fail'));

    // Margin: a generous constant factor for the map/array work of queuing, far below one network round trip.
    expect(measured.median).toBeLessThan(baseline.median * 3 + 20_000);
    expect(measured.total).toBeLessThan(baseline.total * 3 + 20_000_000);

    const dropped = await metrics.registry.getSingleMetric('keywarden_alert_deliveries_total')?.get();
    const droppedTotal =
      dropped?.values.filter((v) => v.labels.outcome === 'dropped').reduce((n, v) => n + v.value, 0) ?? 0;
    expect(droppedTotal).toBeGreaterThan(0);
    await none.close();
    // Do not wait for hundreds of timeouts: the point was observe(), not delivery.
    void failing.close();
  });
});
