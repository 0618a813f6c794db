/**
 * The sandbox's WebSocket face: an upgrade to `/<exchange><path>` where the emulator lists
 * `path` opens a session; every message is logged like an HTTP request, and after any request
 * (REST or WebSocket) every session is told the engine may have changed, so private streams
 * carry the events of orders placed either way.
 *
 * Each connection is listed (`connections()`, `GET /_sandbox/ws`) with the api key its accepted
 * messages were verified with (the key an OKX/Bybit login, a Binance signature, a Kraken token or
 * a Coinbase JWT named), so a test can tell which key an upstream connection is logged in with.
 * `drop()` (`POST /_sandbox/fault` kind `ws_drop`) closes an exchange's connections as an
 * exchange's forced reconnect does, and can refuse the next upgrades (an exchange that is away).
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { SandboxContext, SandboxEmulator, SandboxWsSession } from './emulator.js';
import type { SandboxLogEntry } from './server.js';

/** One WebSocket connection the sandbox accepted: the proof of which key it was logged in with. */
export interface SandboxWsConnection {
  /** `ws1`, `ws2`, … in the order they were opened. */
  readonly id: string;
  readonly exchange: string;
  readonly path: string;
  readonly openedAt: number;
  /** Set once closed (by either side). */
  closedAt?: number;
  /** The api key of the last message the emulator accepted on it (sandbox keys are the sandbox's own data). */
  apiKey?: string;
  /** Every api key that message acceptances named, first use first. */
  readonly apiKeys: string[];
}

export interface SandboxWsDrop {
  exchange: string;
  /** Refuse this many of the exchange's next upgrades (503), as an exchange that is away. */
  refuseReconnects?: number;
  /** The close code sent (default 1001, going away: Binance's 24 h limit and maintenance). */
  code?: number;
}

export interface SandboxWs {
  changed(): void;
  /** Every connection opened since start, oldest first (closed ones keep `closedAt`). */
  connections(): readonly SandboxWsConnection[];
  /** Close every open connection of the exchange; returns how many were closed. */
  drop(drop: SandboxWsDrop): number;
  close(): void;
}

/** How long before a lifetime's close its notice comes. */
const NOTICE_LEAD_MS = 500;
/** Connections listed at most (a soak opens hundreds): the oldest closed ones are forgotten first. */
const MAX_LISTED = 2_000;

export function attachSandboxWs(
  server: Server,
  options: {
    emulators: ReadonlyMap<string, SandboxEmulator>;
    context(exchange: string): SandboxContext;
    log: SandboxLogEntry[];
    /** Close every connection this long after it opened (1001), after the emulator's shutdown notice. */
    lifetimeMs?: number;
  },
): SandboxWs {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  const sessions = new Set<SandboxWsSession>();
  const listed: SandboxWsConnection[] = [];
  const open = new Map<SandboxWsConnection, { terminate(code: number): void }>();
  const refusing = new Map<string, number>();
  let opened = 0;
  const changed = () => {
    for (const s of sessions) s.changed();
  };
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const full = (req.url ?? '/').split('?')[0] ?? '/';
    const slash = full.indexOf('/', 1);
    const exchange = slash === -1 ? '' : full.slice(1, slash);
    const path = slash === -1 ? '' : full.slice(slash);
    const emulator = options.emulators.get(exchange);
    if (!emulator?.ws?.paths.includes(path)) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const refuse = refusing.get(exchange) ?? 0;
    if (refuse > 0) {
      refusing.set(exchange, refuse - 1);
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const ws = emulator.ws;
    wss.handleUpgrade(req, socket, head, (client) => {
      const base = options.context(exchange);
      const conn: SandboxWsConnection = {
        id: `ws${++opened}`,
        exchange,
        path,
        openedAt: base.clock.now(),
        apiKeys: [],
      };
      listed.push(conn);
      if (listed.length > MAX_LISTED) {
        const i = listed.findIndex((c) => c.closedAt !== undefined);
        if (i !== -1) listed.splice(i, 1);
      }
      // The key the message being handled was verified with: the emulators look keys up by id.
      let looked: string | undefined;
      const ctx: SandboxContext = {
        ...base,
        keyById: (id) => {
          const k = base.keyById(id);
          if (k) looked = id;
          return k;
        },
      };
      const sourceIp = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
      const session = ws.connect(
        {
          sourceIp,
          host: req.headers.host ?? '',
          send: (text) => {
            if (client.readyState === client.OPEN) client.send(text);
          },
        },
        path,
        { ...ctx, emulator },
      );
      sessions.add(session);
      open.set(conn, { terminate: (code) => client.close(code, 'sandbox: connection dropped') });
      // Binance closes a WebSocket API connection after 24 h, announcing it first (serverShutdown).
      const lifetime = options.lifetimeMs;
      const timers: NodeJS.Timeout[] = [];
      if (lifetime !== undefined) {
        timers.push(setTimeout(() => session.shutdownNotice?.(), lifetime));
        timers.push(
          setTimeout(() => client.close(1001, 'sandbox: connection lifetime'), lifetime + NOTICE_LEAD_MS),
        );
        for (const t of timers) t.unref();
      }
      client.on('message', (data) => {
        looked = undefined;
        session
          .message(data.toString())
          .then((entry) => {
            const apiKey = entry && entry.status < 400 ? looked : undefined;
            if (apiKey) {
              conn.apiKey = apiKey;
              if (!conn.apiKeys.includes(apiKey)) conn.apiKeys.push(apiKey);
            }
            if (entry)
              options.log.push({
                at: base.clock.now(),
                exchange,
                sourceIp,
                path,
                ...entry,
                connection: conn.id,
                ...(apiKey ? { apiKey } : {}),
              });
            changed();
          })
          .catch(() => client.terminate());
      });
      client.once('close', () => {
        for (const t of timers) clearTimeout(t);
        sessions.delete(session);
        open.delete(conn);
        conn.closedAt = base.clock.now();
      });
    });
  });
  return {
    changed,
    connections: () => listed,
    drop(d) {
      if (d.refuseReconnects !== undefined) refusing.set(d.exchange, d.refuseReconnects);
      let n = 0;
      for (const [conn, c] of open)
        if (conn.exchange === d.exchange) {
          c.terminate(d.code ?? 1001);
          n++;
        }
      return n;
    },
    close() {
      for (const c of wss.clients) c.terminate();
      wss.close();
    },
  };
}
