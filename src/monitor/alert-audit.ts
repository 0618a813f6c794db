import type { AuditEvent } from '../audit/index.js';
import type { Alert } from './monitor-types.js';

/**
 * An alert as an audit record (`kind: 'alert'`), so the hash-chained log shows what was
 * raised next to the requests that raised it. The alert's text never holds a secret or a
 * client key id (rules build it from names, codes and endpoints only).
 */
export function alertAuditEvent(alert: Alert): AuditEvent {
  const exchange = alert.detail?.exchange;
  return {
    kind: 'alert',
    actor: 'monitor',
    rule: alert.rule,
    message: alert.message,
    ...(typeof exchange === 'string' ? { exchange } : {}),
    detail: {
      alertId: alert.id,
      alertAt: alert.at,
      severity: alert.severity,
      title: alert.title,
      ...(alert.client !== undefined ? { client: alert.client } : {}),
      ...(alert.keyLabel !== undefined ? { keyLabel: alert.keyLabel } : {}),
      ...(alert.detail ? { alert: jsonSafe(alert.detail) } : {}),
    },
  };
}

/** Detail values are statistics and strings; JSON round-trip turns a stray NaN into null instead of failing the append. */
function jsonSafe(value: Record<string, unknown>): Record<string, unknown> {
  try {
    return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
  } catch {
    return {};
  }
}
