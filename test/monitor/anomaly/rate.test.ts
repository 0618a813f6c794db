import { describe, expect, it } from 'vitest';
import { normalTraffic, req } from '../fixtures.js';
import { detector, lastAt } from './helpers.js';

describe('request-rate spike detector', () => {
  it('stays quiet over three days of normal traffic (positive control)', () => {
    const d = detector();
    d.observe(normalTraffic(3));
    expect(d.alerts.filter((a) => a.rule === 'anomaly.rate_spike')).toEqual([]);
  });

  it('flags a minute of 240 requests against a learned 8–15/min baseline, saying what is usual', () => {
    const d = detector();
    const history = normalTraffic(2);
    d.observe(history);
    const minute = Math.ceil(lastAt(history) / 60_000) * 60_000 + 60_000;
    d.observe(Array.from({ length: 240 }, (_, i) => req(minute + i * 250)));
    const spikes = d.alerts.filter((a) => a.rule === 'anomaly.rate_spike');
    expect(spikes).toHaveLength(1);
    expect(spikes[0]?.client).toBe('bot-a');
    // Alerts when the count crosses the floor (60/min): mean ≈ 11.5, sd ≈ 2.3.
    expect(spikes[0]?.message).toMatch(
      /^rate 61\/min, usual 1[0-3](\.\d)?±[1-4](\.\d)?\/min \(alert above 60\/min: mean \+ 4·sd, floor 60\/min\)$/,
    );
  });

  it('uses mean + k·sd when that is above the floor', () => {
    const d = detector({ rate: { floorPerMinute: 5 } });
    const history = normalTraffic(1);
    d.observe(history);
    const minute = Math.ceil(lastAt(history) / 60_000) * 60_000 + 60_000;
    d.observe(Array.from({ length: 40 }, (_, i) => req(minute + i * 1000)));
    const spike = d.alerts.find((a) => a.rule === 'anomaly.rate_spike');
    const seen = Number(/^rate (\d+)\/min/.exec(spike?.message ?? '')?.[1]);
    expect(seen).toBeGreaterThan(18);
    expect(seen).toBeLessThan(30);
  });

  it('does not alert during warm-up, however fast a new client starts', () => {
    const d = detector({ warmup: { events: 200, minutes: 60 } });
    const start = Date.UTC(2026, 10, 2, 8);
    for (let m = 0; m < 10; m++) d.observe(Array.from({ length: 10 }, (_, i) => req(start + m * 60_000 + i)));
    d.observe(Array.from({ length: 500 }, (_, i) => req(start + 10 * 60_000 + i)));
    expect(d.alerts).toEqual([]);
  });
});
