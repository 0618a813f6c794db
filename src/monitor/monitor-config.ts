import { z } from 'zod';
import { RULE_IDS, type RuleId, SEVERITIES } from './rule-ids.js';

/**
 * The `monitor:` section of keywarden.yaml. Every object is strict so an unknown key is
 * rejected with its path; every field has a default so `monitor: {}` is a working config
 * (rules on, anomaly detection on, no sinks).
 */

const severity = z.enum(SEVERITIES);
const name = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, `.`, `_` or `-`');

/** A secret is given inline or, better, as the name of an environment variable holding it. */
export const secretRefSchema = z.union([
  z.string().min(1).max(4096),
  z.strictObject({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name') }),
]);
export type SecretRef = z.infer<typeof secretRefSchema>;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** https anywhere; plain http only to loopback, so alert text and tokens never cross a network in clear. */
export function isAllowedEndpoint(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
  } catch {
    return false;
  }
}

const endpointUrl = z
  .string()
  .max(2048)
  .refine(isAllowedEndpoint, 'an https URL (plain http only to 127.0.0.1/localhost)');

/** A URL that is itself a credential (Discord and Slack webhook URLs embed their token). */
const secretUrl = z.union([
  endpointUrl,
  z.strictObject({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name') }),
]);

const delivery = {
  /** Alerts below this severity are not sent to this sink. */
  minSeverity: severity.default('warning'),
  /** How long the first alert of a group waits for identical ones, so a storm becomes one message. */
  groupWaitMs: z.number().int().min(0).max(600_000).default(2_000),
  /** After a message, identical alerts (same dedup key) are counted and sent as one summary per window. */
  throttleWindowSeconds: z.number().int().min(1).max(86_400).default(300),
  /** Delivery attempts per message, including the first. */
  maxAttempts: z.number().int().min(1).max(10).default(4),
  backoffBaseMs: z.number().int().min(1).max(60_000).default(1_000),
  backoffMaxMs: z.number().int().min(1).max(600_000).default(30_000),
  /** Per attempt, whole request (connect + answer). */
  timeoutMs: z.number().int().min(100).max(120_000).default(5_000),
  /** Messages waiting for this sink; beyond it new messages are dropped and counted. */
  queueSize: z.number().int().min(1).max(100_000).default(1_000),
};

const discordSink = z.strictObject({ type: z.literal('discord'), name, url: secretUrl, ...delivery });
const slackSink = z.strictObject({ type: z.literal('slack'), name, url: secretUrl, ...delivery });
const telegramSink = z.strictObject({
  type: z.literal('telegram'),
  name,
  botToken: secretRefSchema,
  chatId: z.union([z.string().min(1).max(128), z.number().int()]),
  baseUrl: endpointUrl.default('https://api.telegram.org'),
  ...delivery,
});
const webhookSink = z.strictObject({
  type: z.literal('webhook'),
  name,
  url: endpointUrl,
  /** HMAC-SHA256 key for the signature header (at least 16 characters). */
  secret: secretRefSchema.refine((s) => typeof s !== 'string' || s.length >= 16, 'at least 16 characters'),
  ...delivery,
});
const emailSink = z.strictObject({
  type: z.literal('email'),
  name,
  host: z.string().min(1).max(253),
  port: z.number().int().min(1).max(65_535).default(587),
  /** `tls`: implicit TLS (port 465); `starttls`: upgrade required; `none`: loopback relays only. */
  security: z.enum(['tls', 'starttls', 'none']).default('starttls'),
  user: z.string().min(1).max(256).optional(),
  password: secretRefSchema.optional(),
  from: z.string().min(3).max(256),
  to: z.array(z.string().min(3).max(256)).min(1).max(50),
  ...delivery,
});

export const sinkConfigSchema = z
  .discriminatedUnion('type', [discordSink, slackSink, telegramSink, webhookSink, emailSink])
  .refine((s) => s.type !== 'email' || s.security !== 'none' || LOOPBACK_HOSTS.has(s.host), {
    message: 'security: none is only allowed for a loopback SMTP relay',
    path: ['security'],
  });
export type SinkConfig = z.infer<typeof sinkConfigSchema>;
export type SinkType = SinkConfig['type'];

const burst = z.strictObject({
  count: z.number().int().min(1).max(100_000),
  windowSeconds: z.number().int().min(1).max(86_400),
});

export const rulesConfigSchema = z.strictObject({
  /** Rules that never raise. */
  disabled: z.array(z.enum(RULE_IDS as [RuleId, ...RuleId[]])).default([]),
  /** Severity overrides per rule id. */
  severity: z.partialRecord(z.enum(RULE_IDS as [RuleId, ...RuleId[]]), severity).default({}),
  /** Failed client authentications (codes auth_*) from one source IP. */
  authFailuresPerIp: burst.default({ count: 10, windowSeconds: 60 }),
  /** Failed client authentications across all sources. */
  authFailuresOverall: burst.default({ count: 100, windowSeconds: 60 }),
  /** A key is "due" this many days before its rotation deadline. */
  rotationDueDays: z.number().int().min(1).max(365).default(14),
  /**
   * Conditions the gateway reports on every affected request (`gateway.sealed`,
   * `audit.write_failed`) raise at most once per this many seconds.
   */
  repeatSeconds: z.number().int().min(1).max(86_400).default(60),
});
export type RulesConfig = z.infer<typeof rulesConfigSchema>;

const warmup = z.strictObject({
  /** Both must be reached before a client's anomalies alert (set one to 0 to rely on the other). */
  events: z.number().int().min(0).max(10_000_000).default(200),
  minutes: z.number().int().min(0).max(525_600).default(60),
});

export const anomalyConfigSchema = z.strictObject({
  enabled: z.boolean().default(true),
  warmup: warmup.default({ events: 200, minutes: 60 }),
  rate: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** EWMA smoothing per active minute (0..1); higher forgets faster. */
      alpha: z.number().gt(0).lt(1).default(0.1),
      /** Spike when the minute's count exceeds mean + k·sd ... */
      k: z.number().positive().max(100).default(4),
      /** ... and this floor (requests per minute). */
      floorPerMinute: z.number().int().min(1).default(60),
    })
    .default({ enabled: true, alpha: 0.1, k: 4, floorPerMinute: 60 }),
  newSymbol: z.strictObject({ enabled: z.boolean().default(true) }).default({ enabled: true }),
  newIp: z.strictObject({ enabled: z.boolean().default(true) }).default({ enabled: true }),
  notional: z
    .strictObject({
      enabled: z.boolean().default(true),
      alpha: z.number().gt(0).lt(1).default(0.05),
      /** Outlier when log-notional is more than z standard deviations above the mean ... */
      z: z.number().positive().max(100).default(4),
      /** ... and the notional is at least this multiple of the usual one. */
      minRatio: z.number().min(1).default(5),
    })
    .default({ enabled: true, alpha: 0.05, z: 4, minRatio: 5 }),
  hours: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** The client's history must span this many hours before a never-used hour alerts. */
      minHistoryHours: z.number().int().min(0).max(8_760).default(72),
    })
    .default({ enabled: true, minHistoryHours: 72 }),
});
export type AnomalyConfig = z.infer<typeof anomalyConfigSchema>;

export const clientMonitorSchema = z.strictObject({
  /** Freeze the client (through the injected callback) when one of its alerts is critical. */
  autoFreeze: z.boolean().default(false),
  /** Anomaly detection for this client. */
  anomaly: z.boolean().default(true),
  warmup: warmup.optional(),
});
export type ClientMonitorConfig = z.infer<typeof clientMonitorSchema>;

export const monitorConfigSchema = z.strictObject({
  enabled: z.boolean().default(true),
  rules: rulesConfigSchema.default(rulesConfigSchema.parse({})),
  anomaly: anomalyConfigSchema.default(anomalyConfigSchema.parse({})),
  /** Keyed by client name (as the lifecycle names clients). */
  clients: z.record(z.string().min(1).max(128), clientMonitorSchema).default({}),
  sinks: z
    .array(sinkConfigSchema)
    .max(32)
    .default([])
    .refine((sinks) => new Set(sinks.map((s) => s.name)).size === sinks.length, 'sink names must be unique'),
});
export type MonitorConfig = z.infer<typeof monitorConfigSchema>;

/** One line per problem, each naming the key's path under `monitor`. */
export function describeConfigError(error: z.ZodError, prefix = 'monitor'): string {
  return error.issues
    .map((issue) => {
      const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
      return `${path}: ${issue.message}`;
    })
    .join('; ');
}
