/**
 * Exchange-aware rate budgets: before a request leaves, it takes its documented cost from every
 * limit its exchange enforces, per exchange key and per egress IP, shared by every client of that
 * key (and, with a shared store, every gateway instance). No room: it waits a bounded time
 * (`maxQueueMs`) or is answered in the exchange's own 429 shape with `Retry-After`, before the
 * exchange would refuse it. Each answer's usage headers correct the model; an exchange 429 or 418
 * stops the whole key or IP until its Retry-After lifts, and raises an alert.
 */
import type { RateBudgetsConfig } from '../../config/index.js';
import type { Clock, ExchangeId, WireRequest } from '../../core/index.js';
import type { BudgetLimit, BudgetScope, RateRules, WsCostContext } from '../../exchanges/index.js';
import type { BudgetStore, Charge, CounterSpec } from './budget-store.js';

/** Who a request spends for: the exchange, its exchange key (none for the anonymous relay). */
export interface BudgetSubject {
  exchange: ExchangeId;
  /** keywarden's key id (never the exchange api-key id) and label (for alerts). */
  key?: { id: string; label: string };
  /**
   * Sent over an upstream WebSocket connection: its cost is the exchange's `wsCost` (an exchange
   * without one is not budgeted there), and `connection` limits count on this connection.
   */
  ws?: WsCostContext;
}

/** What `acquire` hands back for `settle` to read the answer with. */
export interface BudgetTicket {
  subject: BudgetSubject;
  request: Pick<WireRequest, 'method' | 'path'>;
  charges: readonly Charge[];
}

export type Admission =
  | { ok: true; ticket: BudgetTicket; waitedMs: number }
  | {
      ok: false;
      /** `budget`: a limit is spent; `stopped`: the exchange refused (429/418) and the stop stands; `queue_full`; `store_error` (fail closed). */
      reason: 'budget' | 'stopped' | 'queue_full' | 'store_error';
      retryAfterSeconds: number;
      message: string;
    };

/** An exchange stopped a key or the egress IP: what the alert says. */
export interface BudgetStop {
  exchange: ExchangeId;
  scope: 'ip' | 'key';
  /** The key's label for a key stop. */
  keyLabel?: string;
  status: number;
  reason: string;
  untilMs: number;
  retryAfterSeconds: number;
}

/** A counter's state after a take or an observation (metrics read these; labels are closed sets). */
export interface BudgetReading {
  exchange: ExchangeId;
  scope: BudgetScope;
  limit: string;
  used: number;
  cap: number;
}

export interface RateBudgetsHooks {
  /** An exchange refused for rate and a (new or longer) stop began. Never throws. */
  onStop?(stop: BudgetStop): void;
  /** A request was answered without being sent. */
  onShed?(exchange: ExchangeId, reason: Exclude<Admission, { ok: true }>['reason']): void;
  onReading?(reading: BudgetReading): void;
  /** The store failed (logged; the request fails closed or open by config). */
  onStoreError?(err: unknown): void;
}

export interface RateBudgets {
  acquire(
    subject: BudgetSubject,
    request: Pick<WireRequest, 'method' | 'path' | 'query' | 'body'>,
  ): Promise<Admission>;
  /** The answer's status and headers arrived: correct the model, stop on a refusal. */
  settle(ticket: BudgetTicket, status: number, headers: Record<string, string>): Promise<void>;
  /** The request was not sent after all. */
  release(ticket: BudgetTicket): Promise<void>;
}

export interface RateBudgetsOptions {
  config: RateBudgetsConfig;
  rules: Partial<Record<ExchangeId, RateRules>>;
  store: BudgetStore;
  clock: Clock;
  /** Waits `ms` (tests pass one that advances a fake clock). */
  sleep?: (ms: number) => Promise<void>;
  hooks?: RateBudgetsHooks;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref?.());

export function createRateBudgets(options: RateBudgetsOptions): RateBudgets {
  const { config, rules, store, clock, hooks = {} } = options;
  const sleep = options.sleep ?? realSleep;
  const headroom = 1 - config.headroomPercent / 100;
  let queued = 0;

  const limitOf = (exchange: ExchangeId, r: RateRules, id: string): BudgetLimit | undefined => {
    const l = r.limits.find((x) => x.id === id);
    if (!l) return undefined;
    const override = config.limits[exchange]?.[id];
    return override === undefined ? l : { ...l, limit: override };
  };

  const scopeKey = (subject: BudgetSubject, scope: BudgetScope): string =>
    scope === 'connection'
      ? `${subject.exchange}:conn:${config.egressId}:${subject.ws?.connection ?? 'none'}`
      : subject.key && scope === 'key'
        ? `${subject.exchange}:key:${subject.key.id}`
        : `${subject.exchange}:ip:${config.egressId}`;

  function counterFor(
    subject: BudgetSubject,
    l: BudgetLimit,
    endpoint: string | undefined,
    cap: number | undefined,
  ): CounterSpec {
    const exchangeCap =
      config.limits[subject.exchange]?.[l.id] === undefined && cap !== undefined ? cap : l.limit;
    return {
      key: `${scopeKey(subject, l.scope)}:${l.id}${endpoint ? `:${endpoint}` : ''}`,
      kind: l.kind,
      windowMs: l.windowMs,
      cap: Math.max(1, Math.floor(exchangeCap * headroom)),
      ...(l.decayPerSecond !== undefined ? { decayPerSecond: l.decayPerSecond } : {}),
    };
  }

  const stopKeys = (subject: BudgetSubject): string[] =>
    subject.key ? [scopeKey(subject, 'ip'), scopeKey(subject, 'key')] : [scopeKey(subject, 'ip')];

  const shed = (
    exchange: ExchangeId,
    reason: Exclude<Admission, { ok: true }>['reason'],
    retryAfterMs: number,
    message: string,
  ): Admission => {
    hooks.onShed?.(exchange, reason);
    return { ok: false, reason, retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)), message };
  };

  const reading = (subject: BudgetSubject, l: BudgetLimit, used: number, cap: number) =>
    hooks.onReading?.({ exchange: subject.exchange, scope: l.scope, limit: l.id, used, cap });

  return {
    async acquire(subject, request) {
      const r = rules[subject.exchange];
      const empty: BudgetTicket = { subject, request, charges: [] };
      if (!config.enabled || !r) return { ok: true, ticket: empty, waitedMs: 0 };
      // A WebSocket request costs what the exchange counts for its WebSocket; none modelled: not budgeted.
      const costs = subject.ws ? (r.wsCost?.(request, subject.ws) ?? []) : r.cost(request);
      const charges: Charge[] = [];
      const limits: BudgetLimit[] = [];
      for (const c of costs) {
        const l = limitOf(subject.exchange, r, c.limit);
        if (!l || c.units <= 0) continue;
        // A per-connection limit has no meaning for a request that is not on a connection.
        if (l.scope === 'connection' && !subject.ws) continue;
        charges.push({ counter: counterFor(subject, l, c.endpoint, c.cap), units: c.units });
        limits.push(l);
      }
      const started = clock.now();
      const deadline = started + config.maxQueueMs;
      for (;;) {
        const now = clock.now();
        let result: Awaited<ReturnType<BudgetStore['take']>>;
        try {
          result = await store.take(charges, stopKeys(subject), now);
        } catch (err) {
          hooks.onStoreError?.(err);
          if (config.store.onError === 'open') return { ok: true, ticket: empty, waitedMs: now - started };
          return shed(
            subject.exchange,
            'store_error',
            1000,
            'the rate budget store did not answer; request not sent',
          );
        }
        if (result.ok) {
          result.used.forEach((used, i) => {
            const l = limits[i];
            const c = charges[i];
            if (l && c) reading(subject, l, used, c.counter.cap);
          });
          return { ok: true, ticket: { subject, request, charges }, waitedMs: now - started };
        }
        const what = result.stopped
          ? `the exchange refused this ${result.key.includes(':key:') ? 'key' : 'IP'} for rate and it stays stopped`
          : `the exchange's ${limits[charges.findIndex((c) => c.counter.key === result.key)]?.id ?? 'rate'} limit is spent`;
        if (now + result.retryAfterMs > deadline)
          return shed(
            subject.exchange,
            result.stopped ? 'stopped' : 'budget',
            result.retryAfterMs,
            `${what}; retry after ${Math.ceil(result.retryAfterMs / 1000)} s`,
          );
        if (queued >= config.maxQueued)
          return shed(
            subject.exchange,
            'queue_full',
            result.retryAfterMs,
            `${what} and the wait queue is full`,
          );
        queued++;
        try {
          await sleep(result.retryAfterMs);
        } finally {
          queued--;
        }
      }
    },

    async settle(ticket, status, headers) {
      const { subject } = ticket;
      const r = rules[subject.exchange];
      if (!config.enabled || !r) return;
      const now = clock.now();
      try {
        const seen = r.observe(status, headers, {
          now,
          defaultRetryAfterMs: config.defaultRetryAfterSeconds * 1000,
          request: ticket.request,
        });
        for (const u of seen.used) {
          const l = limitOf(subject.exchange, r, u.limit);
          if (!l) continue;
          const counter = counterFor(subject, l, u.endpoint, u.cap);
          await store.observe(counter, u.used, now);
          reading(subject, l, u.used, counter.cap);
        }
        if (seen.stop) {
          const scope: 'ip' | 'key' = seen.stop.scope === 'key' && subject.key ? 'key' : 'ip';
          const until = now + Math.max(1000, seen.stop.retryAfterMs);
          const key = scopeKey(subject, scope);
          const before = await store.stop(key, until, now);
          hooks.onStop?.({
            exchange: subject.exchange,
            scope,
            ...(scope === 'key' && subject.key ? { keyLabel: subject.key.label } : {}),
            status: seen.stop.status,
            reason: seen.stop.reason,
            untilMs: before,
            retryAfterSeconds: Math.ceil((before - now) / 1000),
          });
        }
      } catch (err) {
        hooks.onStoreError?.(err);
      }
    },

    async release(ticket) {
      if (ticket.charges.length === 0) return;
      try {
        await store.giveBack(ticket.charges, clock.now());
      } catch (err) {
        hooks.onStoreError?.(err);
      }
    },
  };
}
