/**
 * `keywarden serve`: the composition root of the signing gateway. Starts sealed unless a
 * master-key source is available; `--sandbox` also runs the emulated exchanges in-process and
 * points every exchange at them.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import pino from 'pino';
import { createApprovals } from '../approvals/index.js';
import { loadConfig, parseListen } from '../config/index.js';
import type { ExchangeId } from '../core/index.js';
import { buildGatewayStack, gatewayState } from '../gateway/index.js';
import { createKeyCheckStore, exchangeAccessFrom } from '../keys/index.js';
import { createMetrics, openMonitor, watchStoreHealth } from '../monitor/index.js';
import { startLifecycleSchedule } from '../rotation/index.js';
import { EMULATORS } from '../sandbox/index.js';
import { followedVersion, pingStore, type VersionWatch, watchClientsVersion } from '../store/index.js';
import { action, resolveDataDir } from './cli-kit.js';
import { COMMANDS } from './commands.js';
import { openServeContext } from './gateway-context.js';
import { clientServiceFor } from './root.js';
import { startSandbox } from './sandbox.js';

export interface ServeOptions {
  listen?: string;
  config?: string;
  sandbox?: boolean;
  passphraseFile?: string;
}

/** Redacted, header-free logs: no token, key, secret or signature ever reaches a log line. */
export function createLogger() {
  return pino(
    {
      level: process.env.KEYWARDEN_LOG_LEVEL ?? 'info',
      redact: {
        paths: [
          '*.token',
          '*.secret',
          '*.password',
          '*.passphrase',
          '*.apiKey',
          '*.signature',
          '*.authorization',
        ],
        censor: '[redacted]',
      },
    },
    pino.destination(2),
  );
}

export async function serve(dataDir: string, opts: ServeOptions) {
  const config = loadConfig(opts.config ? { path: opts.config } : {});
  const { host, port } = parseListen(opts.listen ?? config.server.listen);
  const log = createLogger();
  const ctx = await openServeContext(
    dataDir,
    { ...(opts.passphraseFile ? { passphraseFile: opts.passphraseFile } : {}), storeUrl: config.store.url },
    process.env,
    {
      audit: config.audit,
      onAnchorError: (err) =>
        log.warn(
          { err, anchorFile: config.audit.anchorFile },
          'audit checkpoint not written to the anchor file',
        ),
    },
  );
  for (const warning of unsharedLimits(config)) log.warn(warning);
  const clients = clientServiceFor(ctx);
  // Several gateways on PostgreSQL: changes through any of them arrive by NOTIFY (the store is
  // read per request only while the listener is down), and the store's health is watched.
  let watch: VersionWatch | undefined;
  if (ctx.store.dialect === 'postgres') {
    try {
      watch = await watchClientsVersion(ctx.store);
    } catch (err) {
      await ctx.close();
      throw err;
    }
  }
  const store = ctx.store;
  const version = watch ? followedVersion(watch, store.db) : () => clients.version();
  // Alerts go to the raw (deferred) audit log; the gateway gets an instrumented view of it.
  let alerts: ReturnType<typeof openMonitor>;
  try {
    alerts = openMonitor(config, {
      audit: ctx.audit,
      clients,
      metrics: createMetrics({ processMetrics: true }),
      onDeliveryError: (sink, message) => log.warn({ sink }, `alert delivery failed: ${message}`),
      onError: (context, err) => log.error({ context, err }, 'monitor failure'),
    });
  } catch (err) {
    await watch?.close();
    await ctx.close();
    throw err;
  }
  const health =
    store.dialect === 'postgres'
      ? watchStoreHealth({ ping: () => pingStore(store), monitor: alerts.monitor })
      : undefined;
  // Started after the monitor, so a config error (a sink's missing secret) leaves no server running.
  let sandbox: Awaited<ReturnType<typeof startSandbox>> | undefined;
  const baseUrls: Partial<Record<ExchangeId, string>> = {};
  if (opts.sandbox) {
    sandbox = await startSandbox({
      dir: join(dataDir, 'sandbox'),
      port: 0,
      host: '127.0.0.1',
      emulators: EMULATORS,
    });
    for (const e of EMULATORS) baseUrls[e.exchange] = sandbox.sandbox.baseUrl(e.exchange);
  }
  // Withdrawals under `withdrawals.approval` wait here; this process's dispatcher sends the approved ones.
  const approvals = createApprovals({
    db: ctx.store.db,
    clock: { now: Date.now },
    audit: ctx.audit,
    config: config.approvals,
    alerts: alerts.monitor,
  });
  const stack = buildGatewayStack({
    config,
    approvals,
    vault: ctx.vault,
    keys: ctx.keys,
    clients: { loadAll: () => clients.loadAll(), version },
    audit: ctx.audit,
    monitor: alerts.monitor,
    metrics: alerts.metrics,
    baseUrls,
    // Nonce sequences (shared with CLI processes and, on PostgreSQL, every gateway), policy usage
    // and client nonces, in the store.
    ...gatewayState(store, { onError: (err) => log.error({ err }, 'usage write failed') }),
    unseal: ctx.unseal,
    ready: async () => ({
      store: (await pingStore(store)) && (watch?.healthy() ?? true),
      audit: ctx.audit.ready,
    }),
    onError: (requestId, err) => log.error({ requestId, err }, 'request failed'),
  });
  const url = await stack.listen(host, port);
  // Re-verify every key and raise rotation reminders every lifecycle.verifyEveryHours (unref'd timer).
  const lifecycle = startLifecycleSchedule({
    store: ctx.store,
    keys: ctx.keys,
    access: exchangeAccessFrom(stack.upstreams, stack.gateway.nonceFor),
    checks: createKeyCheckStore(ctx.store),
    policy: config.lifecycle.rotationDays,
    everyHours: config.lifecycle.verifyEveryHours,
    isSealed: () => ctx.vault.isSealed(),
    audit: ctx.audit,
    monitor: alerts.monitor,
    onError: (err) => log.error({ err }, 'scheduled key verification failed'),
  });
  log.info({ url, sealed: ctx.vault.isSealed(), sandbox: sandbox?.url }, 'keywarden gateway listening');
  process.stdout.write(
    `keywarden gateway listening on ${url} (${ctx.vault.isSealed() ? 'sealed: run keywarden unseal' : 'unsealed'})${
      sandbox ? `; sandbox exchange on ${sandbox.url}` : ''
    }\n`,
  );
  const close = async () => {
    lifecycle.stop();
    health?.stop();
    await stack.close();
    // After the last request: deliver what is queued and record it before the audit log closes.
    await alerts.close();
    await sandbox?.sandbox.close();
    await watch?.close();
    await ctx.close();
  };
  return { url, stack, sandbox, monitor: alerts, lifecycle, close };
}

/**
 * On PostgreSQL (several gateways) the limits that live in this process's memory unless a Redis
 * is named: each instance then admits its own share, N instances N times the limit. PostgreSQL
 * does not hold them instead (docs/deployment.md: a write per request, unauthenticated floods
 * included, on the database every signature waits for), so the operator is told at start.
 */
export function unsharedLimits(config: ReturnType<typeof loadConfig>): string[] {
  if (config.store.url === undefined) return [];
  const out: string[] = [];
  if (config.rateLimit.store.url === undefined)
    out.push(
      'rateLimit.store.url is not set: per-client and per-IP rate limits are counted in each gateway process, so N gateways admit up to N times each limit (docs/deployment.md)',
    );
  if (config.rateBudgets.enabled && config.rateBudgets.store.url === undefined)
    out.push(
      "rateBudgets.store.url is not set: each gateway process budgets the exchanges' limits alone, so N gateways may spend up to N times a key's or the egress IP's limit (docs/deployment.md)",
    );
  return out;
}

export function register(program: Command): void {
  program
    .command('serve')
    .description(COMMANDS.serve.summary)
    .option('--listen <host:port>', 'listen address (default 127.0.0.1:8787 or keywarden.yaml)')
    .option('--config <file>', 'keywarden.yaml (default ./keywarden.yaml if present, or KEYWARDEN_CONFIG)')
    .option('--sandbox', 'also run the sandbox exchange in-process and send every exchange there')
    .option('--passphrase-file <file>', 'unseal at start with the passphrase in this file')
    .action(
      action(async (opts: ServeOptions, cmd: Command) => {
        const { dataDir } = cmd.optsWithGlobals<{ dataDir?: string }>();
        const running = await serve(resolveDataDir(dataDir), opts);
        await new Promise<void>((resolve) => {
          const stop = () => {
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
            running.close().finally(resolve);
          };
          process.on('SIGINT', stop);
          process.on('SIGTERM', stop);
        });
      }),
    );
}
