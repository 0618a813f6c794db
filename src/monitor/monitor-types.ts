/**
 * What the gateway and the lifecycle commands tell the monitor, and what the monitor
 * raises. The gateway calls `observe` after each request without awaiting anything slow:
 * alert delivery happens off the request path.
 */

export type Severity = 'info' | 'warning' | 'critical';

/** One finished gateway request, as the monitor sees it (no secrets, no raw client key ids). */
export interface RequestEvent {
  type: 'request';
  at: number;
  requestId: string;
  /** Client name, or undefined when authentication failed before a client was known. */
  client?: string;
  keyLabel?: string;
  exchange: string;
  action: string;
  endpoint: string;
  symbols: string[];
  /** Largest order notional in the request (quote currency), when known. */
  notional?: number;
  sourceIp: string;
  decision: 'allow' | 'deny' | 'would-deny';
  /** Denial code (ErrorCode) or policy rule. */
  code?: string;
  message?: string;
  upstreamStatus?: number;
  latencyMs: number;
}

/** Something outside the request flow that deserves an alert. */
export interface SystemEvent {
  type: 'system';
  at: number;
  kind:
    | 'client_frozen'
    | 'client_revoked'
    | 'client_changed'
    | 'key_frozen'
    | 'key_retired'
    | 'key_rotation_due'
    | 'key_rotation_overdue'
    | 'key_over_permissive'
    | 'gateway_sealed'
    | 'audit_write_failed'
    | 'store_unavailable'
    | 'redis_unavailable'
    | 'leaked_key_found'
    | 'lockdown'
    | 'admin_login_failed'
    | 'approval_pending'
    | 'exchange_rate_limited'
    | 'exchange_ip_banned';
  client?: string;
  keyLabel?: string;
  message: string;
  detail?: Record<string, unknown>;
}

export type MonitorEvent = RequestEvent | SystemEvent;

export interface Alert {
  id: string;
  at: number;
  /** Stable rule id, e.g. `request.denied`, `anomaly.rate_spike`. */
  rule: string;
  severity: Severity;
  title: string;
  /** What was expected and what was seen, in words. */
  message: string;
  client?: string;
  keyLabel?: string;
  /** Alerts with the same dedupKey inside the throttle window are folded into one message with a count. */
  dedupKey: string;
  detail?: Record<string, unknown>;
}

export interface Monitor {
  /** Never throws, never blocks: evaluation is synchronous and cheap, delivery is queued. */
  observe(event: MonitorEvent): void;
  /** Subscribe to raised alerts (audit, auto-freeze, dashboard feed). */
  onAlert(listener: (alert: Alert) => void): () => void;
  /** Wait until queued deliveries are done (tests, shutdown). */
  flush(): Promise<void>;
  close(): Promise<void>;
}
