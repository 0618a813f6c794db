/**
 * keywarden.yaml: parsed once at boot with zod (unknown keys rejected, naming the key path),
 * then KEYWARDEN_* environment overrides, then frozen and passed down.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { auditConfigSchema, DEFAULT_CHECKPOINT_EVERY } from '../audit/index.js';
import { EXCHANGE_IDS, type ExchangeId, KeywardenError } from '../core/index.js';
import { monitorConfigSchema } from '../monitor/index.js';
import { isPostgresUrl } from '../store/index.js';
import { approvalsConfigSchema, DEFAULT_APPROVAL_TTL_HOURS } from './approvals-config.js';
import { DEFAULT_RATE_BUDGETS, rateBudgetsConfigSchema } from './rate-budgets-config.js';
import { redisStoreSchema } from './redis-store-config.js';

export const DEFAULT_LISTEN = '127.0.0.1:8787';
export const CONFIG_FILE = 'keywarden.yaml';

const cidr = z.string().refine(isCidr, { message: 'expected an IP address or CIDR block' });

const exchangeSchema = z
  .object({
    baseUrl: z
      .string()
      .refine(isAllowedBaseUrl, { message: 'must be https://, or http:// to a loopback address only' })
      .optional(),
    enabled: z.boolean().default(true),
  })
  .strict();

export const configSchema = z
  .object({
    server: z
      .object({
        listen: z.string().default(DEFAULT_LISTEN),
        /** Largest request body accepted from a client, in bytes (413 above it). */
        bodyLimitBytes: z.number().int().positive().max(16_777_216).default(65_536),
        /** Only from these peers is X-Forwarded-For believed. */
        trustedProxies: z.array(cidr).default([]),
        /**
         * Forward public market-data requests that carry no client credential. Unset: only
         * when the listener is a loopback address (the anonymous relay spends the gateway IP's
         * exchange weight, so it is not offered to the network by default).
         */
        allowAnonymousPublic: z.boolean().optional(),
        /** Exchange request weight the anonymous relay may spend per exchange and minute, all sources together. */
        anonymousPublicWeightPerMinute: z.number().int().positive().max(1_000_000).default(1_200),
        /**
         * Who may read GET /metrics (counts only, no secrets, but a map of the traffic): the
         * loopback peer only (default), anyone who reaches the listener, or a bearer token read
         * from the environment variable `tokenEnv`.
         */
        metrics: z
          .object({
            access: z.enum(['loopback', 'open', 'token']).default('loopback'),
            tokenEnv: z
              .string()
              .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
              .optional(),
          })
          .strict()
          .refine((m) => m.access !== 'token' || m.tokenEnv !== undefined, {
            message:
              'metrics.access "token" needs metrics.tokenEnv (the environment variable holding the token)',
          })
          .default({ access: 'loopback' }),
        tls: z
          .object({
            cert: z.string(),
            key: z.string(),
            /** CA bundle that client certificates must chain to (mTLS). */
            ca: z.string().optional(),
            requireClientCert: z.boolean().default(false),
          })
          .strict()
          .optional(),
      })
      .strict()
      .default({
        listen: DEFAULT_LISTEN,
        bodyLimitBytes: 65_536,
        trustedProxies: [],
        anonymousPublicWeightPerMinute: 1_200,
        metrics: { access: 'loopback' },
      }),
    upstream: z
      .object({
        connectionsPerOrigin: z.number().int().positive().max(1024).default(64),
        timeoutMs: z.number().int().positive().max(120_000).default(10_000),
        keepAliveMs: z.number().int().positive().max(600_000).default(30_000),
      })
      .strict()
      .default({ connectionsPerOrigin: 64, timeoutMs: 10_000, keepAliveMs: 30_000 }),
    rateLimit: z
      .object({
        /** Default per-client token bucket; a client's own `--rate` overrides it (0 = unlimited). */
        perSecond: z.number().nonnegative().default(20),
        burst: z.number().positive().default(40),
        /** Per source IP, before authentication: every request counts, known client or not (0 = unlimited). */
        perIpPerSecond: z.number().nonnegative().default(1_000),
        perIpBurst: z.number().positive().default(2_000),
        /**
         * Where the buckets live: this process's memory (no `url`), or Redis shared by every
         * gateway instance (docs/deployment.md); schema in ./redis-store-config.ts.
         */
        store: redisStoreSchema('kw:limit:'),
      })
      .strict()
      .default({
        perSecond: 20,
        burst: 40,
        perIpPerSecond: 1_000,
        perIpBurst: 2_000,
        store: { onError: 'closed', timeoutMs: 250, prefix: 'kw:limit:' },
      }),
    prices: z
      .object({
        ttlMs: z.number().int().positive().max(60_000).default(3_000),
        /** A failed price lookup is retried after this long, not on every order. */
        failureTtlMs: z.number().int().positive().max(60_000).default(2_000),
        /** Market orders count at the market price plus this margin (percent). */
        slippagePercent: z.number().finite().nonnegative().max(100).default(2),
      })
      .strict()
      .default({ ttlMs: 3_000, failureTtlMs: 2_000, slippagePercent: 2 }),
    lifecycle: z
      .object({
        /** Days between rotations per environment (null = none). Default: prod keys every 90 days. */
        rotationDays: z
          .object({
            prod: z.number().int().positive().max(3650).nullable().default(90),
            test: z.number().int().positive().max(3650).nullable().default(null),
            dev: z.number().int().positive().max(3650).nullable().default(null),
          })
          .strict()
          .default({ prod: 90, test: null, dev: null }),
        /** How long the old credential keeps signing after `key rotate` switches clients over. */
        rotationGraceSeconds: z.number().int().nonnegative().max(86_400).default(60),
        /** `serve` re-verifies every key and checks rotation this often (0 = never). */
        verifyEveryHours: z.number().nonnegative().max(8760).default(24),
        /** The address exchanges see the gateway's requests come from (advice: pin keys to it). Detected best effort when absent. */
        egressIp: z
          .string()
          .refine((v) => isIP(v) !== 0, { message: 'expected an IP address' })
          .optional(),
      })
      .strict()
      .default({
        rotationDays: { prod: 90, test: null, dev: null },
        rotationGraceSeconds: 60,
        verifyEveryHours: 24,
      }),
    /** Anchoring the audit log outside its database (schema in src/audit/audit-config.ts). */
    /**
     * Where state lives: SQLite in the data directory (no `url`, the default), or PostgreSQL at
     * `url`, shared by several gateways (docs/deployment.md). The URL may hold a password: no
     * message ever quotes it.
     */
    store: z
      .object({
        url: z
          .string()
          .refine(isPostgresUrl, { message: 'must be a postgres:// or postgresql:// URL' })
          .optional(),
      })
      .strict()
      .default({}),
    audit: auditConfigSchema.default({ checkpointEvery: DEFAULT_CHECKPOINT_EVERY }),
    /** Alert rules, anomaly detection and sinks (schema and defaults in src/monitor/monitor-config.ts). */
    monitor: monitorConfigSchema.default(monitorConfigSchema.parse({})),
    /** Which operations wait for a second person (schema in ./approvals-config.ts); none by default. */
    approvals: approvalsConfigSchema.default({ require: [], ttlHours: DEFAULT_APPROVAL_TTL_HOURS }),
    /** Exchange-aware rate budgets per exchange key and egress IP (schema in ./rate-budgets-config.ts). */
    rateBudgets: rateBudgetsConfigSchema.default(DEFAULT_RATE_BUDGETS),
    exchanges: z
      .object(
        Object.fromEntries(EXCHANGE_IDS.map((id) => [id, exchangeSchema.optional()])) as Record<
          ExchangeId,
          z.ZodOptional<typeof exchangeSchema>
        >,
      )
      .strict()
      .default({}),
  })
  .strict();

export type KeywardenConfig = z.infer<typeof configSchema>;

/**
 * Upstreams are HTTPS with certificate checks; plain HTTP is only for the local sandbox, so a
 * non-loopback http:// base URL (a cleartext hop carrying signed requests) is refused.
 */
export function isAllowedBaseUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.username || url.password || url.search || url.hash) return false;
  if (url.protocol === 'https:') return true;
  if (url.protocol !== 'http:') return false;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export function isCidr(value: string): boolean {
  const [addr, bits, extra] = value.split('/');
  if (addr === undefined || extra !== undefined) return false;
  const family = isIP(addr);
  if (family === 0) return false;
  if (bits === undefined) return true;
  if (!/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => (path ? `${path}.${k}` : k));
    return `unknown key${keys.length > 1 ? 's' : ''} ${keys.join(', ')}`;
  }
  return `${path || '(root)'}: ${issue.message}`;
}

/** Validate a parsed YAML/JSON value; throws invalid_config naming the first bad key path. */
export function parseConfig(raw: unknown, source = CONFIG_FILE): KeywardenConfig {
  const result = configSchema.safeParse(raw ?? {});
  if (!result.success) {
    const first = result.error.issues[0];
    throw new KeywardenError('invalid_config', `${source}: ${first ? describeIssue(first) : 'invalid'}`);
  }
  return result.data;
}

/** Apply KEYWARDEN_* overrides (documented in README "Gateway"). */
export function applyEnv(config: KeywardenConfig, env: NodeJS.ProcessEnv): KeywardenConfig {
  const out = structuredClone(config);
  if (env.KEYWARDEN_LISTEN) out.server.listen = env.KEYWARDEN_LISTEN;
  if (env.KEYWARDEN_BODY_LIMIT_BYTES) {
    const n = Number(env.KEYWARDEN_BODY_LIMIT_BYTES);
    if (!Number.isInteger(n) || n <= 0)
      throw new KeywardenError('invalid_config', 'KEYWARDEN_BODY_LIMIT_BYTES must be a positive integer');
    out.server.bodyLimitBytes = n;
  }
  if (env.KEYWARDEN_TRUSTED_PROXIES !== undefined) {
    const list = env.KEYWARDEN_TRUSTED_PROXIES.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const bad = list.find((c) => !isCidr(c));
    if (bad) throw new KeywardenError('invalid_config', `KEYWARDEN_TRUSTED_PROXIES: "${bad}" is not a CIDR`);
    out.server.trustedProxies = list;
  }
  if (env.KEYWARDEN_TLS_CERT && env.KEYWARDEN_TLS_KEY) {
    out.server.tls = {
      cert: env.KEYWARDEN_TLS_CERT,
      key: env.KEYWARDEN_TLS_KEY,
      ...(env.KEYWARDEN_TLS_CA ? { ca: env.KEYWARDEN_TLS_CA } : {}),
      requireClientCert: env.KEYWARDEN_TLS_REQUIRE_CLIENT_CERT === '1',
    };
  }
  if (env.KEYWARDEN_RATE_LIMIT_PER_SECOND) {
    const n = Number(env.KEYWARDEN_RATE_LIMIT_PER_SECOND);
    if (!Number.isFinite(n) || n < 0)
      throw new KeywardenError('invalid_config', 'KEYWARDEN_RATE_LIMIT_PER_SECOND must be >= 0');
    out.rateLimit.perSecond = n;
  }
  if (env.KEYWARDEN_STORE_URL) out.store = { ...out.store, url: env.KEYWARDEN_STORE_URL };
  for (const id of EXCHANGE_IDS) {
    const url = env[`KEYWARDEN_${id.toUpperCase()}_BASE_URL`];
    if (url) out.exchanges[id] = { ...(out.exchanges[id] ?? { enabled: true }), baseUrl: url };
  }
  return parseConfig(out, 'environment');
}

/** Read keywarden.yaml (explicit path must exist; the default one is optional), apply env, validate. */
export function loadConfig(options: {
  path?: string;
  dataDir?: string;
  env?: NodeJS.ProcessEnv;
}): KeywardenConfig {
  const env = options.env ?? process.env;
  const path = options.path ?? env.KEYWARDEN_CONFIG ?? CONFIG_FILE;
  let raw: unknown = {};
  if (existsSync(path)) {
    try {
      raw = parseYaml(readFileSync(path, 'utf8'));
    } catch {
      throw new KeywardenError('invalid_config', `${path}: not valid YAML`);
    }
  } else if (options.path ?? env.KEYWARDEN_CONFIG) {
    throw new KeywardenError('invalid_config', `config file ${path} not found`);
  }
  return Object.freeze(applyEnv(parseConfig(raw, path), env));
}

/** `host:port`, `[v6]:port` or `:port`. */
export function parseListen(value: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[3]) : Number.NaN;
  if (!m || port > 65535)
    throw new KeywardenError('invalid_config', `listen address "${value}" is not host:port`);
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}
