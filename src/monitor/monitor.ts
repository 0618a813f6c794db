import { randomUUID } from 'node:crypto';
import type { Dispatcher } from 'undici';
import type { Clock } from '../core/index.js';
import type { AlertDraft } from './alert-draft.js';
import { createAnomalyDetector } from './anomaly/anomaly.js';
import { createDispatcher } from './dispatcher.js';
import type { MonitorMetrics } from './metrics.js';
import {
  type AnomalyConfig,
  anomalyConfigSchema,
  type ClientMonitorConfig,
  type MonitorConfig,
  type RulesConfig,
  rulesConfigSchema,
} from './monitor-config.js';
import type { Alert, Monitor, MonitorEvent } from './monitor-types.js';
import { RULE_SEVERITY, type RuleId } from './rule-ids.js';
import { createRuleEngine } from './rules.js';
import { buildSinks, type ConfiguredSink } from './sinks/build.js';

export interface MonitorOptions {
  rules?: RulesConfig;
  anomaly?: AnomalyConfig;
  /** Per-client settings (autoFreeze, anomaly on/off, warm-up override). */
  clients?: Record<string, ClientMonitorConfig>;
  sinks?: ConfiguredSink[];
  clock?: Clock;
  /**
   * Freezes a client (supplied by the gateway/lifecycle). Called, off the request path,
   * for a critical alert about a client whose config says `autoFreeze: true`.
   */
  freezeClient?: (name: string, reason: string) => Promise<void> | void;
  onAlert?: (alert: Alert) => void;
  metrics?: MonitorMetrics;
  /** A sink finally failed to deliver a message (text is safe to log). */
  onDeliveryError?: (sinkName: string, message: string) => void;
  /** An evaluation step, a listener or freezeClient threw; observe() itself never does. */
  onInternalError?: (err: unknown) => void;
  /** Minimum time between two automatic freezes of the same client. */
  autoFreezeCooldownMs?: number;
}

/** Rules about a freeze itself never trigger another freeze. */
const NO_AUTO_FREEZE = new Set<RuleId>(['client.frozen', 'client.revoked']);

export function createMonitor(options: MonitorOptions = {}): Monitor {
  const clock = options.clock ?? { now: () => Date.now() };
  const rulesConfig = options.rules ?? rulesConfigSchema.parse({});
  const disabled = new Set<RuleId>(rulesConfig.disabled);
  const rules = createRuleEngine(rulesConfig);
  const clients = options.clients ?? {};
  const anomaly = createAnomalyDetector(options.anomaly ?? anomalyConfigSchema.parse({}), clients);
  const dispatcher = createDispatcher(options.sinks ?? [], {
    clock,
    metrics: options.metrics,
    onDeliveryError: options.onDeliveryError,
  });
  const listeners = new Set<(alert: Alert) => void>();
  if (options.onAlert) listeners.add(options.onAlert);
  const lastFreeze = new Map<string, number>();
  const cooldownMs = options.autoFreezeCooldownMs ?? 60_000;
  const internalError = (err: unknown) => {
    try {
      options.onInternalError?.(err);
    } catch {
      // A broken error hook must not break observe() either.
    }
  };

  function raise(draft: AlertDraft): void {
    if (disabled.has(draft.rule)) return;
    const alert: Alert = {
      ...draft,
      // randomUUID draws on a cached entropy pool: far cheaper on the request path than prefixedId.
      id: `alr_${randomUUID()}`,
      at: clock.now(),
      severity: rulesConfig.severity[draft.rule] ?? RULE_SEVERITY[draft.rule],
    };
    options.metrics?.recordAlert(alert);
    for (const listener of listeners) {
      try {
        listener(alert);
      } catch (err) {
        internalError(err);
      }
    }
    dispatcher.submit(alert);
    maybeFreeze(alert);
  }

  function maybeFreeze(alert: Alert): void {
    const client = alert.client;
    const freeze = options.freezeClient;
    if (alert.severity !== 'critical' || !client || !freeze || NO_AUTO_FREEZE.has(alert.rule as RuleId))
      return;
    if (!(Object.hasOwn(clients, client) && clients[client]?.autoFreeze)) return;
    const now = clock.now();
    const last = lastFreeze.get(client);
    if (last !== undefined && now - last < cooldownMs) return;
    lastFreeze.set(client, now);
    const reason = `auto-freeze on critical alert ${alert.rule}: ${alert.title}`;
    // Off the request path: the freeze writes to the store and the audit log.
    setImmediate(() => {
      Promise.resolve()
        .then(() => freeze(client, reason))
        .catch(internalError);
    });
  }

  return {
    observe(event: MonitorEvent) {
      try {
        if (event.type === 'request') options.metrics?.recordRequest(event);
        const drafts = rules.evaluate(event);
        if (event.type === 'request') drafts.push(...anomaly.observe(event));
        for (const draft of drafts) raise(draft);
      } catch (err) {
        internalError(err);
      }
    },
    onAlert(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    flush: () => dispatcher.flush(),
    close: () => dispatcher.close(),
  };
}

/** Everything from the parsed `monitor:` config section: rules, anomaly detection, sinks. */
export function createMonitorFromConfig(
  config: MonitorConfig,
  deps: Omit<MonitorOptions, 'rules' | 'anomaly' | 'clients' | 'sinks'> & {
    env?: NodeJS.ProcessEnv;
    dispatcher?: Dispatcher;
  } = {},
): Monitor {
  const { env, dispatcher, ...rest } = deps;
  if (!config.enabled)
    return createMonitor({
      ...rest,
      rules: { ...config.rules, disabled: allRules() },
      anomaly: { ...config.anomaly, enabled: false },
    });
  return createMonitor({
    ...rest,
    rules: config.rules,
    anomaly: config.anomaly,
    clients: config.clients,
    sinks: buildSinks(config.sinks, { env, dispatcher }),
  });
}

function allRules(): RuleId[] {
  return Object.keys(RULE_SEVERITY) as RuleId[];
}
