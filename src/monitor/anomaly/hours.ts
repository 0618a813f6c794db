import type { AnomalyConfig } from '../monitor-config.js';
import type { ClientDetector } from './detector.js';

/**
 * Activity at an hour of day (UTC) in which the client has never been active. Learned as
 * a 24-bin histogram; only armed once the client's history spans `minHistoryHours`, since
 * a day-old histogram says little about what hours are normal.
 */
export function hoursDetector(config: AnomalyConfig['hours']): ClientDetector {
  const histogram = new Array<number>(24).fill(0);
  let firstAt = Number.NaN;
  return {
    observe(event, armed) {
      if (Number.isNaN(firstAt)) firstAt = event.at;
      const hour = new Date(event.at).getUTCHours();
      const before = histogram[hour] ?? 0;
      histogram[hour] = before + 1;
      const spanHours = (event.at - firstAt) / 3_600_000;
      if (!armed || before > 0 || spanHours < config.minHistoryHours) return undefined;
      const usual = describeHours(histogram.map((n, h) => (h === hour ? 0 : n)));
      return {
        rule: 'anomaly.unusual_hour',
        client: event.client,
        keyLabel: event.keyLabel,
        title: `Activity at an unusual hour for ${event.client}`,
        message: `activity at ${pad(hour)}:00–${pad((hour + 1) % 24)}:00 UTC, an hour this client never used; usual hours (UTC): ${usual}`,
        dedupKey: `anomaly.unusual_hour:${event.client}:${hour}`,
        detail: { hourUtc: hour },
      };
    },
  };
}

function pad(h: number): string {
  return String(h).padStart(2, '0');
}

/** `08:00–18:00, 22:00–23:00` from a histogram's non-empty bins. */
export function describeHours(histogram: number[]): string {
  const ranges: string[] = [];
  let start = -1;
  for (let h = 0; h <= 24; h++) {
    const active = h < 24 && (histogram[h] ?? 0) > 0;
    if (active && start < 0) start = h;
    if (!active && start >= 0) {
      ranges.push(`${pad(start)}:00–${pad(h % 24)}:00`);
      start = -1;
    }
  }
  return ranges.join(', ') || 'none';
}
