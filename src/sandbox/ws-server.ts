/**
 * The sandbox's WebSocket face: an upgrade to `/<exchange><path>` where the emulator lists
 * `path` opens a session; every message is logged like an HTTP request, and after any request
 * (REST or WebSocket) every session is told the engine may have changed, so private streams
 * carry the events of orders placed either way.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { SandboxContext, SandboxEmulator, SandboxWsSession } from './emulator.js';
import type { SandboxLogEntry } from './server.js';

export interface SandboxWs {
  changed(): void;
  close(): void;
}

export function attachSandboxWs(
  server: Server,
  options: {
    emulators: ReadonlyMap<string, SandboxEmulator>;
    context(exchange: string): SandboxContext;
    log: SandboxLogEntry[];
  },
): SandboxWs {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  const sessions = new Set<SandboxWsSession>();
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
    const ws = emulator.ws;
    wss.handleUpgrade(req, socket, head, (client) => {
      const ctx = options.context(exchange);
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
      client.on('message', (data) => {
        session
          .message(data.toString())
          .then((entry) => {
            if (entry) options.log.push({ at: ctx.clock.now(), exchange, sourceIp, path, ...entry });
            changed();
          })
          .catch(() => client.terminate());
      });
      client.once('close', () => sessions.delete(session));
    });
  });
  return {
    changed,
    close() {
      for (const c of wss.clients) c.terminate();
      wss.close();
    },
  };
}
