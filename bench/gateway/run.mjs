// Gateway benchmark (not part of npm test): `npm run build && node bench/gateway/run.mjs`.
// One run, against the Binance emulator on loopback, of four paths to the same signed read
// (GET /api/v3/account, signed per request):
//   (a) client -> sandbox directly
//   (b) client -> bare Node pass-through proxy (node:http + undici, no checks) -> sandbox
//   (c) client -> keywarden drop-in (verifies the client's HMAC, policy, audit, re-signs) -> sandbox
//   (d) client -> keywarden token mode -> sandbox
// Reports throughput at saturation and latency at a fixed moderate rate, as ratios to (a) and (b).
// Servers run in their own processes; autocannon runs here.
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';

const SATURATION_CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const DURATION_S = Number(process.env.BENCH_DURATION ?? 8);
const FIXED_RATE = Number(process.env.BENCH_RATE ?? 300);
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

/** A pool of validly signed Binance requests (fresh timestamps, recvWindow 60 s). */
function signedPool(apiKey, secret, count = 4000) {
  const t0 = Date.now();
  const out = [];
  for (let i = 0; i < count; i++) {
    const query = `recvWindow=60000&timestamp=${t0 + (i % 1000)}`;
    const sig = createHmac('sha256', secret).update(query).digest('hex');
    out.push({ path: `/binance/api/v3/account?${query}&signature=${sig}`, headers: { 'x-mbx-apikey': apiKey } });
  }
  return out;
}

function requestsFrom(makePool) {
  let pool = makePool();
  let i = 0;
  let madeAt = Date.now();
  return [
    {
      method: 'GET',
      setupRequest(req) {
        // Re-sign well inside the 60 s window.
        if (Date.now() - madeAt > 20_000) {
          pool = makePool();
          madeAt = Date.now();
        }
        const r = pool[i++ % pool.length];
        req.path = r.path;
        req.headers = { ...req.headers, ...r.headers };
        return req;
      },
    },
  ];
}

function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function runOne(url, makePool, rate) {
  const latencies = [];
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
  latencies.sort((a, b) => a - b);
  return {
    rps: result.requests.average,
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

  const direct = () => signedPool(key.credential.apiKey, key.credential.secret);
  const dropin = () => signedPool(kw.credential.apiKey, kw.credential.secret);
  const token = () => [{ path: '/binance/api/v3/account', headers: { authorization: `Bearer ${kw.token}` } }];
  const paths = [
    ['a', 'direct -> sandbox', sandbox.url, direct],
    ['b', 'bare proxy', proxy.url, direct],
    ['c', 'keywarden drop-in', kw.url, dropin],
    ['d', 'keywarden token', kw.url, token],
  ];

  // Warm up every path (JIT, keep-alive pools, caches).
  for (const [, , url, pool] of paths) await runOneShort(url, pool);

  const results = {};
  for (const [id, name, url, pool] of paths) {
    const sat = await runOne(url, pool);
    const fixed = await runOne(url, pool, FIXED_RATE);
    results[id] = { name, sat, fixed };
    process.stderr.write(`${id} ${name}: ${sat.rps.toFixed(0)} req/s, p50 ${fixed.p50.toFixed(3)} ms\n`);
  }
  report(results);
}

async function runOneShort(url, makePool) {
  await autocannon({ url, connections: 8, duration: 2, requests: requestsFrom(makePool) });
}

function report(r) {
  const cpu = cpus();
  const lines = [];
  lines.push(`Machine: ${cpu.length} cores, ${cpu[0]?.model ?? 'unknown CPU'}; Node ${process.version}; load tool: autocannon`);
  lines.push(
    `Saturation: ${SATURATION_CONNECTIONS} connections, ${DURATION_S} s per path; fixed rate: ${FIXED_RATE} req/s, 8 connections, ${DURATION_S} s.`,
  );
  lines.push('');
  lines.push('| path | req/s at saturation | vs (a) | vs (b) | p50 ms @fixed | p99 ms @fixed | added p50 vs (a) | added p50 vs (b) | non-2xx |');
  lines.push('|---|---|---|---|---|---|---|---|---|');
  for (const id of ['a', 'b', 'c', 'd']) {
    const x = r[id];
    const ratio = (base) => `${((x.sat.rps / r[base].sat.rps) * 100).toFixed(0)}%`;
    const added = (base) => `${(x.fixed.p50 - r[base].fixed.p50).toFixed(3)}`;
    lines.push(
      `| (${id}) ${x.name} | ${x.sat.rps.toFixed(0)} | ${ratio('a')} | ${ratio('b')} | ${x.fixed.p50.toFixed(3)} | ${x.fixed.p99.toFixed(3)} | ${added('a')} | ${added('b')} | ${x.sat.non2xx + x.fixed.non2xx} |`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

try {
  await main();
} finally {
  for (const c of children) c.kill();
}
