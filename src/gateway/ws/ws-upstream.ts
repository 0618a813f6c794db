/**
 * One connection's upstream WebSocket, shaped as an `Upstream` so the pipeline's forward stage
 * sends a signed request over it unchanged. Opened on the first request (with the real key's
 * signature in that request), pinged, and closed with its client. `send` (the amend lookups)
 * goes over REST. Frames without a pending id (user data events) go to `onEvent`.
 */
import { Readable } from 'node:stream';
import WebSocket from 'ws';
import { KeywardenError, type OutgoingRequest } from '../../core/index.js';
import type { WsAdapter } from '../../exchanges/index.js';
import type { StreamedResponse, Upstream } from '../upstream.js';
import { heartbeat } from './ws-heartbeat.js';
import { UPSTREAM_TIMEOUT_MS } from './ws-limits.js';

export interface WsUpstream extends Upstream {
  /** True once an upstream socket was opened (and not yet closed). */
  readonly open: boolean;
}

interface Pending {
  resolve(r: StreamedResponse): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export function createWsUpstream(options: {
  url: string;
  rest: Upstream;
  ws: WsAdapter;
  onEvent(text: string): void;
  /** The upstream socket closed on its own (the exchange's forced reconnect, a lost link). */
  onGone(): void;
}): WsUpstream {
  const { ws } = options;
  const session = ws.upstreamSession?.((request) => options.rest.send(request));
  let socket: WebSocket | undefined;
  let opening: Promise<WebSocket> | undefined;
  let closed = false;
  let nextId = 0;
  let stopPings: (() => void) | undefined;
  const pending = new Map<number, Pending>();
  /** The id of the login request in flight: its answer carries no id (OKX, Bybit). */
  let loginId: number | undefined;

  const failAll = (message: string) => {
    for (const [id, p] of pending) {
      clearTimeout(p.timer);
      pending.delete(id);
      p.reject(new KeywardenError('upstream_failed', message));
    }
  };

  function connect(): Promise<WebSocket> {
    opening ??= new Promise<WebSocket>((resolve, reject) => {
      const s = new WebSocket(options.url, {
        perMessageDeflate: false,
        handshakeTimeout: UPSTREAM_TIMEOUT_MS,
      });
      s.once('open', () => {
        socket = s;
        const stopHeartbeat = heartbeat(s);
        const keep = ws.keepalive;
        const timer = keep ? setInterval(() => s.send(keep.text), keep.intervalMs) : undefined;
        timer?.unref();
        stopPings = () => {
          stopHeartbeat();
          clearInterval(timer);
        };
        resolve(s);
      });
      s.on('message', (data, isBinary) => {
        if (isBinary) return;
        const text = session?.relay ? session.relay(data.toString()) : data.toString();
        if (text === undefined) return;
        const f = ws.parseUpstream(text);
        if (f.kind === 'ignored') return;
        const id = f.kind === 'response' ? f.id : f.kind === 'login' ? loginId : undefined;
        const p = id === undefined ? undefined : pending.get(id);
        if ((f.kind === 'response' || f.kind === 'login') && id !== undefined && p) {
          clearTimeout(p.timer);
          pending.delete(id);
          if (id === loginId) loginId = undefined;
          p.resolve({
            status: f.status,
            // The frame's rate-limit usage as headers: the forward stage settles the budgets with them.
            headers: { ...ws.usageHeaders?.(text), 'content-type': 'application/json' },
            body: Readable.from([text]),
          });
          return;
        }
        // An unmatched login-shaped answer (OKX's error event without an id) is relayed as an event.
        if (f.kind === 'event' || f.kind === 'login') options.onEvent(text);
      });
      s.once('error', (err) => {
        if (socket === undefined)
          reject(new KeywardenError('upstream_failed', `exchange WebSocket: ${err.message}`));
      });
      s.once('close', () => {
        stopPings?.();
        socket = undefined;
        opening = undefined;
        failAll('the exchange closed the WebSocket');
        if (!closed) options.onGone();
      });
    });
    return opening;
  }

  return {
    baseUrl: options.rest.baseUrl,
    get open() {
      return socket !== undefined;
    },
    async stream(request: OutgoingRequest): Promise<StreamedResponse> {
      if (closed) throw new KeywardenError('upstream_failed', 'the connection is closing');
      const s = await connect();
      const id = ++nextId;
      const frame = session ? await session.frame(id, request) : ws.upstreamFrame(id, request);
      if (closed || socket !== s) throw new KeywardenError('upstream_failed', 'the connection is closing');
      if (ws.loginPath !== undefined && request.path === ws.loginPath) loginId = id;
      if (session?.unanswered) {
        s.send(frame);
        return { status: 200, headers: { 'content-type': 'application/json' }, body: Readable.from(['']) };
      }
      return new Promise<StreamedResponse>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          if (id === loginId) loginId = undefined;
          reject(new KeywardenError('upstream_failed', 'the exchange did not answer on its WebSocket'));
        }, UPSTREAM_TIMEOUT_MS);
        pending.set(id, { resolve, reject, timer });
        s.send(frame);
      });
    },
    send: (request) => options.rest.send(request),
    async close() {
      closed = true;
      failAll('the connection closed');
      socket?.close(1000);
      opening?.catch(() => undefined);
    },
  };
}
