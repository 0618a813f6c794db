// WebSocket soak (not part of npm test; loopback only): `npm run build && node bench/ws/soak.mjs`
// (BENCH_WS_EXCHANGE=binance|okx|bybit, default binance). SOAK_CLIENTS (200) WebSocket clients
// hold a connection to keywarden's private WebSocket path for SOAK_SECONDS (300): each logs in
// (OKX, Bybit: one keywarden client each, so no two logins are one frame), subscribes to its
// order stream (Binance's user data stream; OKX `orders` for every SOAK_SUBSCRIBE_EVERY-th), then every
// SOAK_INTERVAL_MS (2000) places an order: Binance a signed `order.test`, OKX and Bybit a resting
// limit buy followed by its cancel. keywarden's resident memory is sampled from /proc every 5 s.
// Afterwards every client disconnects, and the established TCP connections to the sandbox's port
// are counted again: each client socket has its own upstream socket, so every one opened must be
// gone (the count returns to what it was before the clients connected).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXCHANGE, PROTOCOLS } from './protocols.mjs';
import { connect, startRole, stopAll, trading } from './run.mjs';

const CLIENTS = Number(process.env.SOAK_CLIENTS ?? 200);
const SECONDS = Number(process.env.SOAK_SECONDS ?? 300);
const INTERVAL_MS = Number(process.env.SOAK_INTERVAL_MS ?? 2000);
const SUBSCRIBE_EVERY = Number(process.env.SOAK_SUBSCRIBE_EVERY ?? 0);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function rssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** Established TCP connections whose far end is the sandbox's port (keywarden's upstream sockets). */
function upstreamSockets(port) {
  const out = execFileSync('ss', ['-Htn', 'state', 'established', `( dport = :${port} )`], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.trim() !== '').length;
}

async function main() {
  const proto = PROTOCOLS[EXCHANGE];
  const seedDir = mkdtempSync(join(tmpdir(), 'kw-soak-seed-'));
  const sandbox = await startRole('sandbox', [seedDir], { BENCH_EXCHANGES: EXCHANGE });
  const kw = await startRole('keywarden', [seedDir, sandbox.url], {
    ...trading(EXCHANGE),
    BENCH_CLIENTS: EXCHANGE === 'binance' ? '1' : String(CLIENTS),
  });
  const credentialOf = (i) => kw.credentials[i % kw.credentials.length];
  const port = new URL(sandbox.url).port;
  const url = `${kw.url.replace(/^http/, 'ws')}/${EXCHANGE}${proto.path}`;
  const before = upstreamSockets(port);
  const rss = [{ at: 0, mib: rssMiB(kw.pid) }];
  const counts = { ok: 0, cancelled: 0, refused: 0, events: 0 };
  const clients = [];
  for (let i = 0; i < CLIENTS; i++) {
    const c = await connect(url, proto.idField);
    c.ws.on('message', (d) => {
      const t = d.toString();
      if (t.includes('"event"') || t.includes('"arg"')) counts.events++;
    });
    await proto.login(c, credentialOf(i));
    // Binance: every client (order.test makes no events). OKX: every SOAK_SUBSCRIBE_EVERY-th, none
    // by default: all clients trade on one sandbox account, and the sandbox's push emulation
    // re-reads that account's orders for every subscriber on every change (bench/README.md).
    if (proto.subscribe && (EXCHANGE === 'binance' || (SUBSCRIBE_EVERY > 0 && i % SUBSCRIBE_EVERY === 0))) {
      const sub = await proto.subscribe(c, credentialOf(i));
      if (sub.status !== 200 && sub.event !== 'subscribe') throw new Error(`subscribe refused: ${JSON.stringify(sub)}`);
    }
    clients.push(c);
  }
  const during = upstreamSockets(port);
  const started = Date.now();
  let n = 0;
  const loops = clients.map(async (c, i) => {
    await sleep((i * INTERVAL_MS) / CLIENTS);
    while (Date.now() - started < SECONDS * 1000) {
      const a = await proto.order(c, credentialOf(i), `soak${i}x${n++}`);
      if (proto.ok(a)) counts.ok++;
      else {
        counts.refused++;
        if (counts.refused < 3) process.stderr.write(`refused: ${JSON.stringify(a)}\n`);
      }
      if (proto.ok(a) && proto.cancel) {
        const x = await proto.cancel(c, credentialOf(i), a);
        if (proto.ok(x)) counts.cancelled++;
        else counts.refused++;
      }
      await sleep(INTERVAL_MS);
    }
  });
  const sampler = setInterval(() => {
    rss.push({ at: Math.round((Date.now() - started) / 1000), mib: rssMiB(kw.pid) });
  }, 5000);
  await Promise.all(loops);
  clearInterval(sampler);
  rss.push({ at: Math.round((Date.now() - started) / 1000), mib: rssMiB(kw.pid) });
  for (const c of clients) c.ws.close();
  await sleep(3000);
  const after = upstreamSockets(port);
  const mibs = rss.map((r) => r.mib);
  const firstMinute = rss.filter((r) => r.at <= 60).map((r) => r.mib);
  const lastMinute = rss.filter((r) => r.at >= SECONDS - 60).map((r) => r.mib);
  const max = (xs) => Math.max(...xs).toFixed(0);
  const lines = [
    `${new Date().toISOString()} ${EXCHANGE}: ${CLIENTS} clients × ${SECONDS} s, one ${proto.what} per client every ${INTERVAL_MS} ms: ${counts.ok} orders accepted, ${counts.cancelled} cancels accepted, ${counts.refused} refused, ${counts.events} pushes received.`,
    `keywarden RSS MiB: start ${rss[0].mib.toFixed(0)}, max over the first minute ${max(firstMinute)}, max over the last minute ${max(lastMinute)}, max overall ${max(mibs)}, end ${mibs.at(-1).toFixed(0)}.`,
    `Established sockets to the sandbox: before the clients ${before}, with ${CLIENTS} clients ${during}, 3 s after they disconnected ${after}.`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (counts.refused > 0 || after > before) process.exitCode = 1;
}

try {
  await main();
} finally {
  stopAll();
}
