import { randomUUID } from 'node:crypto';
import type { Clock } from '../core/index.js';
import type { MonitorMetrics } from './metrics.js';
import type { Alert } from './monitor-types.js';
import { atLeast } from './rule-ids.js';
import { abortable } from './sinks/abortable.js';
import type { ConfiguredSink } from './sinks/build.js';
import { type AlertMessage, SinkError } from './sinks/sink-types.js';

/**
 * Gets alerts to sinks off the request path. `submit` only touches in-memory maps and
 * arrays; sending happens in one async worker per sink, so a slow or dead sink delays only
 * its own queue. Per sink:
 * - severity threshold;
 * - grouping: the first alert of a dedup key waits `groupWaitMs` for identical ones and
 *   goes out as one message with their count; afterwards identical alerts are counted and
 *   sent as one summary per `throttleWindowSeconds` (a storm is one message per window);
 * - a bounded queue (overflow dropped and counted), a per-attempt timeout, and bounded
 *   retries with exponential backoff and jitter (honouring Retry-After up to the cap).
 */
export interface AlertDispatcher {
  submit(alert: Alert): void;
  /** Send everything grouped or queued now and wait until every sink is idle. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export interface DispatcherDeps {
  clock: Clock;
  metrics?: MonitorMetrics;
  /** Told about each message a sink finally failed to deliver (message is safe to log). */
  onDeliveryError?: (sinkName: string, message: string) => void;
  /** For tests of the retry schedule; defaults to Math.random. */
  random?: () => number;
}

/** Distinct dedup keys held per sink; beyond this new keys are dropped (and counted) rather than growing memory. */
const MAX_GROUPS = 10_000;

export function createDispatcher(sinks: ConfiguredSink[], deps: DispatcherDeps): AlertDispatcher {
  const channels = sinks.map((s) => new SinkChannel(s, deps));
  return {
    submit(alert) {
      for (const channel of channels) channel.submit(alert);
    },
    async flush() {
      await Promise.all(channels.map((c) => c.flush()));
    },
    async close() {
      await Promise.all(channels.map((c) => c.close()));
    },
  };
}

interface Group {
  alert: Alert;
  /** Alerts not yet sent. */
  count: number;
  firstAt: number;
  lastAt: number;
  phase: 'waiting' | 'window';
  timer?: NodeJS.Timeout;
}

class SinkChannel {
  private readonly groups = new Map<string, Group>();
  private readonly queue: AlertMessage[] = [];
  private running = false;
  private closed = false;
  private idleWaiters: Array<() => void> = [];
  private readonly sleeps = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();

  constructor(
    private readonly configured: ConfiguredSink,
    private readonly deps: DispatcherDeps,
  ) {}

  private get options() {
    return this.configured.options;
  }

  submit(alert: Alert): void {
    if (this.closed || !atLeast(alert.severity, this.options.minSeverity)) return;
    const now = this.deps.clock.now();
    const group = this.groups.get(alert.dedupKey);
    if (group) {
      if (group.count === 0) group.firstAt = now;
      group.count += 1;
      group.lastAt = now;
      group.alert = alert;
      return;
    }
    if (this.groups.size >= MAX_GROUPS) {
      this.deps.metrics?.recordDelivery(this.configured.sink.type, 'dropped');
      return;
    }
    const fresh: Group = { alert, count: 1, firstAt: now, lastAt: now, phase: 'waiting' };
    this.groups.set(alert.dedupKey, fresh);
    if (this.options.groupWaitMs === 0) this.release(alert.dedupKey, fresh);
    else fresh.timer = unref(setTimeout(() => this.release(alert.dedupKey, fresh), this.options.groupWaitMs));
  }

  /** End of group wait or of a throttle window: send what accumulated, then open a new window or forget the key. */
  private release(key: string, group: Group): void {
    if (group.timer) clearTimeout(group.timer);
    group.timer = undefined;
    if (group.count === 0) {
      this.groups.delete(key);
      return;
    }
    this.enqueue({
      alert: group.alert,
      count: group.count,
      firstAt: group.firstAt,
      lastAt: group.lastAt,
      deliveryId: `dlv_${randomUUID()}`,
    });
    group.count = 0;
    group.phase = 'window';
    if (!this.closed)
      group.timer = unref(
        setTimeout(() => this.release(key, group), this.options.throttleWindowSeconds * 1000),
      );
  }

  private enqueue(message: AlertMessage): void {
    if (this.queue.length >= this.options.queueSize) {
      this.deps.metrics?.recordDelivery(this.configured.sink.type, 'dropped');
      return;
    }
    this.queue.push(message);
    if (!this.running) {
      this.running = true;
      // Start the worker on a later turn so nothing of the send path runs inside observe().
      setImmediate(() => void this.work());
    }
  }

  private async work(): Promise<void> {
    for (let message = this.queue.shift(); message; message = this.queue.shift()) await this.deliver(message);
    this.running = false;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private async deliver(message: AlertMessage): Promise<void> {
    const { sink } = this.configured;
    const { maxAttempts, timeoutMs, backoffBaseMs, backoffMaxMs } = this.options;
    for (let attempt = 1; ; attempt++) {
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        // Raced against the signal too, so even a sink that ignores it cannot stall the worker.
        await abortable(sink.send(message, signal), signal);
        this.deps.metrics?.recordDelivery(sink.type, 'ok');
        return;
      } catch (err) {
        const error =
          err instanceof SinkError
            ? err
            : new SinkError(`${sink.name}: ${signal.aborted ? 'timed out' : 'send failed'}`, true);
        if (!error.retryable || attempt >= maxAttempts || this.closed) {
          this.deps.metrics?.recordDelivery(sink.type, 'failed');
          this.deps.onDeliveryError?.(sink.name, `${error.message} (after ${attempt} attempt(s))`);
          return;
        }
        this.deps.metrics?.recordDelivery(sink.type, 'retry');
        const exponential = backoffBaseMs * 2 ** (attempt - 1);
        const jitter = 0.5 + 0.5 * (this.deps.random ?? Math.random)();
        const delay = Math.min(backoffMaxMs, Math.max(error.retryAfterMs ?? 0, exponential * jitter));
        await this.sleep(delay);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        resolve,
        timer: unref(
          setTimeout(() => {
            this.sleeps.delete(entry);
            resolve();
          }, ms),
        ),
      };
      this.sleeps.add(entry);
    });
  }

  async flush(): Promise<void> {
    for (const [key, group] of this.groups) this.release(key, group);
    await this.idle();
  }

  /** Send what is queued once more at most (no further retries), then stop the sink. */
  async close(): Promise<void> {
    for (const [key, group] of this.groups) this.release(key, group);
    this.closed = true;
    for (const group of this.groups.values()) if (group.timer) clearTimeout(group.timer);
    this.groups.clear();
    for (const entry of this.sleeps) {
      clearTimeout(entry.timer);
      entry.resolve();
    }
    await this.idle();
    await this.configured.sink.close?.();
  }

  private async idle(): Promise<void> {
    if (!this.running && this.queue.length === 0) return;
    // Attempt timeouts and backoff sleeps are unref'd so they never hold a gateway open; someone
    // awaiting delivery (a CLI command's last alert) must keep the process alive meanwhile, or
    // Node exits mid-await with code 13.
    const keepAlive = setInterval(() => {}, 1_000);
    try {
      await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    } finally {
      clearInterval(keepAlive);
    }
  }
}

function unref(timer: NodeJS.Timeout): NodeJS.Timeout {
  timer.unref();
  return timer;
}
