// One server role per process, so the load generator, the gateway and the emulated exchange
// do not share an event loop: `node servers.mjs sandbox|proxy|keywarden <seedDir> [sandboxUrl]`.
// Prints one JSON line ({ url, ... }) once listening. Uses the built code in dist/ (npm run build).
import { createServer } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';

const [role, seedDir, sandboxUrl] = process.argv.slice(2);
const dist = new URL('../../dist/', import.meta.url);
const load = (p) => import(new URL(p, dist).href);

async function sandbox() {
  const { createSandbox, loadOrCreateSeed } = await load('sandbox/server.js');
  const { binanceEmulator } = await load('sandbox/binance.js');
  // BENCH_EXCHANGES (default binance): the emulators to serve; the WebSocket bench also runs OKX and Bybit.
  const wanted = (process.env.BENCH_EXCHANGES ?? 'binance').split(',');
  const all = {
    binance: binanceEmulator,
    okx: wanted.includes('okx') ? (await load('sandbox/okx.js')).okxEmulator : undefined,
    bybit: wanted.includes('bybit') ? (await load('sandbox/bybit.js')).bybitEmulator : undefined,
  };
  const emulators = wanted.map((id) => all[id]).filter(Boolean);
  const seed = loadOrCreateSeed(seedDir, emulators);
  // The bench measures the gateway: Binance's weight limit (6000 a minute, enforced by default) is lifted.
  const sb = createSandbox({
    emulators,
    keys: seed.keys.filter((k) => wanted.includes(k.exchange)),
    rateLimits: { weightPerMinute: Number.MAX_SAFE_INTEGER },
  });
  // The request log is the sandbox's proof for tests; in a benchmark it would only grow.
  const url = await sb.listen(0, '127.0.0.1');
  setInterval(() => {
    sb.log.length = 0;
  }, 1000).unref();
  return { url };
}

/** A bare pass-through proxy: node:http in, undici Pool out, no checks at all. */
async function proxy() {
  const target = new URL(sandboxUrl);
  const pool = new Pool(target.origin, { connections: 64, pipelining: 1 });
  const hop = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host', 'content-length', 'upgrade']);
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const headers = {};
      for (const [k, v] of Object.entries(req.headers)) if (!hop.has(k)) headers[k] = v;
      try {
        const body = Buffer.concat(chunks);
        const r = await pool.request({
          method: req.method,
          path: req.url,
          headers,
          ...(body.length ? { body } : {}),
        });
        const out = {};
        for (const [k, v] of Object.entries(r.headers)) if (!hop.has(k) || k === 'content-length') out[k] = v;
        res.writeHead(r.statusCode, out);
        r.body.pipe(res);
      } catch {
        res.writeHead(502).end();
      }
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}` };
}

async function keywarden() {
  const { setupBenchGateway } = await import('./keywarden-setup.mjs');
  const dataDir = mkdtempSync(join(tmpdir(), 'kw-bench-'));
  return setupBenchGateway({ dist, dataDir, seedDir, sandboxUrl });
}

// Exit cleanly on SIGTERM so --cpu-prof can write its profile.
process.on("SIGTERM", () => process.exit(0));
const roles = { sandbox, proxy, keywarden };
const info = await roles[role]();
process.stdout.write(`${JSON.stringify(info)}\n`);
