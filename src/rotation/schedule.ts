/**
 * The periodic lifecycle run inside `serve`: destroy old credentials whose rotation grace is
 * over, re-verify every active key against its exchange, and raise rotation reminders. Ticks
 * between runs (every 10 min at most) destroy expired credentials only.
 * Timers are unref'd (they never keep the process alive) and runs never overlap; while the
 * vault is sealed nothing is checked and the run is retried at the next tick.
 */
import type { AuditLog } from '../audit/index.js';
import type { ExchangeAccess, KeyCheck, KeyCheckStore, KeyRegistry } from '../keys/index.js';
import { verifyKeys } from '../keys/index.js';
import type { Monitor } from '../monitor/index.js';
import type { Store } from '../store/index.js';
import { destroyExpiredCredentials } from './rotation.js';
import type { RotationPolicy } from './rotation-policy.js';
import { checkRotations, type RotationReminder } from './rotation-reminders.js';

export interface LifecycleScheduleOptions {
  store: Pick<Store, 'db'>;
  keys: Pick<KeyRegistry, 'list' | 'credential'>;
  access: ExchangeAccess;
  checks: KeyCheckStore;
  policy: RotationPolicy;
  /** Full run every this many hours; 0 disables the schedule. */
  everyHours: number;
  isSealed: () => boolean;
  audit?: Pick<AuditLog, 'append'>;
  monitor?: Pick<Monitor, 'observe'>;
  now?: () => number;
  /** First run this long after start (default 60 s: let the gateway settle and be unsealed). */
  firstRunDelayMs?: number;
  /** How often a due (or sealed-skipped) run is retried; default min(everyHours, 10 min). */
  tickMs?: number;
  onError?: (err: unknown) => void;
}

export interface LifecycleRun {
  at: number;
  checks: KeyCheck[];
  reminders: RotationReminder[];
  destroyed: number;
}

export interface LifecycleSchedule {
  /** Run now (also used by tests); resolves undefined when sealed or a run is already going. */
  runNow(): Promise<LifecycleRun | undefined>;
  stop(): void;
}

export function startLifecycleSchedule(options: LifecycleScheduleOptions): LifecycleSchedule {
  const now = options.now ?? Date.now;
  const everyMs = options.everyHours * 3_600_000;
  let running = false;
  let stopped = false;
  let lastRunAt: number | undefined;
  let timer: NodeJS.Timeout | undefined;

  async function runNow(): Promise<LifecycleRun | undefined> {
    if (running || options.isSealed()) return undefined;
    running = true;
    try {
      const at = now();
      const destroyed = await destroyExpiredCredentials({
        store: options.store,
        ...(options.audit ? { audit: options.audit } : {}),
        now,
        actor: 'schedule',
      });
      const keys = await options.keys.list();
      const checks = await verifyKeys(
        {
          keys: options.keys,
          access: options.access,
          checks: options.checks,
          ...(options.audit ? { audit: options.audit } : {}),
          ...(options.monitor ? { monitor: options.monitor } : {}),
          now,
          actor: 'schedule',
        },
        keys,
      );
      const reminders = checkRotations(keys, options.policy, now(), options.monitor);
      lastRunAt = at;
      return { at, checks, reminders, destroyed: destroyed.length };
    } finally {
      running = false;
    }
  }

  /**
   * Between full runs, each tick still destroys old credentials whose grace is over: a
   * `key rotate --no-wait` leaves that to serve, and it should not wait for the next daily check.
   */
  async function sweep(): Promise<undefined> {
    if (running || options.isSealed()) return undefined;
    running = true;
    try {
      await destroyExpiredCredentials({
        store: options.store,
        ...(options.audit ? { audit: options.audit } : {}),
        now,
        actor: 'schedule',
      });
    } finally {
      running = false;
    }
    return undefined;
  }

  function arm(delayMs: number): void {
    if (stopped) return;
    timer = setTimeout(() => {
      const due = lastRunAt === undefined || now() - lastRunAt >= everyMs;
      const run = due ? runNow() : sweep();
      run
        .catch((err: unknown) => options.onError?.(err))
        .finally(() => arm(options.tickMs ?? Math.min(everyMs, 600_000)));
    }, delayMs);
    timer.unref();
  }

  if (everyMs > 0) arm(options.firstRunDelayMs ?? 60_000);
  return {
    runNow,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
