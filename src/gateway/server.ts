/**
 * The HTTP(S) face of the gateway (Fastify): /healthz, /readyz, the loopback-only unseal
 * endpoint (unseal-route.ts), and every `/<exchange>/...` request handed to the pipeline. Bodies are read as raw
 * text (never parsed by the framework) so the bytes classified are the bytes signed.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { KeywardenConfig } from '../config/index.js';
import type { Clock } from '../core/index.js';
import { ERROR_CODES, safeEqual } from '../core/index.js';
import type { MonitorMetrics } from '../monitor/index.js';
import type { MasterKeySource } from '../vault/index.js';
import type { Gateway } from './gateway.js';
import type { GatewayAnswer } from './gateway-types.js';
import { httpsOption } from './https-option.js';
import { hasProxyHeader, isLoopback } from './ip.js';
import { createUnsealLimiter, type UnsealLimits } from './unseal-limiter.js';
import { registerUnsealRoute } from './unseal-route.js';
import { attachWebSockets } from './ws/index.js';

export interface ServerOptions {
  config: KeywardenConfig;
  gateway: Gateway;
  /** Unseal the vault (POST /_keywarden/unseal, loopback peers only: see unseal-route.ts). */
  unseal?: (source: MasterKeySource) => Promise<void>;
  /** Back-off and lockout of failed unseal attempts (default DEFAULT_UNSEAL_LIMITS). */
  unsealLimits?: UnsealLimits;
  /** Time for the unseal back-off (tests move it). */
  clock?: Clock;
  /** Errors the server answers generically (a failed unseal's cause), for the server's log. */
  onError?: (requestId: string, err: unknown) => void;
  /**
   * Prometheus text at GET /metrics (labels from closed sets only: no client, key id or secret),
   * to whom `config.server.metrics.access` allows; `token` is the bearer token for access "token".
   */
  metrics?: { registry: MonitorMetrics; isSealed: () => boolean; token?: string };
}

export interface GatewayServer {
  app: FastifyInstance;
  listen(host: string, port: number): Promise<string>;
  close(): Promise<void>;
}

/** Why a scrape of /metrics is refused, or undefined when it may be served. */
function metricsDenied(
  access: 'loopback' | 'open' | 'token',
  request: FastifyRequest,
  token: string | undefined,
): 'metrics_loopback_only' | 'metrics_token_required' | undefined {
  if (access === 'open') return undefined;
  if (access === 'loopback') {
    // The socket peer, and no proxy header of any kind (a proxy in front would make every scrape local).
    if (isLoopback(request.socket.remoteAddress) && !hasProxyHeader(request.headers)) return undefined;
    return 'metrics_loopback_only';
  }
  const presented = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1]?.trim();
  // Fail closed: no configured token means no scrape, whatever is presented.
  if (token !== undefined && token !== '' && presented !== undefined && safeEqual(presented, token))
    return undefined;
  return 'metrics_token_required';
}

function send(reply: FastifyReply, a: GatewayAnswer): FastifyReply {
  if ('stream' in a) {
    streamOut(reply, a.status, a.headers, a.stream);
    return reply;
  }
  return reply.code(a.status).headers(a.headers).send(a.body);
}

/**
 * Stream the exchange's answer straight to the socket, chunk by chunk as it arrives (with
 * back-pressure). Writing to the raw response, rather than piping through the framework's
 * stream handling, lets the headers and a small body leave in one write.
 */
function streamOut(
  reply: FastifyReply,
  status: number,
  headers: Record<string, string>,
  body: Readable,
): void {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(status, headers);
  body.on('data', (chunk: Buffer) => {
    if (!res.write(chunk)) body.pause();
  });
  res.on('drain', () => body.resume());
  body.once('end', () => res.end());
  body.once('error', () => res.destroy());
  res.once('close', () => {
    if (!body.readableEnded) body.destroy();
  });
}

export function createGatewayServer(options: ServerOptions): GatewayServer {
  const { config, gateway } = options;
  const tls = config.server.tls;
  const app = Fastify({
    logger: false,
    bodyLimit: config.server.bodyLimitBytes,
    // randomUUID draws from a pooled entropy buffer: no syscall per request on the hot path.
    genReqId: () => `req_${randomUUID().replaceAll('-', '')}`,
    requestIdHeader: false,
    return503OnClosing: true,
    forceCloseConnections: true,
    ...httpsOption(tls),
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, request, reply) => {
    const code =
      err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || err.statusCode === 413
        ? 'body_too_large'
        : err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500
          ? 'bad_request'
          : 'internal';
    return send(reply, gateway.errorAnswer(request.url, code, request.id));
  });

  app.get('/healthz', async (request, reply) => {
    reply.header('x-request-id', request.id);
    return { status: 'ok' };
  });

  app.get('/readyz', async (request, reply) => {
    const r = await gateway.readiness();
    reply.code(r.ready ? 200 : 503).header('x-request-id', request.id);
    return {
      status: r.ready ? 'ready' : 'not ready',
      sealed: r.sealed,
      store: r.store,
      audit: r.audit,
      ...(r.redis === undefined ? {} : { redis: r.redis }),
    };
  });

  const metrics = options.metrics;
  if (metrics)
    app.get('/metrics', async (request, reply) => {
      const denied = metricsDenied(options.config.server.metrics.access, request, metrics.token);
      if (denied)
        return reply
          .code(ERROR_CODES[denied].status)
          .header('x-request-id', request.id)
          .send({ error: denied, message: ERROR_CODES[denied].message });
      // Read at scrape time so the gauge follows seal/unseal from any path.
      metrics.registry.setVaultSealed(metrics.isSealed());
      const text = await metrics.registry.render();
      return reply.header('x-request-id', request.id).type(metrics.registry.contentType).send(text);
    });

  if (options.unseal)
    registerUnsealRoute(app, {
      unseal: options.unseal,
      limiter: createUnsealLimiter(options.clock ?? Date, options.unsealLimits),
      onUnsealed: () => gateway.invalidate(),
      ...(options.onError ? { onError: options.onError } : {}),
    });

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const a = await gateway.handle({
      requestId: request.id,
      method: request.method,
      rawUrl: request.raw.url ?? '/',
      headers: request.headers,
      body: typeof request.body === 'string' ? request.body : '',
      peer: request.socket.remoteAddress ?? '',
      local: request.socket.localAddress ?? '',
    });
    return send(reply, a);
  };
  app.route({
    method: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'],
    url: '/*',
    handler,
  });
  app.setNotFoundHandler(handler);

  // WebSocket private streams and order entry on the same listener (wss:// with its TLS).
  const sockets = attachWebSockets(app.server, gateway.ws);
  app.addHook('onClose', async () => sockets.close());

  return {
    app,
    async listen(host, port) {
      await app.listen({ host, port });
      const addr = app.server.address() as AddressInfo;
      const h = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
      return `${tls ? 'https' : 'http'}://${h}:${addr.port}`;
    },
    close: () => app.close(),
  };
}
