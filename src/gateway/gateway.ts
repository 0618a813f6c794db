/**
 * The gateway: builds the pipeline's services once (client cache, key cache, limiters, replay
 * cache, market data, usage) and answers each request as run → report → render. The stages
 * live in ./pipeline/; this file holds no request logic of its own.
 */
import { performance } from 'node:perf_hooks';
import type { Clock, ExchangeId } from '../core/index.js';
import { ERROR_CODES, type ErrorCode } from '../core/index.js';
import type { NonceSource } from '../exchanges/index.js';
import { createMemoryNonceLedger, RATE_RULES } from '../exchanges/index.js';
import { createUsageTracker } from '../policy/index.js';
import {
  budgetMetrics,
  connectionBudgets,
  createMemoryBudgetStore,
  createRateBudgets,
  type RateBudgets,
} from './budget/index.js';
import { createClientCache } from './client-cache.js';
import { createDenialAggregator } from './denial-aggregator.js';
import type { GatewayAnswer, GatewayDeps, GatewayRequest } from './gateway-types.js';
import { edgeRequest } from './http-edge.js';
import { createAllowList } from './ip.js';
import { createKeyCache } from './key-cache.js';
import { createMarketData, type MarketData } from './market-data.js';
import {
  createPipeline,
  createReport,
  createResign,
  type Pipeline,
  type Report,
  render,
  renderError,
} from './pipeline/index.js';
import { createRateLimiter } from './rate-limit.js';
import { createReplayCache } from './replay-cache.js';
import { checkTarget } from './target.js';
import type { WsHooks } from './ws/index.js';

export interface Gateway {
  /** What the WebSocket edge (src/gateway/ws/) runs each message with. */
  readonly ws: WsHooks;
  handle(req: GatewayRequest): Promise<GatewayAnswer>;
  /** An error answer for failures caught outside the pipeline (framework errors such as 413). */
  errorAnswer(rawUrl: string, code: ErrorCode, requestId: string, message?: string): GatewayAnswer;
  /** Drop cached client state and decrypted credentials (after seal/unseal or a local change). */
  invalidate(): void;
  /** The nonce sequence an exchange key signs with (Kraken); lifecycle checks share it (see GatewayDeps.nonces). */
  nonceFor(keyId: string): NonceSource;
  /** `redis` is present when a shared limit or budget store is configured: not ready while it does not answer. */
  readiness(): Promise<{ ready: boolean; sealed: boolean; store: boolean; audit: boolean; redis?: boolean }>;
}

/** Contract specs change rarely (listing changes); an hour keeps instrument calls negligible. */
const SPEC_TTL_MS = 3_600_000;

export function createGateway(deps: GatewayDeps): Gateway {
  const clock: Clock = deps.clock ?? { now: Date.now };
  const { config, vault, audit } = deps;
  const onError = (requestId: string, err: unknown) => deps.onError?.(requestId, err);
  const clients = createClientCache({
    loadAll: () => deps.clients.loadAll(),
    version: () => deps.clients.version(),
    isSealed: () => vault.isSealed(),
  });
  const keys = createKeyCache(deps.keys, clock, deps.nonces);
  const marketData = new Map<ExchangeId, MarketData>();
  for (const [id, up] of Object.entries(deps.upstreams)) {
    const adapter = deps.adapters[id as ExchangeId];
    if (up && adapter)
      marketData.set(
        id as ExchangeId,
        createMarketData(adapter, up, {
          ttlMs: config.prices.ttlMs,
          failureTtlMs: config.prices.failureTtlMs,
          specTtlMs: SPEC_TTL_MS,
          now: () => clock.now(),
        }),
      );
  }
  /** A shared store that did not answer: an alert (repeating, the rules engine quiets it), whichever limit needed it. */
  const redisDown = (what: string, mode: 'closed' | 'open') =>
    deps.monitor?.observe({
      type: 'system',
      at: clock.now(),
      kind: 'redis_unavailable',
      message:
        mode === 'closed'
          ? `the Redis holding the ${what} does not answer: requests that need it are refused until it is reachable again`
          : `the Redis holding the ${what} does not answer: requests pass without that limit (onError: open)`,
      detail: { what, onError: mode },
    });
  const budgets = buildBudgets(deps, clock, onError, redisDown);
  const env = {
    config,
    vault,
    clock,
    adapters: deps.adapters,
    upstreams: deps.upstreams,
    trustedProxies: createAllowList(config.server.trustedProxies),
    limiter: createRateLimiter(() => clock.now(), {
      ...(deps.limitStore ? { store: deps.limitStore } : {}),
      onError: config.rateLimit.store.onError,
      onStoreError: (err) => {
        onError('rate-limits', err);
        redisDown('rate limits', config.rateLimit.store.onError);
      },
    }),
    clients,
    keys,
    clientNonces: deps.clientNonces ?? createMemoryNonceLedger(),
    ...(deps.sharedClientNonces ? { sharedClientNonces: deps.sharedClientNonces } : {}),
    replays: deps.replays ?? createReplayCache(() => clock.now()),
    usage: deps.usage ?? createUsageTracker(),
    evaluate: deps.evaluate,
    marketData,
    monitored: deps.monitor !== undefined,
    ...(deps.approvals ? { approvals: deps.approvals } : {}),
    ...(budgets ? { budgets } : {}),
    audit,
    onError,
  };
  const pipeline: Pipeline = createPipeline(env);

  const unauthenticated = createDenialAggregator(() => clock.now());
  let drainedAt = 0;
  /** Write the summaries of finished minutes (at most once a second; also on a timer, below). */
  function drainSummaries(all = false): void {
    const t = clock.now();
    if (!all && t - drainedAt < 1_000) return;
    drainedAt = t;
    for (const s of unauthenticated.drain(all)) {
      audit
        .append({
          kind: 'request',
          exchange: s.exchange,
          sourceIp: s.sourceIp,
          decision: 'deny',
          rule: 'unauthenticated',
          message: `${s.count} more denied requests without a known client from ${s.sourceIp} in the minute from ${new Date(s.minute).toISOString()}`,
          detail: { count: s.count, minute: s.minute },
        })
        .catch((err: unknown) => onError('unauthenticated-summary', err));
    }
  }
  setInterval(() => drainSummaries(), 15_000).unref();

  const report: Report = createReport({
    audit,
    clock,
    keys,
    unauthenticated,
    drainSummaries: () => drainSummaries(),
    onError,
    ...(deps.monitor ? { monitor: deps.monitor } : {}),
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
  });

  const ws: WsHooks = {
    config,
    clock,
    adapters: deps.adapters,
    upstreams: deps.upstreams,
    // Same services and caches; only this connection's adapter (WebSocket payloads) and upstream (its socket).
    // The same rate budgets too, spent at the exchange's WebSocket costs (docs/rate-budgets.md).
    pipelineFor: (exchange, adapter, upstream) =>
      createPipeline({
        ...env,
        budgets: budgets ? connectionBudgets(budgets) : undefined,
        adapters: { ...env.adapters, [exchange]: adapter },
        upstreams: { ...env.upstreams, [exchange]: upstream },
      }),
    report,
    resume: {
      async key(keyId, view) {
        // As the authenticate stage does: records read under an older client state are dropped.
        keys.follow(view);
        return keys.record(keyId);
      },
      resign: createResign(env),
    },
    audit,
    clients,
    isSealed: () => vault.isSealed(),
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
    onError,
  };

  return {
    ws,
    async handle(req) {
      const started = performance.now();
      const outcome = await pipeline(edgeRequest(req));
      const recording = report(outcome, () => performance.now() - started);
      if (recording) await recording;
      return render(outcome);
    },
    errorAnswer(rawUrl, code, requestId, message) {
      const exchange = checkTarget(rawUrl).exchange;
      return renderError(
        exchange ? deps.adapters[exchange] : undefined,
        code,
        requestId,
        message ?? ERROR_CODES[code].message,
      );
    },
    invalidate() {
      clients.invalidate();
      keys.clear();
    },
    nonceFor: (keyId) => keys.nonce(keyId),
    async readiness() {
      const sealed = vault.isSealed();
      const [r, shared] = await Promise.all([
        deps.ready
          ? deps.ready().catch(() => ({ store: false, audit: false }))
          : { store: true, audit: true },
        pingShared(deps),
      ]);
      return {
        ready: !sealed && r.store && r.audit && !shared.blocking,
        sealed,
        ...r,
        ...(shared.redis === undefined ? {} : { redis: shared.redis }),
      };
    },
  };
}

/**
 * Do the shared stores (Redis: rate limits, rate budgets) answer? `redis` is undefined when none
 * is configured (memory). Only a store that fails closed makes the instance not ready: one set to
 * fail open (`onError: open`) was chosen to keep serving, and taking every instance out of the
 * balancer at once would be the outage that choice avoids; `redis: false` still says so.
 */
async function pingShared(deps: GatewayDeps): Promise<{ redis?: boolean; blocking: boolean }> {
  const { rateLimit, rateBudgets } = deps.config;
  const stores = [
    { store: deps.limitStore, closed: rateLimit.store.onError === 'closed' },
    { store: deps.budgetStore, closed: rateBudgets.store.onError === 'closed' },
  ];
  const results = await Promise.all(
    stores.flatMap(({ store, closed }) =>
      store?.ping
        ? [
            store.ping().then(
              (up) => ({ up, closed }),
              () => ({ up: false, closed }),
            ),
          ]
        : [],
    ),
  );
  if (results.length === 0) return { blocking: false };
  return { redis: results.every((r) => r.up), blocking: results.some((r) => !r.up && r.closed) };
}

/**
 * The rate budgets (on unless `rateBudgets.enabled: false`): the store passed in (Redis, shared by
 * instances) or this process's memory; stops become alerts, readings and sheds become metrics.
 */
function buildBudgets(
  deps: GatewayDeps,
  clock: Clock,
  onError: (requestId: string, err: unknown) => void,
  redisDown: (what: string, mode: 'closed' | 'open') => void,
): RateBudgets | undefined {
  const config = deps.config.rateBudgets;
  if (!config.enabled) return undefined;
  const metrics = deps.metrics ? budgetMetrics(deps.metrics.registry) : undefined;
  return createRateBudgets({
    config,
    rules: RATE_RULES,
    store: deps.budgetStore ?? createMemoryBudgetStore(),
    clock,
    hooks: {
      ...(metrics ? { onShed: metrics.onShed, onReading: metrics.onReading } : {}),
      onStop(stop) {
        metrics?.recordStop(stop.exchange, stop.scope);
        const whom = stop.scope === 'key' ? `key ${stop.keyLabel ?? ''}`.trim() : 'the egress IP';
        deps.monitor?.observe({
          type: 'system',
          at: clock.now(),
          kind: stop.status === 418 ? 'exchange_ip_banned' : 'exchange_rate_limited',
          ...(stop.keyLabel ? { keyLabel: stop.keyLabel } : {}),
          message: `${stop.exchange} answered ${stop.status} (${stop.reason}): every request through ${whom} is held back for ${stop.retryAfterSeconds} s, until ${new Date(stop.untilMs).toISOString()}`,
          detail: {
            exchange: stop.exchange,
            scope: stop.scope,
            status: stop.status,
            retryAfterSeconds: stop.retryAfterSeconds,
          },
        });
      },
      onStoreError: (err) => {
        onError('rate-budgets', err);
        redisDown('rate budgets', config.store.onError);
      },
    },
  });
}
