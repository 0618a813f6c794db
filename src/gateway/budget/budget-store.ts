/**
 * Where budget state lives, behind one small async interface: in this process's memory (the
 * default, ./memory-budget-store.ts) or in Redis, shared by every gateway instance that sends
 * through the same key or egress IP (./redis-budget-store.ts). Every call may fail (a store down):
 * the budgets then fail closed or open as `rateBudgets.onStoreError` says.
 */

/** One counter: a limit of one exchange for one key or egress IP (and, for per-endpoint limits, one endpoint). */
export interface CounterSpec {
  /** `<exchange>:<scope>:<scope id>:<limit id>[:<endpoint>]` — keywarden ids only, never an exchange api-key id. */
  key: string;
  kind: 'window' | 'decay';
  windowMs: number;
  /** What keywarden lets through per window: the exchange's limit less the configured headroom. */
  cap: number;
  decayPerSecond?: number;
}

export interface Charge {
  counter: CounterSpec;
  units: number;
}

export type TakeResult =
  | { ok: true; used: number[] }
  | {
      ok: false;
      /** How long until the refusing counter (or stop) has room again, ms. */
      retryAfterMs: number;
      /** True when a stop (an exchange's 429/418) refused, false when a counter was full. */
      stopped: boolean;
      /** The refusing counter's key, or the stop's. */
      key: string;
    };

export interface BudgetStore {
  /** Take every charge or none (atomically, across instances for a shared store), unless a listed stop is in force. */
  take(charges: readonly Charge[], stops: readonly string[], now: number): Promise<TakeResult>;
  /** Give charges back (the request was never sent). */
  giveBack(charges: readonly Charge[], now: number): Promise<void>;
  /** The exchange reported `used` for this counter's current window: the count is at least that. */
  observe(counter: CounterSpec, used: number, now: number): Promise<void>;
  /** Stop everything under `stopKey` until `untilMs`; returns the stop now in force (a later one stands). */
  stop(stopKey: string, untilMs: number, now: number): Promise<number>;
  /** Does the store answer (readiness)? Absent: always (memory). */
  ping?(): Promise<boolean>;
  close(): Promise<void>;
}

/** Start of the fixed window `now` falls in (windows aligned to the epoch, as Binance's minutes are). */
export function windowStart(now: number, windowMs: number): number {
  return Math.floor(now / windowMs) * windowMs;
}
