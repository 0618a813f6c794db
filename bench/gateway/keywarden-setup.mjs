// The keywarden role of the benchmark: a fresh data directory, a vault with a random master key,
// the sandbox's Binance `read` key registered, one client (rate limit off), and the gateway built
// exactly as `keywarden serve` builds it (src/gateway/compose.ts), pointed at the sandbox.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export async function setupBenchGateway({ dist, dataDir, seedDir, sandboxUrl }) {
  const load = (p) => import(new URL(p, dist).href);
  const { openStore } = await load('store/db.js');
  const { initVault, openVault } = await load('vault/vault.js');
  const { createKeyRegistry } = await load('keys/index.js');
  const { createClientService, createVersionReader } = await load('clients/index.js');
  const { openAuditLog } = await load('audit/index.js');
  const { buildGatewayStack } = await load('gateway/compose.js');
  const { parseConfig } = await load('config/config.js');
  const { storeBackedState } = await load('gateway/store-state.js');
  const { adapterFor } = await load('exchanges/index.js');
  // BENCH_MONITOR=1: also wire alert rules, anomaly detection and /metrics as `keywarden serve` does.
  const withMonitor = process.env.BENCH_MONITOR === '1';
  const { openMonitor } = withMonitor ? await load('monitor/open-monitor.js') : {};
  const { createMetrics } = withMonitor ? await load('monitor/metrics.js') : {};

  process.env.KW_BENCH_MASTER_KEY = randomBytes(32).toString('base64');
  const source = { kind: 'env', variable: 'KW_BENCH_MASTER_KEY' };
  const store = await openStore(dataDir);
  await initVault(store, source);
  const vault = openVault(store);
  await vault.unseal(source);
  const keys = createKeyRegistry(store, vault);
  const seed = JSON.parse(readFileSync(join(seedDir, 'seed.json'), 'utf8'));
  // BENCH_KEY / BENCH_ACTIONS: the WebSocket bench (bench/ws) places test orders, so it needs the
  // sandbox's trading key and a policy that allows trade; the REST bench signs reads only.
  const keyName = process.env.BENCH_KEY ?? 'read';
  const actions = (process.env.BENCH_ACTIONS ?? 'public,read').split(',');
  // BENCH_EXCHANGE (default binance): the exchange whose sandbox key the bench client trades with.
  const exchange = process.env.BENCH_EXCHANGE ?? 'binance';
  const sandboxKey = seed.keys.find((k) => k.exchange === exchange && k.name === keyName);
  await keys.add({ label: 'bench', exchange, environment: 'prod' }, sandboxKey.credential);
  const audit = openAuditLog(store, vault);
  const clients = createClientService({
    db: store.db,
    readVersion: createVersionReader(store.sqlite),
    vault,
    keys,
    audit,
    adapterFor,
  });
  const issued = await clients.add({
    name: 'bench',
    key: 'bench',
    policy: { mode: 'enforce', actions },
    ratePerSecond: 0,
  });
  // All the load comes from one address: the per-source-IP limit (on by default) would cap it.
  // The bench measures the gateway, not Binance's 6000 weight a minute: its rate budgets are off
  // (the bench's sandbox enforces no limit either).
  const config = parseConfig({ rateLimit: { perIpPerSecond: 0 }, rateBudgets: { enabled: false } });
  const monitor = withMonitor
    ? openMonitor(config, { audit, clients, metrics: createMetrics({ processMetrics: true }) })
    : undefined;
  const stack = buildGatewayStack({
    config,
    ...(monitor ? { monitor: monitor.monitor, metrics: monitor.metrics } : {}),
    vault,
    keys,
    clients,
    audit,
    baseUrls: { [exchange]: `${sandboxUrl}/${exchange}` },
    ...storeBackedState(store.sqlite),
  });
  // BENCH_CLIENTS (default 1): more clients of the same key, for the WebSocket soak on OKX, whose
  // logins of one credential in one second are one frame (a replay to keywarden on the same path).
  const more = [];
  for (let i = 1; i < Number(process.env.BENCH_CLIENTS ?? 1); i++) {
    const c = await clients.add({
      name: `bench-${i}`,
      key: 'bench',
      policy: { mode: 'enforce', actions },
      ratePerSecond: 0,
    });
    more.push(c.credential);
  }
  const url = await stack.listen('127.0.0.1', 0);
  return { url, credential: issued.credential, token: issued.token, credentials: [issued.credential, ...more] };
}
