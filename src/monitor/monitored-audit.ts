import { performance } from 'node:perf_hooks';
import type { AuditLog } from '../audit/index.js';
import type { Clock } from '../core/index.js';
import type { MonitorMetrics } from './metrics.js';
import type { Monitor } from './monitor-types.js';

export interface MonitoredAuditOptions {
  monitor?: Monitor;
  metrics?: MonitorMetrics;
  clock?: Clock;
  /**
   * While true, a failed append is expected and raises no alert (a gateway started sealed
   * cannot open its audit log until unsealed; `gateway.sealed` already says so).
   */
  expectFailures?: () => boolean;
}

/**
 * The gateway's view of the audit log: each append is timed into
 * `keywarden_audit_write_duration_seconds`, and a failed one is reported to the monitor as
 * `audit_write_failed` (the rule engine raises it once per `repeatSeconds`). Alerts are
 * written to the *unwrapped* log, so a dead disk cannot feed an alert loop.
 */
export function monitoredAuditLog(audit: AuditLog, options: MonitoredAuditOptions): AuditLog {
  const clock = options.clock ?? { now: Date.now };
  return {
    append(event) {
      const started = performance.now();
      return audit.append(event).then(
        (record) => {
          options.metrics?.observeAuditWrite((performance.now() - started) / 1000);
          return record;
        },
        (err: unknown) => {
          if (!options.expectFailures?.())
            options.monitor?.observe({
              type: 'system',
              at: clock.now(),
              kind: 'audit_write_failed',
              message: `an audit record (${event.kind}${event.requestId ? ` ${event.requestId}` : ''}) could not be written; signing requests are refused until the audit log is writable again`,
              detail: { recordKind: event.kind },
            });
          throw err;
        },
      );
    },
    close: () => audit.close(),
  };
}
