// WebSocket order round trip benchmark (not part of npm test): `npm run build && node bench/ws/run.mjs`
// (BENCH_WS_EXCHANGE=binance|okx|bybit, default binance). Binance: a signed `order.test` on the
// WebSocket API (full validation, nothing rests on the book). OKX (`/ws/v5/private`, op `order`)
// and Bybit (`/v5/trade`, op `order.create`): each connection logs in once, then places a limit
// buy far below the market (it rests) and cancels it; only the placement's round trip is timed,
// the cancel keeps the sandbox balance flat. One run, on loopback, of two paths:
//   (a) client -> sandbox /binance/ws-api/v3 directly, signed with the sandbox key
//   (b) client -> keywarden /binance/ws-api/v3 (verifies the client's signature, strict schema,
//       policy, audit committed, re-signs with the real key) -> sandbox
// Each path keeps one open connection; requests are sequential (one in flight), so a round
// trip is pure latency. The machine is shared and noisy: the two paths alternate request by
// request, so both see the same noise; the added latency is reported per percentile and as a
// ratio, both from the same run. Servers run in their own processes (bench/gateway/servers.mjs).
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { EXCHANGE, PROTOCOLS } from './protocols.mjs';
import { mkdtempSync, readFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';

const REQUESTS = Number(process.env.BENCH_WS_REQUESTS ?? 2000);
const WARMUP = Number(process.env.BENCH_WS_WARMUP ?? 300);
const servers = new URL('../gateway/servers.mjs', import.meta.url).pathname;
const children = [];

export function startRole(role, args, env = {}) {
  const child = spawn(process.execPath, [servers, role, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    rl.once('line', (line) => resolve({ ...JSON.parse(line), pid: child.pid }));
    child.once('exit', (code) => reject(new Error(`${role} exited with ${code}`)));
  });
}

/**
 * A WebSocket connection answering requests by id (`idField`: Binance `id`, OKX `id`, Bybit
 * `reqId`); `await(pred)` waits for the next frame `pred` accepts (a login answer without an id).
 */
export async function connect(url, idField = 'id') {
  const ws = new WebSocket(url);
  const waiting = new Map();
  const watchers = [];
  ws.on('message', (d) => {
    const text = d.toString();
    if (text === 'pong') return;
    const v = JSON.parse(text);
    const key = v[idField] === undefined ? undefined : String(v[idField]);
    const done = key === undefined ? undefined : waiting.get(key);
    if (done) {
      waiting.delete(key);
      done(v);
      return;
    }
    const i = watchers.findIndex((w) => w.pred(v));
    if (i !== -1) watchers.splice(i, 1)[0].resolve(v);
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let next = 0;
  return {
    ws,
    request(method, params) {
      const id = ++next;
      return new Promise((resolve) => {
        waiting.set(String(id), resolve);
        ws.send(JSON.stringify({ id, method, params }));
      });
    },
    /** Send `frame(id)` and wait for the answer carrying that id. */
    send(frame) {
      const id = String(++next);
      return new Promise((resolve) => {
        waiting.set(id, resolve);
        ws.send(JSON.stringify(frame(id)));
      });
    },
    /** Send `frame` and wait for the next unmatched answer `pred` accepts. */
    await(frame, pred) {
      return new Promise((resolve) => {
        watchers.push({ pred, resolve });
        ws.send(JSON.stringify(frame));
      });
    },
  };
}

/** Binance WebSocket API signing: sorted params, apiKey included, HMAC-SHA256 hex. */
export function signed(credential, params) {
  const all = { ...params, apiKey: credential.apiKey, timestamp: Date.now() };
  const payload = Object.keys(all)
    .sort()
    .map((k) => `${k}=${all[k]}`)
    .join('&');
  return { ...all, signature: createHmac('sha256', credential.secret).update(payload).digest('hex') };
}

export const TEST_ORDER = {
  symbol: 'BTCUSDT',
  side: 'BUY',
  type: 'LIMIT',
  timeInForce: 'GTC',
  quantity: '0.001',
  price: '20000',
};

export function trading(exchange = 'binance') {
  return {
    BENCH_KEY: 'full',
    BENCH_ACTIONS: 'public,read,trade,cancel',
    BENCH_EXCHANGE: exchange,
    BENCH_EXCHANGES: exchange,
  };
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main() {
  const proto = PROTOCOLS[EXCHANGE];
  if (!proto) throw new Error(`BENCH_WS_EXCHANGE: one of ${Object.keys(PROTOCOLS).join(', ')}`);
  const seedDir = mkdtempSync(join(tmpdir(), 'kw-bench-ws-seed-'));
  const sandbox = await startRole('sandbox', [seedDir], { BENCH_EXCHANGES: EXCHANGE });
  const seed = JSON.parse(readFileSync(join(seedDir, 'seed.json'), 'utf8'));
  const key = seed.keys.find((k) => k.exchange === EXCHANGE && k.name === 'full');
  const kw = await startRole('keywarden', [seedDir, sandbox.url], trading(EXCHANGE));
  const ws = (base) => `${base.replace(/^http/, 'ws')}/${EXCHANGE}${proto.path}`;
  const open = async (base, credential) => {
    const conn = await connect(ws(base), proto.idField);
    await proto.login(conn, credential);
    return conn;
  };
  const paths = [
    { id: 'a', name: 'direct -> sandbox', conn: await open(sandbox.url, key.credential), credential: key.credential, ms: [] },
    { id: 'b', name: 'keywarden', conn: await open(kw.url, kw.credential), credential: kw.credential, ms: [] },
  ];
  let refused = 0;
  for (let i = 0; i < WARMUP + REQUESTS; i++) {
    // Alternate which path goes first, so neither always follows the other.
    const order = i % 2 === 0 ? paths : [...paths].reverse();
    for (const p of order) {
      const started = performance.now();
      // A fresh client order id: two requests signed in the same millisecond would otherwise be
      // identical, and keywarden refuses the second as a replay.
      const answer = await proto.order(p.conn, p.credential, `bench${i}${p.id}`);
      const took = performance.now() - started;
      if (!proto.ok(answer)) {
        refused++;
        if (refused < 3) process.stderr.write(`${p.name} refused: ${JSON.stringify(answer)}\n`);
      } else if (proto.cancel) {
        const c = await proto.cancel(p.conn, p.credential, answer);
        if (!proto.ok(c)) {
          refused++;
          if (refused < 3) process.stderr.write(`${p.name} cancel refused: ${JSON.stringify(c)}\n`);
        }
      }
      if (i >= WARMUP) p.ms.push(took);
    }
  }
  for (const p of paths) p.conn.ws.close();
  const stats = paths.map((p) => {
    const s = [...p.ms].sort((x, y) => x - y);
    return { ...p, p50: percentile(s, 50), p99: percentile(s, 99) };
  });
  const [a, b] = stats;
  const cpu = cpus();
  const ms = (x) => x.toFixed(3);
  const lines = [
    `${new Date().toISOString()} ${EXCHANGE}: ${proto.what}`,
    `Machine: ${cpu.length} cores, ${cpu[0]?.model ?? 'unknown CPU'}; Node ${process.version}; load average at end ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
    `${REQUESTS} round trips per path after ${WARMUP} warm-up, one in flight, paths alternating; ${refused} refused.`,
    '',
    '| path | p50 ms | p99 ms |',
    '|---|---:|---:|',
    ...stats.map((p) => `| (${p.id}) ${p.name} | ${ms(p.p50)} | ${ms(p.p99)} |`),
    `| added by keywarden (b − a) | ${ms(b.p50 - a.p50)} | ${ms(b.p99 - a.p99)} |`,
    `| ratio (b / a) | ${(b.p50 / a.p50).toFixed(2)} | ${(b.p99 / a.p99).toFixed(2)} |`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (refused > 0) process.exitCode = 1;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    await main();
  } finally {
    for (const c of children) c.kill();
  }
}

export function stopAll() {
  for (const c of children) c.kill();
}
