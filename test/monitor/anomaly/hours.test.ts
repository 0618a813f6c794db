import { describe, expect, it } from 'vitest';
import { describeHours } from '../../../src/monitor/anomaly/hours.js';
import { normalTraffic, req, T0 } from '../fixtures.js';
import { detector, lastAt } from './helpers.js';

describe('unusual-hour detector', () => {
  it('stays quiet for four days of office-hours traffic (positive control)', () => {
    const d = detector();
    d.observe(normalTraffic(4));
    expect(d.alerts).toEqual([]);
  });

  it('flags activity at 03:00 UTC for a client only ever active 08:00–18:00', () => {
    const d = detector();
    const history = normalTraffic(4);
    d.observe(history);
    const night = Date.UTC(2026, 10, 6, 3, 12);
    expect(night).toBeGreaterThan(lastAt(history));
    d.observe([req(night), req(night + 1000)]);
    const hits = d.alerts.filter((a) => a.rule === 'anomaly.unusual_hour');
    expect(hits).toHaveLength(1);
    expect(hits[0]?.message).toBe(
      'activity at 03:00–04:00 UTC, an hour this client never used; usual hours (UTC): 08:00–18:00',
    );
  });

  it('waits for minHistoryHours of history before judging hours', () => {
    const d = detector({ hours: { minHistoryHours: 72 } });
    d.observe(normalTraffic(2));
    d.observe([req(T0 + 86_400_000 + 19 * 3_600_000)]);
    expect(d.alerts.filter((a) => a.rule === 'anomaly.unusual_hour')).toEqual([]);
  });

  it('describes hour ranges compactly', () => {
    const h = new Array<number>(24).fill(0);
    for (const i of [0, 1, 8, 9, 10, 23]) h[i] = 1;
    expect(describeHours(h)).toBe('00:00–02:00, 08:00–11:00, 23:00–00:00');
  });
});
