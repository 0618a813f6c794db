/** The monitor's public surface: what the gateway, the lifecycle and the CLI may use. */

export { type AlertAck, type AlertAcks, createAlertAcks } from './alert-acks.js';
export { alertAuditEvent } from './alert-audit.js';
export { type ClientStateChanges, withClientAlerts } from './client-alerts.js';
export { clampLabel, createMetrics, LABEL_VALUES, type MonitorMetrics } from './metrics.js';
export { createMonitor, createMonitorFromConfig, type MonitorOptions } from './monitor.js';
export {
  describeConfigError,
  type MonitorConfig,
  monitorConfigSchema,
  type SinkConfig,
} from './monitor-config.js';
export type { Alert, Monitor, MonitorEvent, RequestEvent, Severity, SystemEvent } from './monitor-types.js';
export { monitoredAuditLog } from './monitored-audit.js';
export { type MonitorHandle, type OpenMonitorDeps, openMonitor } from './open-monitor.js';
export { RULE_IDS, RULE_SEVERITY, type RuleId } from './rule-ids.js';
export { rotationEvent } from './rules.js';
export { buildSinks, type ConfiguredSink, type DeliveryOptions } from './sinks/build.js';
export type { AlertMessage, AlertSink } from './sinks/sink-types.js';
export { SinkError } from './sinks/sink-types.js';
export {
  DELIVERY_HEADER,
  SIGNATURE_HEADER,
  signWebhook,
  TIMESTAMP_HEADER,
  verifyWebhookSignature,
} from './sinks/webhook.js';
export { type StoreHealth, watchStoreHealth } from './store-health.js';
export { sendTestAlert } from './test-alert.js';
