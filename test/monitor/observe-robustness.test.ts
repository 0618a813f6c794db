import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Ewma } from '../../src/monitor/anomaly/ewma.js';
import { createMetrics } from '../../src/monitor/metrics.js';
import { createMonitor } from '../../src/monitor/monitor.js';
import { anomalyConfigSchema } from '../../src/monitor/monitor-config.js';
import type { Alert, RequestEvent } from '../../src/monitor/monitor-types.js';
import { T0 } from './fixtures.js';

const weirdNumber = fc.oneof(
  fc.double(),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -1, 0, Number.MAX_VALUE),
);

const requestEvent: fc.Arbitrary<RequestEvent> = fc.record({
  type: fc.constant('request' as const),
  at: fc.oneof(fc.integer({ min: T0 - 1e9, max: T0 + 1e9 }), weirdNumber),
  requestId: fc.string(),
  client: fc.option(fc.constantFrom('bot-a', 'bot-b', '__proto__', 'constructor', ''), { nil: undefined }),
  keyLabel: fc.option(fc.string(), { nil: undefined }),
  exchange: fc.string(),
  action: fc.constantFrom('trade', 'read', 'withdraw', 'transfer', 'weird'),
  endpoint: fc.string({ maxLength: 500 }),
  symbols: fc.array(fc.string({ maxLength: 300 }), { maxLength: 80 }),
  notional: fc.option(weirdNumber, { nil: undefined }),
  sourceIp: fc.string(),
  decision: fc.constantFrom('allow', 'deny', 'would-deny') as fc.Arbitrary<RequestEvent['decision']>,
  code: fc.option(fc.constantFrom('auth_missing', 'ip_not_allowed', 'policy_denied', 'x'), {
    nil: undefined,
  }),
  message: fc.option(fc.string({ maxLength: 2000 }), { nil: undefined }),
  upstreamStatus: fc.option(fc.integer({ min: 0, max: 999 }), { nil: undefined }),
  latencyMs: weirdNumber,
});

describe('observe() robustness', () => {
  it('never throws and only raises alerts with bounded text, whatever the events look like', () => {
    const alerts: Alert[] = [];
    const errors: unknown[] = [];
    const monitor = createMonitor({
      anomaly: anomalyConfigSchema.parse({ warmup: { events: 3, minutes: 0 } }),
      clients: { 'bot-a': { autoFreeze: true, anomaly: true } },
      freezeClient: () => undefined,
      metrics: createMetrics(),
      onAlert: (a) => alerts.push(a),
      onInternalError: (e) => errors.push(e),
    });
    fc.assert(
      fc.property(fc.array(requestEvent, { maxLength: 30 }), (events) => {
        for (const e of events) expect(() => monitor.observe(e)).not.toThrow();
      }),
      { numRuns: 200 },
    );
    expect(errors).toEqual([]);
    expect(alerts.length).toBeGreaterThan(0);
    for (const a of alerts) {
      expect(a.title.length).toBeLessThan(400);
      expect(a.message.length).toBeLessThan(1500);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: checking their absence
      expect(a.title).not.toMatch(/[\u0000-\u001f]/);
    }
  });

  it('EWMA of a constant stream is that constant with no spread', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.integer({ min: 1, max: 200 }),
        (x, n) => {
          const e = new Ewma(0.1);
          for (let i = 0; i < n; i++) e.update(x);
          expect(e.mean).toBeCloseTo(x, 6);
          expect(e.sd).toBeCloseTo(0, 6);
        },
      ),
    );
  });
});
