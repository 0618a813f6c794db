import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { ACTIONS, ERROR_CODES, EXCHANGE_IDS } from '../core/index.js';
import { RATE_RULES } from '../exchanges/index.js';
import { POLICY_RULES } from '../policy/index.js';
import type { Alert, RequestEvent } from './monitor-types.js';
import { RULE_IDS, SEVERITIES } from './rule-ids.js';

/**
 * Prometheus metrics for one process, on a registry of its own (never prom-client's global
 * one, so two gateways in one test process do not share counters). Every label value comes
 * from a closed set; anything else is recorded as `other`, so a hostile request can neither
 * blow up cardinality nor smuggle a secret or a client key id into /metrics.
 */

export const SINK_TYPES = ['discord', 'slack', 'telegram', 'webhook', 'email'] as const;

/** The closed label sets, exported so tests can check /metrics against them. */
export const LABEL_VALUES = {
  exchange: [...EXCHANGE_IDS, 'other'],
  action: [...ACTIONS, 'other'],
  decision: ['allow', 'deny', 'would-deny', 'other'],
  code: [...Object.keys(ERROR_CODES), ...POLICY_RULES, 'none', 'other'],
  rule: [...RULE_IDS, 'other'],
  severity: [...SEVERITIES, 'other'],
  sink: [...SINK_TYPES, 'other'],
  outcome: ['ok', 'retry', 'failed', 'dropped'],
  kind: ['5xx', '429', 'unreachable'],
  // The rate budgets' metrics (src/gateway/budget/budget-metrics.ts).
  scope: ['ip', 'key', 'connection'],
  limit: [...new Set(Object.values(RATE_RULES).flatMap((r) => r.limits.map((l) => l.id))), 'other'],
  reason: ['budget', 'stopped', 'queue_full', 'store_error'],
} as const satisfies Record<string, readonly string[]>;

type LabelName = keyof typeof LABEL_VALUES;

const SETS = Object.fromEntries(
  Object.entries(LABEL_VALUES).map(([k, v]) => [k, new Set<string>(v)]),
) as Record<LabelName, Set<string>>;

/** The value itself when it belongs to the label's closed set, else `other`. */
export function clampLabel(label: LabelName, value: string | undefined): string {
  if (value === undefined) return label === 'code' ? 'none' : 'other';
  return SETS[label].has(value) ? value : 'other';
}

export interface MonitorMetrics {
  readonly registry: Registry;
  /** Count a finished gateway request (the monitor calls this from observe). */
  recordRequest(event: RequestEvent): void;
  recordAlert(alert: Alert): void;
  recordDelivery(sinkType: string, outcome: 'ok' | 'retry' | 'failed' | 'dropped'): void;
  /** The audit log calls this with how long one append took. */
  observeAuditWrite(seconds: number): void;
  setVaultSealed(sealed: boolean): void;
  /** Text exposition for GET /metrics. */
  render(): Promise<string>;
  readonly contentType: string;
}

export function createMetrics(options: { processMetrics?: boolean; prefix?: string } = {}): MonitorMetrics {
  const registry = new Registry();
  const p = options.prefix ?? 'keywarden_';
  if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix: p });

  const requests = new Counter({
    name: `${p}requests_total`,
    help: 'Gateway requests by exchange, action and decision',
    labelNames: ['exchange', 'action', 'decision'],
    registers: [registry],
  });
  const denials = new Counter({
    name: `${p}request_denials_total`,
    help: 'Denied (or would-deny) requests by exchange and denial code or policy rule',
    labelNames: ['exchange', 'code'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: `${p}request_duration_seconds`,
    help: 'Gateway request latency including the upstream call',
    labelNames: ['exchange'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const upstreamErrors = new Counter({
    name: `${p}upstream_errors_total`,
    help: 'Upstream exchange failures: 5xx answers, 429 answers, or no answer',
    labelNames: ['exchange', 'kind'],
    registers: [registry],
  });
  const alerts = new Counter({
    name: `${p}alerts_total`,
    help: 'Alerts raised by rule and severity',
    labelNames: ['rule', 'severity'],
    registers: [registry],
  });
  const deliveries = new Counter({
    name: `${p}alert_deliveries_total`,
    help: 'Alert messages per sink type and outcome (dropped = queue full)',
    labelNames: ['sink', 'outcome'],
    registers: [registry],
  });
  const auditWrite = new Histogram({
    name: `${p}audit_write_duration_seconds`,
    help: 'Time to append one audit record',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  const sealed = new Gauge({
    name: `${p}vault_sealed`,
    help: '1 while the vault is sealed, 0 when unsealed',
    registers: [registry],
  });
  sealed.set(1);

  return {
    registry,
    contentType: registry.contentType,
    recordRequest(event) {
      const exchange = clampLabel('exchange', event.exchange);
      requests.inc({
        exchange,
        action: clampLabel('action', event.action),
        decision: clampLabel('decision', event.decision),
      });
      if (event.decision !== 'allow') denials.inc({ exchange, code: clampLabel('code', event.code) });
      if (Number.isFinite(event.latencyMs) && event.latencyMs >= 0)
        latency.observe({ exchange }, event.latencyMs / 1000);
      const status = event.upstreamStatus;
      if (status !== undefined && status >= 500) upstreamErrors.inc({ exchange, kind: '5xx' });
      else if (status === 429) upstreamErrors.inc({ exchange, kind: '429' });
      else if (event.code === 'upstream_failed') upstreamErrors.inc({ exchange, kind: 'unreachable' });
    },
    recordAlert(alert) {
      alerts.inc({ rule: clampLabel('rule', alert.rule), severity: clampLabel('severity', alert.severity) });
    },
    recordDelivery(sinkType, outcome) {
      deliveries.inc({ sink: clampLabel('sink', sinkType), outcome });
    },
    observeAuditWrite(seconds) {
      if (Number.isFinite(seconds) && seconds >= 0) auditWrite.observe(seconds);
    },
    setVaultSealed(value) {
      sealed.set(value ? 1 : 0);
    },
    render() {
      return registry.metrics();
    },
  };
}
