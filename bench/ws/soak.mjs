// WebSocket soak (not part of npm test; loopback only): `npm run build && node bench/ws/soak.mjs`.
// SOAK_CLIENTS (200) WebSocket clients hold a connection to keywarden's /binance/ws-api/v3 for
// SOAK_SECONDS (300): each subscribes to its user data stream, then sends a signed `order.test`
// every SOAK_INTERVAL_MS (2000). keywarden's resident memory is sampled from /proc every 5 s.
// Afterwards every client disconnects, and the established TCP connections to the sandbox's port
// are counted again: each client socket has its own upstream socket, so every one opened must be
// gone (the count returns to what it was before the clients connected).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, signed, startRole, stopAll, TEST_ORDER, trading } from './run.mjs';

const CLIENTS = Number(process.env.SOAK_CLIENTS ?? 200);
const SECONDS = Number(process.env.SOAK_SECONDS ?? 300);
const INTERVAL_MS = Number(process.env.SOAK_INTERVAL_MS ?? 2000);
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
  const seedDir = mkdtempSync(join(tmpdir(), 'kw-soak-seed-'));
  const sandbox = await startRole('sandbox', [seedDir]);
  const kw = await startRole('keywarden', [seedDir, sandbox.url], trading());
  const port = new URL(sandbox.url).port;
  const url = `${kw.url.replace(/^http/, 'ws')}/binance/ws-api/v3`;
  const before = upstreamSockets(port);
  const rss = [{ at: 0, mib: rssMiB(kw.pid) }];
  const counts = { ok: 0, refused: 0, events: 0 };
  const clients = [];
  for (let i = 0; i < CLIENTS; i++) {
    const c = await connect(url);
    c.ws.on('message', (d) => {
      if (d.toString().includes('"event"')) counts.events++;
    });
    const sub = await c.request('userDataStream.subscribe.signature', signed(kw.credential, {}));
    if (sub.status !== 200) throw new Error(`subscribe refused: ${JSON.stringify(sub)}`);
    clients.push(c);
  }
  const during = upstreamSockets(port);
  const started = Date.now();
  let n = 0;
  const loops = clients.map(async (c, i) => {
    await sleep((i * INTERVAL_MS) / CLIENTS);
    while (Date.now() - started < SECONDS * 1000) {
      const params = { ...TEST_ORDER, newClientOrderId: `soak${i}x${n++}` };
      const a = await c.request('order.test', signed(kw.credential, params));
      if (a.status === 200) counts.ok++;
      else counts.refused++;
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
    `${CLIENTS} clients × ${SECONDS} s, one signed order.test per client every ${INTERVAL_MS} ms: ${counts.ok} answered 200, ${counts.refused} refused.`,
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
