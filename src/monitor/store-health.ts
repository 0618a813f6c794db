/**
 * The shared store's health as the gateway sees it (PostgreSQL): pinged every `everyMs`; while it
 * does not answer, `store_unavailable` is reported to the monitor (raised once per
 * `repeatSeconds`, like a failing audit write) and readiness answers not ready. Signing needs
 * the store anyway (the audit record, shared usage, nonce draws), so it fails closed by itself;
 * this is what tells the operator, even when no request arrives.
 */
import type { Monitor } from './monitor-types.js';

export interface StoreHealth {
  /** The last ping's answer (true until the first one failed). */
  up(): boolean;
  stop(): void;
}

export function watchStoreHealth(options: {
  ping: () => Promise<boolean>;
  monitor?: Monitor;
  everyMs?: number;
  now?: () => number;
}): StoreHealth {
  let up = true;
  let running = false;
  const now = options.now ?? Date.now;
  const check = async () => {
    if (running) return;
    running = true;
    try {
      up = await options.ping();
      if (!up)
        options.monitor?.observe({
          type: 'system',
          at: now(),
          kind: 'store_unavailable',
          message:
            'the shared store (PostgreSQL) does not answer: signing requests are refused until it is reachable again',
        });
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void check(), options.everyMs ?? 2_000);
  timer.unref();
  return {
    up: () => up,
    stop: () => clearInterval(timer),
  };
}
