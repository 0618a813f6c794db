// Gateway benchmark (not part of npm test): `npm run build && node bench/gateway/run.mjs`.
// One run, against the Binance emulator on loopback, of four paths to the same signed read
// (GET /api/v3/account, signed per request):
//   (a) client -> sandbox directly
//   (b) client -> bare Node pass-through proxy (node:http + undici, no checks) -> sandbox
//   (c) client -> keywarden drop-in (verifies the client's HMAC, policy, audit, re-signs) -> sandbox
//   (d) client -> keywarden token mode -> sandbox
// Reports throughput at saturation and latency at a fixed moderate rate, as ratios to (a) and (b),
// and the CPU time each request costs the server process that handles it (from /proc).
// The machine is shared and noisy, so every round measures all four paths back to back (in a
// rotating order); ratios are computed within each round and the median over rounds is reported.
// Servers run in their own processes; autocannon runs here.
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';

const SATURATION_CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const DURATION_S = Number(process.env.BENCH_DURATION ?? 8);
const FIXED_RATE = Number(process.env.BENCH_RATE ?? 300);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const here = new URL('.', import.meta.url).pathname;
const children = [];

function start(role, ...args) {
  const child = spawn(process.execPath, [join(here, 'servers.mjs'), role, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    rl.once('line', (line) => resolve(JSON.parse(line)));
    child.once('exit', (code) => reject(new Error(`${role} exited with ${code}`)));
  });
}

/**
 * Validly signed Binance requests, each one unique: keywarden refuses a signature it has already
 * seen inside its window (replay protection), so a reused pool would measure denials. The pair
 * (timestamp, recvWindow) differs for every request (up to 10,000 per millisecond); signing runs
 * here, in the load generator's process, not in the server measured.
 */
function signer(apiKey, secret) {
  let n = 0;
  const headers = { 'x-mbx-apikey': apiKey };
  return () => {
    const query = `recvWindow=${60000 - (n++ % 10000)}&timestamp=${Date.now()}`;
    const sig = createHmac('sha256', secret).update(query).digest('hex');
    return { path: `/binance/api/v3/account?${query}&signature=${sig}`, headers };
  };
}

function requestsFrom(makeNext) {
  const next = makeNext();
  return [
    {
      method: 'GET',
      setupRequest(req) {
        const r = next();
        req.path = r.path;
        req.headers = { ...req.headers, ...r.headers };
        return req;
      },
    },
  ];
}

/** CPU time (user + system) a process has used so far, in µs (Linux /proc; NaN elsewhere). */
function cpuMicros(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1e6) / 100; // USER_HZ is 100 on Linux
  } catch {
    return Number.NaN;
  }
}

const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function runOne(url, makePool, rate, pid) {
  const latencies = [];
  const cpu0 = cpuMicros(pid);
  const instance = autocannon({
    url,
    connections: rate ? 8 : SATURATION_CONNECTIONS,
    duration: DURATION_S,
    ...(rate ? { overallRate: rate } : {}),
    requests: requestsFrom(makePool),
  });
  instance.on('response', (_client, status, _bytes, responseTime) => {
    if (status === 200) latencies.push(responseTime);
  });
  const result = await instance;
  const cpu = cpuMicros(pid) - cpu0;
  latencies.sort((a, b) => a - b);
  return {
    rps: result.requests.average,
    cpuPerRequest: cpu / Math.max(1, result.requests.total),
    non2xx: result.non2xx,
    errors: result.errors,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

async function main() {
  const seedDir = mkdtempSync(join(tmpdir(), 'kw-bench-seed-'));
  const sandbox = await start('sandbox', seedDir);
  const seed = JSON.parse(readFileSync(join(seedDir, 'seed.json'), 'utf8'));
  const key = seed.keys.find((k) => k.exchange === 'binance' && k.name === 'read');
  const proxy = await start('proxy', seedDir, sandbox.url);
  const kw = await start('keywarden', seedDir, sandbox.url);

  const direct = () => signer(key.credential.apiKey, key.credential.secret);
  const dropin = () => signer(kw.credential.apiKey, kw.credential.secret);
  const tokenRequest = { path: '/binance/api/v3/account', headers: { authorization: `Bearer ${kw.token}` } };
  const token = () => () => tokenRequest;
  // The process whose CPU each path is charged with: the server the client talks to.
  const paths = [
    ['a', 'direct -> sandbox', sandbox.url, direct, children[0].pid],
    ['b', 'bare proxy', proxy.url, direct, children[1].pid],
    ['c', 'keywarden drop-in', kw.url, dropin, children[2].pid],
    ['d', 'keywarden token', kw.url, token, children[2].pid],
  ];

  // Warm up every path (JIT, keep-alive pools, caches).
  for (const [, , url, pool] of paths) await runOneShort(url, pool);

  const rounds = [];
  for (let round = 0; round < ROUNDS; round++) {
    const results = {};
    // Rotate the order so no path always runs first (or right after the heaviest one).
    const order = paths.map((_, i) => paths[(i + round) % paths.length]);
    for (const [id, name, url, pool, pid] of order) {
      const sat = await runOne(url, pool, undefined, pid);
      const fixed = await runOne(url, pool, FIXED_RATE, pid);
      results[id] = { name, sat, fixed };
      process.stderr.write(
        `round ${round + 1} ${id} ${name}: ${sat.rps.toFixed(0)} req/s (${sat.cpuPerRequest.toFixed(0)} µs CPU/req), p50 ${fixed.p50.toFixed(3)} ms\n`,
      );
    }
    rounds.push(results);
  }
  report(rounds);
}

async function runOneShort(url, makePool) {
  await autocannon({ url, connections: 8, duration: 2, requests: requestsFrom(makePool) });
}

function report(rounds) {
  const cpu = cpus();
  const ids = ['a', 'b', 'c', 'd'];
  const med = (f) => median(rounds.map(f));
  const pct = (x) => `${(x * 100).toFixed(0)}%`;
  const ms = (x) => x.toFixed(3);
  const lines = [];
  lines.push(
    `Machine: ${cpu.length} cores, ${cpu[0]?.model ?? 'unknown CPU'}; Node ${process.version}; load tool: autocannon; load average at end ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
  lines.push(
    `${ROUNDS} rounds; per round and path: saturation ${SATURATION_CONNECTIONS} connections × ${DURATION_S} s, then fixed rate ${FIXED_RATE} req/s, 8 connections × ${DURATION_S} s. Medians over rounds; ratios are per round, then the median.`,
  );
  lines.push('');
  lines.push(
    '| path | req/s at saturation | vs (a) | vs (b) (min–max over rounds) | server CPU µs/req | p50 ms @fixed | p99 ms @fixed | added p50 vs (a) | added p50 vs (b) | non-2xx |',
  );
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const id of ids) {
    const ratioB = rounds.map((r) => r[id].sat.rps / r.b.sat.rps);
    lines.push(
      `| (${id}) ${rounds[0][id].name} | ${med((r) => r[id].sat.rps).toFixed(0)} | ${pct(med((r) => r[id].sat.rps / r.a.sat.rps))} | ${pct(median(ratioB))} (${pct(Math.min(...ratioB))}–${pct(Math.max(...ratioB))}) | ${med((r) => r[id].sat.cpuPerRequest).toFixed(0)} | ${ms(med((r) => r[id].fixed.p50))} | ${ms(med((r) => r[id].fixed.p99))} | ${ms(med((r) => r[id].fixed.p50 - r.a.fixed.p50))} | ${ms(med((r) => r[id].fixed.p50 - r.b.fixed.p50))} | ${rounds.reduce((n, r) => n + r[id].sat.non2xx + r[id].fixed.non2xx, 0)} |`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

try {
  await main();
} finally {
  for (const c of children) c.kill();
}
