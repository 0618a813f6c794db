import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../src/monitor/dispatcher.js';
import { createMetrics } from '../../src/monitor/metrics.js';
import type { Alert } from '../../src/monitor/monitor-types.js';
import type { ConfiguredSink, DeliveryOptions } from '../../src/monitor/sinks/build.js';
import { slackSink } from '../../src/monitor/sinks/slack.js';
import { webhookSink } from '../../src/monitor/sinks/webhook.js';
import { T0 } from './fixtures.js';
import { startReceiver } from './receiver.js';

const base: DeliveryOptions = {
  minSeverity: 'info',
  groupWaitMs: 0,
  throttleWindowSeconds: 60,
  maxAttempts: 3,
  backoffBaseMs: 20,
  backoffMaxMs: 100,
  timeoutMs: 1000,
  queueSize: 100,
};

function alert(over: Partial<Alert> = {}): Alert {
  return {
    id: 'alr_1',
    at: T0,
    rule: 'request.denied',
    severity: 'warning',
    title: 'Request denied for bot-a',
    message: 'trade request binance POST /api/v3/order denied by symbols.allow',
    client: 'bot-a',
    dedupKey: 'request.denied:bot-a:symbols.allow',
    ...over,
  };
}

async function deliveryCount(metrics: ReturnType<typeof createMetrics>, outcome: string): Promise<number> {
  const metric = await metrics.registry.getSingleMetric('keywarden_alert_deliveries_total')?.get();
  return metric?.values.filter((v) => v.labels.outcome === outcome).reduce((n, v) => n + v.value, 0) ?? 0;
}

describe('alert dispatcher', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(() => receiver.close());

  function slack(path: string, options: Partial<DeliveryOptions> = {}): ConfiguredSink {
    return {
      sink: slackSink({ name: path, url: `${receiver.url}/${path}` }),
      options: { ...base, ...options },
    };
  }
  const hits = (path: string) => receiver.received.filter((r) => r.path === `/${path}`);

  it('folds 100 identical alerts inside the group wait into one message carrying the count', async () => {
    const metrics = createMetrics();
    const d = createDispatcher([slack('storm', { groupWaitMs: 200 })], { clock: { now: () => T0 }, metrics });
    for (let i = 0; i < 100; i++) d.submit(alert());
    await new Promise((r) => setTimeout(r, 400));
    await d.flush();
    expect(hits('storm')).toHaveLength(1);
    const body = JSON.parse(hits('storm')[0]?.body ?? '');
    expect(body.text).toBe('[WARNING] Request denied for bot-a (×100)');
    expect(body.blocks[1].text.text).toContain('100 identical alerts between');
    await d.close();
    expect(hits('storm')).toHaveLength(1);
    expect(await deliveryCount(metrics, 'ok')).toBe(1);
  });

  it('sends repeats after the first message as one summary per throttle window, and distinct keys separately', async () => {
    const d = createDispatcher([slack('window', { throttleWindowSeconds: 1 })], { clock: { now: () => T0 } });
    d.submit(alert());
    await new Promise((r) => setTimeout(r, 100));
    for (let i = 0; i < 5; i++) d.submit(alert());
    d.submit(alert({ dedupKey: 'other-key', title: 'Other' }));
    await new Promise((r) => setTimeout(r, 100));
    expect(hits('window').map((h) => JSON.parse(h.body).text)).toEqual([
      '[WARNING] Request denied for bot-a',
      '[WARNING] Other',
    ]);
    await new Promise((r) => setTimeout(r, 1100));
    expect(hits('window').map((h) => JSON.parse(h.body).text)).toEqual([
      '[WARNING] Request denied for bot-a',
      '[WARNING] Other',
      '[WARNING] Request denied for bot-a (×5)',
    ]);
    await d.close();
    expect(hits('window')).toHaveLength(3);
  });

  it('retries a sink answering 500 with backoff and stops after the bounded attempts', async () => {
    receiver.respondWith((r, res) =>
      r.path === '/fail500' ? res.writeHead(500).end('boom') : res.writeHead(200).end('ok'),
    );
    const metrics = createMetrics();
    const errors: string[] = [];
    const d = createDispatcher([slack('fail500', { maxAttempts: 3, backoffBaseMs: 30 })], {
      clock: { now: () => T0 },
      metrics,
      random: () => 1,
      onDeliveryError: (_n, m) => errors.push(m),
    });
    const started = Date.now();
    d.submit(alert());
    await d.flush();
    const elapsed = Date.now() - started;
    expect(hits('fail500')).toHaveLength(3);
    expect(errors).toEqual(['fail500: HTTP 500 (after 3 attempt(s))']);
    expect(await deliveryCount(metrics, 'retry')).toBe(2);
    expect(await deliveryCount(metrics, 'failed')).toBe(1);
    // Backoff 30 ms then 60 ms (jitter pinned to its maximum).
    expect(elapsed).toBeGreaterThanOrEqual(85);
    await new Promise((r) => setTimeout(r, 200));
    expect(hits('fail500')).toHaveLength(3);
    await d.close();
  });

  it('waits at least the Retry-After of a 429 before trying again (capped by backoffMaxMs)', async () => {
    let calls = 0;
    receiver.respondWith((r, res) => {
      if (r.path !== '/limited') return res.writeHead(200).end('ok');
      calls += 1;
      if (calls === 1) res.writeHead(429, { 'retry-after': '0.3' }).end('slow down');
      else res.writeHead(200).end('ok');
    });
    const d = createDispatcher([slack('limited', { backoffBaseMs: 1, backoffMaxMs: 5000 })], {
      clock: { now: () => T0 },
    });
    d.submit(alert());
    await d.flush();
    const [first, second] = hits('limited');
    expect(second).toBeDefined();
    expect(calls).toBe(2);
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(280);
    await d.close();
  });

  it('does not retry a request the endpoint rejects as malformed (4xx)', async () => {
    receiver.respondWith((_r, res) => res.writeHead(400).end('invalid_payload'));
    const errors: string[] = [];
    const d = createDispatcher([slack('bad400')], {
      clock: { now: () => T0 },
      onDeliveryError: (_n, m) => errors.push(m),
    });
    d.submit(alert());
    await d.close();
    expect(hits('bad400')).toHaveLength(1);
    expect(errors).toEqual(['bad400: HTTP 400 (after 1 attempt(s))']);
  });

  it('times out a hanging sink per attempt, gives up after maxAttempts, and drops (counting) what overflows its queue', async () => {
    receiver.respondWith((r, res) => {
      if (r.path !== '/hang') res.writeHead(200).end('ok');
      // else: never answer
    });
    const metrics = createMetrics();
    const errors: string[] = [];
    const hook: ConfiguredSink = {
      sink: webhookSink({ name: 'hang', url: `${receiver.url}/hang`, secret: 'whsec_0123456789abcdef' }),
      options: { ...base, timeoutMs: 150, maxAttempts: 2, backoffBaseMs: 10, queueSize: 3 },
    };
    const d = createDispatcher([hook], {
      clock: { now: () => T0 },
      metrics,
      onDeliveryError: (_n, m) => errors.push(m),
    });
    for (let i = 0; i < 50; i++) d.submit(alert({ dedupKey: `k${i}` }));
    expect(await deliveryCount(metrics, 'dropped')).toBe(47);
    const started = Date.now();
    await d.flush();
    // 3 queued messages × 2 attempts × 150 ms timeout, plus small backoffs.
    expect(Date.now() - started).toBeLessThan(3000);
    expect(hits('hang')).toHaveLength(6);
    expect(errors).toEqual(Array(3).fill('hang: timed out (after 2 attempt(s))'));
    await d.close();
  });
});
