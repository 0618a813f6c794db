// Several gateways benchmark (not part of npm test; issue 15): `npm run build && node bench/multi/run.mjs`.
// `keywarden serve` processes, exactly as an operator runs them, in front of the Binance emulator
// (its own process, weight limit lifted), under a signed read in token mode
// (GET /api/v3/account with a bearer token), in three set-ups measured in the same run:
//   (A) one gateway on SQLite, rate budgets in memory          (today's default)
//   (B) one gateway on PostgreSQL, rate budgets in Redis
//   (C) two gateways on that PostgreSQL database and Redis, the load split evenly over both
// Reports throughput at saturation and the CPU each request costs the gateway processes (from
// /proc), as ratios to (A) within each round; the median over rounds is reported. Needs the
// machine's PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379).
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import pg from 'pg';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const DURATION_S = Number(process.env.BENCH_DURATION ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PG_SERVER = 'postgres://postgres@127.0.0.1:5432';
const MAIN = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const SERVERS = new URL('../gateway/servers.mjs', import.meta.url).pathname;
const root = mkdtempSync(join(tmpdir(), 'kw-bench-multi-'));
const database = `kw_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
const children = [];

const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('KEYWARDEN_')));

function lineFrom(child, pattern) {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    rl.on('line', (line) => {
      const m = pattern.exec(line);
      if (m) resolve(m[1] ?? line);
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}`)));
  });
}

async function pgAdmin(sql) {
  const c = new pg.Client({ connectionString: `${PG_SERVER}/postgres` });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** One keywarden installation: a vault, the sandbox's read key, one token client; gateways from it. */
function installation(name, sandboxUrl, seed, storeUrl) {
  const dir = join(root, name);
  mkdirSync(join(dir, 'admin'), { recursive: true, mode: 0o700 });
  const budgets = storeUrl
    ? '  store:\n    url: redis://127.0.0.1:6379\n'
    : '';
  // Per-client and per-IP limits off (all load comes from one client on one address); the
  // budgets stay on, with Binance's weight raised to match the lifted sandbox.
  writeFileSync(
    join(dir, 'keywarden.yaml'),
    `rateLimit:\n  perSecond: 0\n  perIpPerSecond: 0\nrateBudgets:\n${budgets}  limits:\n    binance: { ip-weight-1m: 100000000 }\n`,
  );
  const env = {
    ...baseEnv,
    KEYWARDEN_DATA_DIR: join(dir, 'admin'),
    KEYWARDEN_MASTER_KEY: randomBytes(32).toString('base64'),
    KEYWARDEN_CONFIG: join(dir, 'keywarden.yaml'),
    KEYWARDEN_LOG_LEVEL: 'warn',
    KEYWARDEN_BINANCE_BASE_URL: `${sandboxUrl}/binance`,
    ...(storeUrl ? { KEYWARDEN_STORE_URL: storeUrl } : {}),
  };
  const cli = (args, input) => execFileSync(process.execPath, [MAIN, ...args], { env, encoding: 'utf8', input });
  cli(['init']);
  const key = seed.keys.find((k) => k.exchange === 'binance' && k.name === 'read');
  cli(['key', 'add', 'binance', '--label', 'bn', '--stdin'], JSON.stringify(key.credential));
  writeFileSync(join(dir, 'policy.yaml'), 'mode: enforce\nactions: [public, read]\n');
  const issued = JSON.parse(
    cli(['client', 'add', '--key', 'bn', '--name', 'bench', '--policy', join(dir, 'policy.yaml'), '--rate', '0', '--json']),
  );
  let n = 0;
  return {
    token: issued.token,
    async gateway() {
      const dataDir = join(dir, `gw${++n}`);
      mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      const child = spawn(process.execPath, [MAIN, 'serve', '--listen', '127.0.0.1:0'], {
        env: { ...env, KEYWARDEN_DATA_DIR: storeUrl ? dataDir : env.KEYWARDEN_DATA_DIR },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      children.push(child);
      const url = await lineFrom(child, /listening on (http:\/\/[\d.:]+)/);
      return { url, pid: child.pid };
    },
  };
}

function cpuSeconds(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

async function load(gateways, token, duration) {
  const before = gateways.map((g) => cpuSeconds(g.pid));
  const results = await Promise.all(
    gateways.map((g) =>
      autocannon({
        url: `${g.url}/binance/api/v3/account`,
        connections: Math.max(1, Math.round(CONNECTIONS / gateways.length)),
        duration,
        headers: { authorization: `Bearer ${token}` },
      }),
    ),
  );
  const cpu = gateways.reduce((s, g, i) => s + cpuSeconds(g.pid) - before[i], 0);
  const requests = results.reduce((s, r) => s + r.requests.total, 0);
  const non2xx = results.reduce((s, r) => s + r.non2xx + r.errors, 0);
  return { rps: requests / duration, cpuPerRequest: (cpu / Math.max(1, requests)) * 1e6, non2xx };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

async function main() {
  const seedDir = mkdtempSync(join(tmpdir(), 'kw-bench-multi-seed-'));
  const sandbox = spawn(process.execPath, [SERVERS, 'sandbox', seedDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(sandbox);
  const sandboxUrl = JSON.parse(await lineFrom(sandbox, /^(\{.*\})$/)).url;
  const seed = JSON.parse(readFileSync(join(seedDir, 'seed.json'), 'utf8'));
  await pgAdmin(`CREATE DATABASE ${database}`);
  const lite = installation('sqlite', sandboxUrl, seed);
  const shared = installation('pg', sandboxUrl, seed, `${PG_SERVER}/${database}`);
  // C's first gateway is B's: B measures it alone, C adds a second one.
  const first = await shared.gateway();
  const setups = [
    ['A', 'one gateway, SQLite, budgets in memory', lite.token, [await lite.gateway()]],
    ['B', 'one gateway, PostgreSQL + Redis', shared.token, [first]],
    ['C', 'two gateways, PostgreSQL + Redis', shared.token, [first, await shared.gateway()]],
  ];
  for (const [, , token, gws] of setups) await load(gws, token, 2);
  const rounds = [];
  for (let round = 0; round < ROUNDS; round++) {
    const r = {};
    for (let i = 0; i < setups.length; i++) {
      const [id, name, token, gws] = setups[(i + round) % setups.length];
      r[id] = { name, ...(await load(gws, token, DURATION_S)) };
      process.stderr.write(
        `round ${round + 1} (${id}) ${name}: ${r[id].rps.toFixed(0)} req/s, ${r[id].cpuPerRequest.toFixed(0)} µs CPU/req, non-2xx ${r[id].non2xx}\n`,
      );
    }
    rounds.push(r);
  }
  const cpu = cpus();
  const pct = (x) => `${(x * 100).toFixed(0)}%`;
  const lines = [
    `Machine: ${cpu.length} cores, ${cpu[0]?.model ?? 'unknown CPU'}; Node ${process.version}; load average at end ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
    `${ROUNDS} rounds, rotating order; per set-up ${CONNECTIONS} connections in all × ${DURATION_S} s of GET /api/v3/account in token mode. Medians over rounds; ratios per round, then the median.`,
    '',
    '| set-up | req/s | vs (A) | gateway CPU µs/req | vs (A) | non-2xx |',
    '|---|---:|---:|---:|---:|---:|',
    ...['A', 'B', 'C'].map(
      (id) =>
        `| (${id}) ${rounds[0][id].name} | ${median(rounds.map((r) => r[id].rps)).toFixed(0)} | ${pct(median(rounds.map((r) => r[id].rps / r.A.rps)))} | ${median(rounds.map((r) => r[id].cpuPerRequest)).toFixed(0)} | ${pct(median(rounds.map((r) => r[id].cpuPerRequest / r.A.cpuPerRequest)))} | ${rounds.reduce((n, r) => n + r[id].non2xx, 0)} |`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

try {
  await main();
} finally {
  for (const c of children) c.kill('SIGKILL');
  await pgAdmin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
  rmSync(root, { recursive: true, force: true });
}
