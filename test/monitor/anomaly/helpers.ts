import type { AlertDraft } from '../../../src/monitor/alert-draft.js';
import { createAnomalyDetector } from '../../../src/monitor/anomaly/anomaly.js';
import { anomalyConfigSchema, clientMonitorSchema } from '../../../src/monitor/monitor-config.js';
import type { RequestEvent } from '../../../src/monitor/monitor-types.js';

/** An anomaly detector with the default config (or overrides) collecting every draft it raises. */
export function detector(config: unknown = {}, clients: Record<string, unknown> = {}) {
  const d = createAnomalyDetector(
    anomalyConfigSchema.parse(config),
    Object.fromEntries(Object.entries(clients).map(([k, v]) => [k, clientMonitorSchema.parse(v)])),
  );
  const alerts: AlertDraft[] = [];
  return {
    alerts,
    observe(events: RequestEvent[]) {
      for (const e of events) alerts.push(...d.observe(e));
    },
  };
}

export function lastAt(events: RequestEvent[]): number {
  return events[events.length - 1]?.at ?? 0;
}
