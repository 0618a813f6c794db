import type { AnomalyConfig } from '../monitor-config.js';
import type { ClientDetector } from './detector.js';
import { Ewma, fmt } from './ewma.js';

/** Orders needed before the baseline means anything. */
const MIN_ORDERS = 5;
/** Smallest spread assumed, in log units (~±10%), so a bot that always trades the same size is not flagged for 2× that size. */
const MIN_SD_LOG = 0.1;

/**
 * Order notional far above the client's usual. Sizes are log-normal-ish, so the baseline is
 * an EWMA of ln(notional): the z-score then measures "how many typical spreads larger",
 * and exp(mean) is the usual size in the quote currency. Flags only when both the z-score
 * and the plain ratio to the usual size are large, so neither a tight nor a wild baseline
 * alone triggers it. Small orders are never flagged.
 */
export function notionalDetector(config: AnomalyConfig['notional']): ClientDetector {
  const baseline = new Ewma(config.alpha);
  return {
    observe(event, armed) {
      const notional = event.notional;
      if (notional === undefined || !Number.isFinite(notional) || notional <= 0) return undefined;
      const x = Math.log(notional);
      let alert: ReturnType<ClientDetector['observe']>;
      if (armed && baseline.count >= MIN_ORDERS) {
        const sd = Math.max(baseline.sd, MIN_SD_LOG);
        const z = (x - baseline.mean) / sd;
        const usual = Math.exp(baseline.mean);
        const ratio = notional / usual;
        if (z > config.z && ratio >= config.minRatio) {
          alert = {
            rule: 'anomaly.notional_outlier',
            client: event.client,
            keyLabel: event.keyLabel,
            title: `Unusually large order for ${event.client}`,
            message: `order notional ${fmt(notional)}, usual ≈${fmt(usual)} (×/÷${fmt(Math.exp(baseline.sd))}); ${fmt(ratio)}× usual, z=${fmt(z)} (alert when z>${config.z} and ≥${config.minRatio}× usual)`,
            dedupKey: `anomaly.notional_outlier:${event.client}`,
            detail: { notional, usual, z, ratio, symbols: event.symbols.slice(0, 5) },
          };
        }
      }
      baseline.update(x);
      return alert;
    },
  };
}
