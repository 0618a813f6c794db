/**
 * The WebSocket edge on the gateway listener: an HTTP `upgrade` to `/<exchange><path>` where the
 * exchange's adapter lists `path` (wss when the listener has TLS) becomes a session
 * (ws-connection.ts). A poll of the client state closes the sessions of frozen, revoked or
 * expired clients, and every session when the vault seals, within LIFECYCLE_POLL_MS.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { EXCHANGE_IDS, type ExchangeId } from '../../core/index.js';
import { serveSocket, type WsSession } from './ws-connection.js';
import { CLOSE_GOING_AWAY, CLOSE_POLICY, LIFECYCLE_POLL_MS, MAX_FRAME_BYTES } from './ws-limits.js';
import { createWsMetrics } from './ws-metrics.js';
import type { WsHooks } from './ws-types.js';

export interface WsEdge {
  /** Open sessions now. */
  readonly size: number;
  close(): void;
}

/**
 * The upgrade's headers each frame carries: only what the admission and IP stages read. Never an
 * `Authorization` or key header of the upgrade: every frame authenticates itself.
 */
const CARRIED = ['host', 'x-forwarded-for', 'user-agent'];

function carried(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of CARRIED) {
    const v = req.headers[k];
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

export function attachWebSockets(server: Server, hooks: WsHooks): WsEdge {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
  const sessions = new Set<WsSession>();
  const metrics = createWsMetrics(hooks.metrics);

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const full = q === -1 ? url : url.slice(0, q);
    const slash = full.indexOf('/', 1);
    const name = slash === -1 ? '' : full.slice(1, slash);
    const path = slash === -1 ? '' : full.slice(slash);
    const exchange = EXCHANGE_IDS.find((id) => id === name) as ExchangeId | undefined;
    const adapter = exchange ? hooks.adapters[exchange] : undefined;
    const ws = adapter?.ws;
    if (!exchange || !adapter || !ws || !hooks.upstreams[exchange] || !ws.paths.includes(path)) {
      refuse(socket, 404, 'Not Found');
      return;
    }
    if (hooks.isSealed()) {
      refuse(socket, 503, 'Service Unavailable');
      return;
    }
    wss.handleUpgrade(req, socket, head, (client) => {
      const session = serveSocket(client, {
        hooks,
        exchange,
        adapter,
        ws,
        path,
        peer: req.socket.remoteAddress ?? '',
        local: req.socket.localAddress ?? '',
        headers: carried(req),
        metrics,
        onClosed: (s) => sessions.delete(s),
      });
      sessions.add(session);
    });
  });

  let polling = false;
  const poll = setInterval(() => {
    if (polling || sessions.size === 0) return;
    if (hooks.isSealed()) {
      for (const s of sessions) s.close(CLOSE_POLICY, 'keywarden: vault sealed');
      return;
    }
    polling = true;
    hooks.clients
      .current()
      .then((lookup) => {
        const now = hooks.clock.now();
        for (const s of sessions) s.review(lookup, now);
      })
      .catch((err: unknown) => hooks.onError('ws-lifecycle', err))
      .finally(() => {
        polling = false;
      });
  }, LIFECYCLE_POLL_MS);
  poll.unref();

  return {
    get size() {
      return sessions.size;
    },
    close() {
      clearInterval(poll);
      for (const s of sessions) s.close(CLOSE_GOING_AWAY, 'keywarden: shutting down');
      wss.close();
    },
  };
}
