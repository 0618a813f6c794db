/**
 * One client WebSocket: each request frame becomes its REST-equivalent request and runs the
 * gateway's pipeline (client state, IP, rate limit, classify, policy, audit, sign) against this
 * connection's upstream socket; answers and denials go back under the client's `id`. A
 * connection serves one client credential: the first that signs a request on it, or the one
 * whose login frame (OKX, Bybit) the upstream accepted; later frames then carry `session`.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import type WebSocket from 'ws';
import type { ErrorCode, ExchangeId } from '../../core/index.js';
import type { ExchangeAdapter, WsAdapter, WsId } from '../../exchanges/index.js';
import type { ClientLookup } from '../client-cache.js';
import { type Answer, type EdgeRequest, type Outcome, render, renderError } from '../pipeline/index.js';
import { heartbeat } from './ws-heartbeat.js';
import { CLOSE_POLICY, CLOSE_SLOW_CLIENT, MAX_IN_FLIGHT, MAX_SEND_BUFFER_BYTES } from './ws-limits.js';
import type { WsMetrics } from './ws-metrics.js';
import { createResumableUpstream } from './ws-resume.js';
import type { WsHooks } from './ws-types.js';

export interface WsSession {
  readonly exchange: ExchangeId;
  /** Close the client socket (and its upstream) with this code. */
  close(code: number, reason: string): void;
  /** Close it when the client behind it may no longer be served (frozen, revoked, expired, re-rolled). */
  review(lookup: ClientLookup, now: number): void;
}

const LIFECYCLE_CODES = new Set<ErrorCode>(['client_frozen', 'client_revoked', 'client_expired']);

export function serveSocket(
  socket: WebSocket,
  c: {
    hooks: WsHooks;
    exchange: ExchangeId;
    adapter: ExchangeAdapter;
    ws: WsAdapter;
    path: string;
    peer: string;
    local: string;
    headers: Record<string, string>;
    metrics: WsMetrics;
    onClosed(session: WsSession): void;
  },
): WsSession {
  const { hooks, exchange, ws, metrics } = c;
  const connectionId = `ws_${randomUUID().replaceAll('-', '')}`;
  const rest = hooks.upstreams[exchange];
  let boundKey: string | undefined;
  /** The client api key this connection's accepted login bound it to (OKX, Bybit); frames then carry it as `session`. */
  let loggedIn: string | undefined;
  let loggingIn = false;
  let clientId: string | undefined;
  let inFlight = 0;
  let frames = 0;
  let closing = false;

  function send(text: string): void {
    if (closing) return;
    if (socket.bufferedAmount + Buffer.byteLength(text) > MAX_SEND_BUFFER_BYTES) {
      close(CLOSE_SLOW_CLIENT, 'keywarden: send buffer full (client too slow)');
      return;
    }
    socket.send(text);
  }

  // Re-opened on a key rotation or an exchange's forced close, the client's socket staying open (ws-resume.ts).
  const resumable = rest
    ? createResumableUpstream({
        hooks,
        exchange,
        ws,
        path: c.path,
        url: ws.upstreamUrl(rest.baseUrl, c.path),
        rest,
        connectionId,
        peer: c.peer,
        clientId: () => clientId,
        onEvent(text) {
          metrics.frame(exchange, 'event');
          send(text);
        },
        onFailed: (code, reason) => close(code, reason),
      })
    : undefined;
  const pipeline = resumable ? hooks.pipelineFor(exchange, ws.requestAdapter, resumable.upstream) : undefined;

  function errorFrame(id: WsId, code: ErrorCode, message: string, method?: string): string {
    const a = renderError(ws.requestAdapter, code, connectionId, message);
    return ws.errorFrame(id, { status: a.status, headers: a.headers, body: a.body }, method);
  }

  async function onRequest(
    id: WsId,
    method: string,
    edge: EdgeRequest,
    keyId: string | undefined,
    login: boolean,
  ): Promise<void> {
    if (!pipeline) return;
    const started = performance.now();
    const outcome: Outcome = await pipeline(edge);
    resumable?.settle(outcome);
    await hooks.report(outcome, () => performance.now() - started);
    metrics.frame(exchange, outcome.kind);
    if (outcome.kind === 'forwarded') {
      if (outcome.at.caller.kind === 'client') {
        boundKey ??= keyId;
        clientId ??= outcome.at.caller.hit.client.record.id;
        // The upstream accepted the real key's login: later frames authenticate as this client.
        if (login && outcome.answer.status < 400 && keyId === boundKey) loggedIn = keyId;
      }
      const answer = ws.responseFrame(await text(outcome.answer.body), id);
      if (answer !== undefined) send(answer);
      return;
    }
    const a: Answer = render(outcome);
    send(
      ws.errorFrame(id, { status: a.status, headers: a.headers, body: 'body' in a ? a.body : '' }, method),
    );
    if (outcome.kind === 'denied' && LIFECYCLE_CODES.has(outcome.denial.code))
      close(CLOSE_POLICY, `keywarden: ${outcome.denial.code}`);
  }

  socket.on('message', (data, isBinary) => {
    if (closing) return;
    if (isBinary) {
      send(errorFrame(null, 'bad_request', 'binary frames are not accepted'));
      return;
    }
    frames++;
    const frame = ws.parseFrame(data.toString(), c.path);
    if (frame.kind === 'local') {
      send(frame.reply);
      return;
    }
    if (frame.kind === 'refused') {
      metrics.frame(exchange, 'denied');
      send(
        errorFrame(
          frame.id,
          frame.errorKind === 'bad_request' ? 'bad_request' : 'path_not_allowed',
          frame.message,
          frame.method,
        ),
      );
      return;
    }
    const login = frame.kind === 'login';
    const keyId = ws.requestAdapter.clientKeyId(frame.request);
    if (boundKey !== undefined && keyId !== undefined && keyId !== boundKey) {
      metrics.frame(exchange, 'denied');
      send(
        errorFrame(
          frame.id,
          'bad_request',
          'one client credential per connection: open another connection',
          frame.method,
        ),
      );
      return;
    }
    if (login && (loggedIn !== undefined || loggingIn)) {
      metrics.frame(exchange, 'denied');
      send(errorFrame(frame.id, 'bad_request', 'this connection is already logged in', frame.method));
      return;
    }
    if (inFlight >= MAX_IN_FLIGHT) {
      metrics.frame(exchange, 'denied');
      send(
        errorFrame(
          frame.id,
          'rate_limited',
          `more than ${MAX_IN_FLIGHT} requests in flight on this connection`,
          frame.method,
        ),
      );
      return;
    }
    const r = frame.request;
    const edge: EdgeRequest = {
      requestId: `req_${randomUUID().replaceAll('-', '')}`,
      method: r.method,
      target: `/${exchange}${r.path}${r.query === '' ? '' : `?${r.query}`}`,
      // The upgrade's Host and forwarding headers (the IP stage reads them), then the frame's own.
      headers: { ...c.headers, ...r.headers },
      body: r.body,
      peer: c.peer,
      local: c.local,
      ...(!login && loggedIn !== undefined ? { session: loggedIn } : {}),
    };
    inFlight++;
    if (login) loggingIn = true;
    onRequest(frame.id, frame.method, edge, keyId, login)
      .catch((err: unknown) => {
        hooks.onError(edge.requestId, err);
        send(errorFrame(frame.id, 'internal', 'internal error', frame.method));
      })
      .finally(() => {
        inFlight--;
        if (login) loggingIn = false;
      });
  });

  function close(code: number, reason: string): void {
    if (closing) return;
    closing = true;
    socket.close(code, reason);
    // A client that does not read its close frame is cut off.
    setTimeout(() => socket.terminate(), 1000).unref();
  }

  const session: WsSession = {
    exchange,
    close,
    review(lookup, now) {
      if (boundKey === undefined || closing) return;
      const hit = lookup.byApiKey(boundKey);
      const r = hit?.client.record;
      const why =
        lookup.isRevokedKey(boundKey) || !hit || r?.status === 'revoked'
          ? 'client_revoked'
          : r?.status === 'frozen'
            ? 'client_frozen'
            : (r?.expiresAt !== undefined && r.expiresAt <= now) ||
                (hit.credential.notAfter !== undefined && hit.credential.notAfter <= now)
              ? 'client_expired'
              : undefined;
      if (why) close(CLOSE_POLICY, `keywarden: ${why}`);
      else resumable?.review(lookup);
    },
  };

  const record = (what: 'ws-open' | 'ws-close', detail: Record<string, unknown>) =>
    hooks.audit
      .append({
        kind: 'request',
        requestId: connectionId,
        exchange,
        endpoint: `WS ${c.path}`,
        action: what,
        sourceIp: c.peer,
        ...(clientId ? { clientId } : {}),
        message: what === 'ws-open' ? 'WebSocket opened' : 'WebSocket closed',
        detail,
      })
      .catch((err: unknown) => hooks.onError(connectionId, err));

  metrics.opened(exchange);
  void record('ws-open', {});
  const stopPings = heartbeat(socket);
  socket.on('error', () => socket.terminate());
  socket.once('close', (code) => {
    closing = true;
    stopPings();
    metrics.closed(exchange);
    resumable?.close();
    void record('ws-close', { code, frames });
    c.onClosed(session);
  });
  return session;
}

function text(body: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    body.on('data', (chunk: Buffer | string) => chunks.push(Buffer.from(chunk)));
    body.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    body.once('error', reject);
  });
}
