import type { Severity } from './monitor-types.js';

/**
 * Every alert rule the monitor can raise, with its default severity. The list is closed
 * because rule ids become metric labels and config keys: adding a rule means adding it here.
 */
export const RULE_SEVERITY = {
  'request.denied': 'warning',
  'request.would_deny': 'info',
  'request.ip_not_allowed': 'critical',
  'request.withdrawal': 'warning',
  'request.withdrawal_denied': 'critical',
  'request.transfer': 'warning',
  'request.transfer_denied': 'critical',
  'auth.failure_burst_ip': 'warning',
  'auth.failure_burst': 'critical',
  'client.frozen': 'warning',
  'client.revoked': 'warning',
  'client.changed': 'warning',
  'key.frozen': 'warning',
  'key.retired': 'info',
  'key.rotation_due': 'info',
  'key.rotation_overdue': 'warning',
  'key.over_permissive': 'critical',
  'key.leaked': 'critical',
  'gateway.sealed': 'critical',
  'gateway.lockdown': 'critical',
  'audit.write_failed': 'critical',
  'store.unavailable': 'critical',
  'redis.unavailable': 'critical',
  'approval.pending': 'warning',
  'exchange.rate_limited': 'warning',
  'exchange.ip_banned': 'critical',
  'anomaly.rate_spike': 'warning',
  'anomaly.new_symbol': 'warning',
  'anomaly.new_ip': 'warning',
  'anomaly.notional_outlier': 'warning',
  'anomaly.unusual_hour': 'info',
  'admin.login_failed': 'warning',
  'monitor.test': 'info',
} as const satisfies Record<string, Severity>;

export type RuleId = keyof typeof RULE_SEVERITY;

export const RULE_IDS = Object.keys(RULE_SEVERITY) as RuleId[];

export const SEVERITIES = ['info', 'warning', 'critical'] as const satisfies readonly Severity[];

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

/** True when `severity` is at least `threshold`. */
export function atLeast(severity: Severity, threshold: Severity): boolean {
  return RANK[severity] >= RANK[threshold];
}
