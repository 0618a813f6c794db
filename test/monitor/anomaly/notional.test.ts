import { describe, expect, it } from 'vitest';
import { normalTraffic, req } from '../fixtures.js';
import { detector, lastAt } from './helpers.js';

describe('order-notional outlier detector', () => {
  it('stays quiet for orders of the usual size, even at the top of the range (positive control)', () => {
    const d = detector();
    const history = normalTraffic(2);
    d.observe(history);
    d.observe([req(lastAt(history) + 1000, { notional: 400 })]);
    expect(d.alerts.filter((a) => a.rule === 'anomaly.notional_outlier')).toEqual([]);
  });

  it('flags an order far above the usual size with expected and seen amounts', () => {
    const d = detector();
    const history = normalTraffic(1);
    d.observe(history);
    d.observe([req(lastAt(history) + 1000, { notional: 50_000 })]);
    const hits = d.alerts.filter((a) => a.rule === 'anomaly.notional_outlier');
    expect(hits).toHaveLength(1);
    // Usual ≈ exp(mean ln(80..250)) ≈ 150.
    expect(hits[0]?.message).toMatch(
      /^order notional 50000, usual ≈1[2-8]\d \(×\/÷1\.\d\); \d{3}× usual, z=\d+(\.\d)? \(alert when z>4 and ≥5× usual\)$/,
    );
  });

  it('ignores requests without a notional', () => {
    const d = detector({ warmup: { events: 0, minutes: 0 } });
    d.observe(Array.from({ length: 20 }, (_, i) => req(i, { notional: undefined })));
    expect(d.alerts.filter((a) => a.rule === 'anomaly.notional_outlier')).toEqual([]);
  });
});
