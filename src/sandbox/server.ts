import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Clock, ExchangeId } from '../core/index.js';
import { KeywardenError } from '../core/index.js';
import type { ExchangeResponse } from '../exchanges/index.js';
import { createMemoryNonceLedger } from '../exchanges/index.js';
import type { SandboxEmulator, SandboxKey } from './emulator.js';
import { createEngine, type Engine } from './engine.js';
import {
  createSandboxRateLimits,
  type SandboxFault,
  type SandboxRateLimitOptions,
  type SandboxRateLimits,
} from './rate-limits.js';
import { attachSandboxWs, type SandboxWs, type SandboxWsDrop } from './ws-server.js';

/** One request the emulated exchanges received: the proof of what keywarden did or did not forward. */
export interface SandboxLogEntry {
  at: number;
  exchange: string;
  method: string;
  path: string;
  query: string;
  sourceIp: string;
  status: number;
  /** WebSocket messages: the sandbox connection it came on (`SandboxWsConnection.id`). */
  connection?: string;
  /** WebSocket messages the emulator accepted: the api key they were verified with. */
  apiKey?: string;
}

export interface SandboxSeed {
  version: 1;
  keys: SandboxKey[];
}

export interface SandboxOptions {
  emulators: readonly SandboxEmulator[];
  keys: readonly SandboxKey[];
  clock?: Clock;
  engine?: Engine;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes?: number;
  /** The exchanges' own rate limits (Binance's request weight per IP); defaults as the exchanges document them. */
  rateLimits?: SandboxRateLimitOptions;
  /** Close every WebSocket connection this long after it opened, after the exchange's notice (Binance: 24 h; default: never). */
  wsLifetimeMs?: number;
}

export interface Sandbox {
  readonly engine: Engine;
  readonly keys: readonly SandboxKey[];
  /** Every request received, oldest first. */
  readonly log: SandboxLogEntry[];
  readonly server: Server;
  /** The emulated exchanges' rate-limit state; `inject` queues faults (also `POST /_sandbox/fault`). */
  readonly limits: SandboxRateLimits;
  /** The WebSocket connections (which key each is logged in with) and forced closes (also `GET /_sandbox/ws`, `POST /_sandbox/fault` kind `ws_drop`). */
  readonly ws: Pick<SandboxWs, 'connections' | 'drop'>;
  listen(port?: number, host?: string): Promise<string>;
  /** Base URL for one exchange once listening, e.g. `http://127.0.0.1:8788/binance`. */
  baseUrl(exchange: ExchangeId): string;
  close(): Promise<void>;
}

const SEED_FILE = 'seed.json';

/**
 * Load the sandbox seed (keys and their random secrets) from `dir`, creating it on first start.
 * This is the emulated exchange's own database, kept apart from keywarden's vault.
 */
export function loadOrCreateSeed(dir: string, emulators: readonly SandboxEmulator[]): SandboxSeed {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, SEED_FILE);
  if (existsSync(file)) {
    let seed: SandboxSeed;
    try {
      seed = JSON.parse(readFileSync(file, 'utf8')) as SandboxSeed;
      if (seed.version !== 1 || !Array.isArray(seed.keys)) throw new Error('bad seed');
    } catch {
      throw new KeywardenError(
        'invalid_config',
        `sandbox seed ${file} is unreadable (delete it to create new keys)`,
      );
    }
    const have = new Set(seed.keys.map((k) => k.exchange));
    const missing = emulators.filter((e) => !have.has(e.exchange));
    if (missing.length === 0) return seed;
    const merged: SandboxSeed = {
      version: 1,
      keys: [...seed.keys, ...missing.flatMap((e) => e.generateKeys())],
    };
    writeFileSync(file, JSON.stringify(merged, null, 2), { mode: 0o600 });
    return merged;
  }
  const seed: SandboxSeed = { version: 1, keys: emulators.flatMap((e) => e.generateKeys()) };
  writeFileSync(file, JSON.stringify(seed, null, 2), { mode: 0o600 });
  chmodSync(file, 0o600);
  return seed;
}

function send(res: ServerResponse, r: ExchangeResponse): void {
  res.writeHead(r.status, { ...r.headers, 'content-length': Buffer.byteLength(r.body) });
  res.end(r.body);
}

/** `{ exchange, status?, retryAfterSeconds, count? }` from `POST /_sandbox/fault`, or undefined. */
function parseFault(body: string | undefined): { fault: SandboxFault; count: number } | undefined {
  try {
    const v = JSON.parse(body ?? '') as Record<string, unknown>;
    const status = v.status ?? 429;
    const count = v.count ?? 1;
    const retry = v.retryAfterSeconds;
    if (typeof v.exchange !== 'string' || (status !== 429 && status !== 418)) return undefined;
    if (typeof retry !== 'number' || !Number.isInteger(retry) || retry < 0 || retry > 86_400)
      return undefined;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 1000) return undefined;
    return { fault: { exchange: v.exchange, status, retryAfterSeconds: retry }, count };
  } catch {
    return undefined;
  }
}

/** `{ kind: "ws_drop", exchange, refuseReconnects?, code? }` from `POST /_sandbox/fault`, or undefined. */
function parseWsDrop(body: string | undefined): SandboxWsDrop | undefined {
  try {
    const v = JSON.parse(body ?? '') as Record<string, unknown>;
    if (v.kind !== 'ws_drop' || typeof v.exchange !== 'string') return undefined;
    const refuse = v.refuseReconnects ?? 0;
    const code = v.code ?? 1001;
    if (typeof refuse !== 'number' || !Number.isInteger(refuse) || refuse < 0 || refuse > 1000)
      return undefined;
    // Codes a server may send (RFC 6455 §7.4): 1000-1003, 1007-1014, 3000-4999.
    const sendable =
      typeof code === 'number' &&
      Number.isInteger(code) &&
      ((code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999));
    if (!sendable) return undefined;
    return { exchange: v.exchange, refuseReconnects: refuse, code };
  } catch {
    return undefined;
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > limit) {
        // Answer 413 at once and discard the rest; destroying the socket would lose the answer.
        over = true;
        chunks.length = 0;
        resolve(undefined);
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

function lowerHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

export function createSandbox(options: SandboxOptions): Sandbox {
  const clock = options.clock ?? { now: Date.now };
  const engine = options.engine ?? createEngine({ now: () => clock.now() });
  const maxBody = options.maxBodyBytes ?? 1024 * 1024;
  const emulators = new Map(options.emulators.map((e) => [e.exchange as string, e]));
  const keysByExchange = new Map<string, Map<string, SandboxKey>>();
  for (const k of options.keys) {
    let m = keysByExchange.get(k.exchange);
    if (!m) {
      m = new Map();
      keysByExchange.set(k.exchange, m);
    }
    m.set(k.credential.apiKey, k);
  }
  const nonces = createMemoryNonceLedger();
  const limits = createSandboxRateLimits(options.rateLimits);
  const log: SandboxLogEntry[] = [];
  let origin = '';

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const fullPath = q === -1 ? url : url.slice(0, q);
    const query = q === -1 ? '' : url.slice(q + 1);
    const sourceIp = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    const method = (req.method ?? 'GET').toUpperCase();

    if (fullPath === '/_sandbox/requests' && method === 'GET') {
      send(res, { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(log) });
      return;
    }
    if (fullPath === '/_sandbox/price' && method === 'POST') {
      const body = await readBody(req, maxBody);
      try {
        const { symbol, price } = JSON.parse(body ?? '') as { symbol: string; price: number };
        if (typeof symbol !== 'string' || typeof price !== 'number' || !(price > 0)) throw new Error('bad');
        engine.setPrice(symbol, price);
        send(res, { status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' });
      } catch {
        send(res, {
          status: 400,
          headers: { 'content-type': 'application/json' },
          body: '{"error":"symbol and price required"}',
        });
      }
      return;
    }

    if (fullPath === '/_sandbox/ws' && method === 'GET') {
      send(res, {
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(sockets.connections()),
      });
      return;
    }

    if (fullPath === '/_sandbox/fault' && method === 'POST') {
      const body = await readBody(req, maxBody);
      const drop = parseWsDrop(body);
      if (drop) {
        const closed = sockets.drop(drop);
        send(res, {
          status: 200,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ok: true, closed }),
        });
        return;
      }
      const fault = parseFault(body);
      if (fault) limits.inject(fault.fault, fault.count);
      send(
        res,
        fault
          ? { status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' }
          : {
              status: 400,
              headers: { 'content-type': 'application/json' },
              body: '{"error":"exchange, status (429 or 418), retryAfterSeconds and count (1-1000) required; or kind ws_drop, exchange, refuseReconnects (0-1000), code"}',
            },
      );
      return;
    }

    const slash = fullPath.indexOf('/', 1);
    const exchange = slash === -1 ? fullPath.slice(1) : fullPath.slice(1, slash);
    const emulator = emulators.get(exchange);
    const path = slash === -1 ? '/' : fullPath.slice(slash);
    let status = 404;
    try {
      if (!emulator) {
        send(res, {
          status: 404,
          headers: { 'content-type': 'application/json' },
          body: '{"error":"unknown exchange"}',
        });
        return;
      }
      const body = await readBody(req, maxBody);
      if (body === undefined) {
        status = 413;
        send(res, {
          status: 413,
          headers: { 'content-type': 'application/json', connection: 'close' },
          body: '{"error":"body too large"}',
        });
        return;
      }
      const keys = keysByExchange.get(exchange);
      // Binance takes its own faults (its 429/418 bookkeeping); the others answer a generic one.
      const fault = exchange === 'binance' ? undefined : limits.takeFault(exchange);
      if (fault) {
        status = fault.status;
        send(res, {
          status: fault.status,
          headers: { 'content-type': 'application/json', 'retry-after': String(fault.retryAfterSeconds) },
          body: '{"error":"too many requests (injected)"}',
        });
        return;
      }
      const answer = await emulator.handle(
        {
          method,
          path,
          query,
          headers: lowerHeaders(req),
          body,
          sourceIp,
          host: req.headers.host ?? '',
          prefix: `/${exchange}`,
        },
        { engine, clock, nonces, limits, keyById: (id) => keys?.get(id) },
      );
      status = answer.status;
      send(res, answer);
    } catch {
      status = 500;
      send(res, {
        status: 500,
        headers: { 'content-type': 'application/json' },
        body: '{"error":"sandbox internal error"}',
      });
    } finally {
      log.push({ at: clock.now(), exchange, method, path, query, sourceIp, status });
      sockets.changed();
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  server.keepAliveTimeout = 30_000;
  const context = (exchange: string) => {
    const keys = keysByExchange.get(exchange);
    return { engine, clock, nonces, limits, keyById: (id: string) => keys?.get(id) };
  };
  const sockets = attachSandboxWs(server, {
    emulators,
    context,
    log,
    ...(options.wsLifetimeMs !== undefined ? { lifetimeMs: options.wsLifetimeMs } : {}),
  });

  return {
    engine,
    keys: options.keys,
    log,
    server,
    limits,
    ws: { connections: () => sockets.connections(), drop: (d) => sockets.drop(d) },
    listen(port = 0, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const addr = server.address() as AddressInfo;
          origin = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
          resolve(origin);
        });
      });
    },
    baseUrl: (exchange) => `${origin}/${exchange}`,
    close() {
      return new Promise((resolve) => {
        sockets.close();
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
