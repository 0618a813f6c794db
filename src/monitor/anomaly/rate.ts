import type { AnomalyConfig } from '../monitor-config.js';
import type { ClientDetector } from './detector.js';
import { Ewma, fmt } from './ewma.js';

/** Completed active minutes needed before the baseline means anything. */
const MIN_MINUTES = 3;

/**
 * Request-rate spikes. The baseline is an EWMA of requests per *active* minute (minutes
 * with at least one request), so a bot that sleeps at night does not look like a spike
 * when it wakes up. A minute spikes when its count exceeds mean + k·sd and the floor; sd
 * is at least √mean (what Poisson noise alone gives) so a perfectly regular bot does not
 * alert on one extra request. Raises at most once per minute per client.
 */
export function rateDetector(config: AnomalyConfig['rate']): ClientDetector {
  const baseline = new Ewma(config.alpha);
  let minute = Number.NaN;
  let count = 0;
  let alerted = false;

  return {
    observe(event, armed) {
      const m = Math.floor(event.at / 60_000);
      if (m > minute || Number.isNaN(minute)) {
        if (count > 0) baseline.update(count);
        minute = m;
        count = 0;
        alerted = false;
      }
      count += 1;
      if (!armed || alerted || baseline.count < MIN_MINUTES) return undefined;
      const sd = Math.max(baseline.sd, Math.sqrt(baseline.mean), 1);
      const threshold = Math.max(baseline.mean + config.k * sd, config.floorPerMinute);
      if (count <= threshold) return undefined;
      alerted = true;
      return {
        rule: 'anomaly.rate_spike',
        client: event.client,
        keyLabel: event.keyLabel,
        title: `Request rate spike for ${event.client}`,
        message: `rate ${count}/min, usual ${fmt(baseline.mean)}±${fmt(baseline.sd)}/min (alert above ${fmt(threshold)}/min: mean + ${config.k}·sd, floor ${config.floorPerMinute}/min)`,
        dedupKey: `anomaly.rate_spike:${event.client}`,
        detail: { seenPerMinute: count, usualMean: baseline.mean, usualSd: baseline.sd, threshold },
      };
    },
  };
}
