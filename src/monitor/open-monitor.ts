import type { Dispatcher } from 'undici';
import type { AuditLog } from '../audit/index.js';
import type { Clock } from '../core/index.js';
import { alertAuditEvent } from './alert-audit.js';
import { createMetrics, type MonitorMetrics } from './metrics.js';
import { createMonitorFromConfig } from './monitor.js';
import type { MonitorConfig } from './monitor-config.js';
import type { Monitor, SystemEvent } from './monitor-types.js';

/**
 * The monitor as every keywarden process wires it: `serve` hands it to the gateway, and a
 * CLI command (`lockdown`, `key verify`, `scan`) opens one to raise an alert to the
 * configured sinks and the audit log, then closes it. Alerts become `alert` audit records;
 * `autoFreeze` freezes the client through the client service and reports `client.frozen`.
 */
export interface MonitorHandle {
  readonly monitor: Monitor;
  readonly metrics: MonitorMetrics;
  /** Report a lifecycle event (lockdown, key checks, client frozen …); `at` defaults to now. */
  raise(event: Omit<SystemEvent, 'type' | 'at'> & { at?: number }): void;
  /** Deliver what is queued and wait until every alert is in the audit log. */
  flush(): Promise<void>;
  /** flush, then stop the sinks. */
  close(): Promise<void>;
}

export interface OpenMonitorDeps {
  /** Where alerts are recorded (the raw log, not the gateway's instrumented view of it). */
  audit?: Pick<AuditLog, 'append'>;
  /** Target of `autoFreeze` (the lifecycle's client service). */
  clients?: { freeze(ref: string): Promise<unknown> };
  /** Shared with the gateway so /metrics shows requests and alerts together; created when absent. */
  metrics?: MonitorMetrics;
  clock?: Clock;
  /** Where `{ env: NAME }` sink secrets are read (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** HTTP dispatcher for the sinks (tests, proxies). */
  dispatcher?: Dispatcher;
  /** A sink finally gave up on a message (the text names the sink and a status, never a secret). */
  onDeliveryError?: (sinkName: string, message: string) => void;
  /** How long close() lets failing deliveries retry before giving each queued message one last attempt (default 10 s). */
  closeGraceMs?: number;
  /** Anything else that failed off the request path: an alert record not written, a freeze that failed. */
  onError?: (context: string, err: unknown) => void;
}

export function openMonitor(config: { monitor: MonitorConfig }, deps: OpenMonitorDeps = {}): MonitorHandle {
  const clock = deps.clock ?? { now: () => Date.now() };
  const metrics = deps.metrics ?? createMetrics();
  const pending = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>, context: string) => {
    const guarded = p.catch((err: unknown) => deps.onError?.(context, err));
    pending.add(guarded);
    void guarded.finally(() => pending.delete(guarded));
  };
  const clients = deps.clients;

  const monitor: Monitor = createMonitorFromConfig(config.monitor, {
    clock,
    metrics,
    ...(deps.env ? { env: deps.env } : {}),
    ...(deps.dispatcher ? { dispatcher: deps.dispatcher } : {}),
    ...(deps.onDeliveryError ? { onDeliveryError: deps.onDeliveryError } : {}),
    onInternalError: (err) => deps.onError?.('monitor', err),
    ...(clients
      ? {
          freezeClient: (name: string, reason: string) => {
            const done = clients.freeze(name).then(() =>
              monitor.observe({
                type: 'system',
                at: clock.now(),
                kind: 'client_frozen',
                client: name,
                message: `client ${name} was frozen automatically (${reason}); its requests are denied until \`keywarden client unfreeze ${name}\``,
                detail: { automatic: true },
              }),
            );
            // Tracked here (and not returned) so a failure is reported once and close() waits for it.
            track(done, 'auto-freeze');
          },
        }
      : {}),
  });

  const audit = deps.audit;
  if (audit) monitor.onAlert((alert) => track(audit.append(alertAuditEvent(alert)), 'alert audit record'));

  async function flush(): Promise<void> {
    // An auto-freeze raises client.frozen, whose record and delivery are pending in turn: drain until quiet.
    for (let round = 0; round < 5; round++) {
      await new Promise((resolve) => setImmediate(resolve));
      await Promise.all([...pending]);
      await monitor.flush();
      if (pending.size === 0) return;
    }
  }

  return {
    monitor,
    metrics,
    raise(event) {
      monitor.observe({ ...event, type: 'system', at: event.at ?? clock.now() });
    },
    flush,
    async close() {
      // Retries get closeGraceMs to succeed; after that each queued message gets one last
      // attempt, so a dead sink cannot hold a CLI command (or a shutdown) for minutes.
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, deps.closeGraceMs ?? 10_000);
      });
      try {
        await Promise.race([flush(), deadline]);
      } finally {
        clearTimeout(timer);
      }
      await monitor.close();
      await Promise.all([...pending]);
    },
  };
}
