/**
 * The admin API listener: Fastify on its own port (default 127.0.0.1:8790), JSON under
 * /api/v1, TLS from the same config shape as the gateway. Each declared route runs the same
 * gate, in this order, failing closed at the first refusal:
 *   1. who: a Bearer API token, else the HttpOnly session cookie (public routes skip this);
 *   2. CSRF: a cookie-authenticated write must echo the `kw_csrf` cookie in `x-keywarden-csrf`,
 *      and that token must be the session's own (double submit, bound to the session);
 *   3. the route's permission for the actor's role (a refusal is audited);
 *   4. input: params, query and body through the route's zod schemas (unknown fields refused);
 *   5. a fresh TOTP code in `x-keywarden-otp` for sensitive routes;
 *   6. the handler; its answer goes through the response schema, which strips anything unlisted;
 *   7. an `admin` audit record of every successful write naming the Actor (unless the domain
 *      service wrote it itself).
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { Readable } from 'node:stream';
import cookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { type Actor, describeActor, KeywardenError, safeEqual } from '../core/index.js';
import { httpsOption } from '../gateway/index.js';
import { sha256Hex } from '../operators/index.js';
import { errorAnswer } from './admin-errors.js';
import type { AdminServices } from './admin-services.js';
import { PendingChange, pendingAnswer, pendingView } from './gated-changes.js';
import { buildOpenApi } from './openapi.js';
import { allows } from './permissions.js';
import type { AdminRoute, ServerEvent } from './route-types.js';

export const SESSION_COOKIE = 'kw_session';
export const CSRF_COOKIE = 'kw_csrf';
export const CSRF_HEADER = 'x-keywarden-csrf';
export const OTP_HEADER = 'x-keywarden-otp';
const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export interface AdminTls {
  cert: string;
  key: string;
  ca?: string | undefined;
  requireClientCert: boolean;
}

export interface AdminServerOptions {
  services: AdminServices;
  routes: readonly AdminRoute[];
  tls?: AdminTls | undefined;
  /**
   * The dashboard's built files (web/ built into dist/web): served at `/`, any other non-API GET
   * answered with its index.html (the app routes in the browser). Absent: the API alone.
   */
  webRoot?: string | undefined;
  /** Where unexpected errors go (never into an answer). */
  onError?: (err: unknown, requestId: string) => void;
}

export interface AdminServer {
  readonly app: FastifyInstance;
  listen(port: number, host: string): Promise<string>;
  close(): Promise<void>;
}

interface Who {
  actor: Actor;
  viaCookie: boolean;
  csrfHash?: string;
}

function bearer(request: FastifyRequest): string | undefined {
  const h = request.headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^Bearer (\S+)$/.exec(h);
  return m?.[1];
}

const header = (request: FastifyRequest, name: string): string | undefined => {
  const v = request.headers[name];
  return typeof v === 'string' ? v : undefined;
};

export function createAdminServer(options: AdminServerOptions): AdminServer {
  const { services, routes, tls } = options;
  const app = Fastify({
    logger: false,
    bodyLimit: 256 * 1024,
    genReqId: () => `req_${randomUUID().replaceAll('-', '')}`,
    requestIdHeader: false,
    return503OnClosing: true,
    forceCloseConnections: true,
    ...httpsOption(tls),
  });
  void app.register(cookie);
  const webRoot = options.webRoot !== undefined && existsSync(options.webRoot) ? options.webRoot : undefined;
  if (webRoot)
    void app.register(fastifyStatic, {
      root: webRoot,
      wildcard: false,
      index: 'index.html',
      // Hashed asset names; index.html itself is revalidated so a new build is picked up. The
      // app loads only its own files and talks only to this origin; no page may frame it.
      setHeaders(res, path) {
        res.header(
          'cache-control',
          path.endsWith('.html') ? 'no-cache' : 'public, max-age=31536000, immutable',
        );
        res.header('content-security-policy', DASHBOARD_CSP);
        res.header('x-content-type-options', 'nosniff');
        res.header('x-frame-options', 'DENY');
        res.header('referrer-policy', 'no-referrer');
      },
    });

  app.setErrorHandler((err, request, reply) => {
    const answer = errorAnswer(err, request.id);
    if (answer.status >= 500) options.onError?.(err, request.id);
    void reply.code(answer.status).header('x-request-id', request.id).send(answer.body);
  });
  app.setNotFoundHandler((request, reply) => {
    if (webRoot && request.method === 'GET' && !request.url.startsWith('/api/')) {
      void reply.header('cache-control', 'no-cache').sendFile('index.html');
      return;
    }
    void reply
      .code(404)
      .header('x-request-id', request.id)
      .send({ error: { code: 'not_found', message: 'no such admin route', requestId: request.id } });
  });

  async function who(request: FastifyRequest): Promise<Who | undefined> {
    const token = bearer(request);
    if (token !== undefined) {
      const actor = await services.operators.tokenActor(token);
      // A presented but bad token never falls back to the cookie.
      if (!actor) throw new KeywardenError('session_required', 'API token unknown, revoked or expired');
      return { actor, viaCookie: false };
    }
    const sid = request.cookies[SESSION_COOKIE];
    if (sid === undefined) return undefined;
    const s = await services.operators.session(sid);
    return s ? { actor: s.actor, viaCookie: true, csrfHash: s.csrfHash } : undefined;
  }

  function checkCsrf(request: FastifyRequest, w: Who): void {
    if (!w.viaCookie || request.method === 'GET') return;
    const sent = header(request, CSRF_HEADER);
    const cookieValue = request.cookies[CSRF_COOKIE];
    if (
      sent === undefined ||
      cookieValue === undefined ||
      !safeEqual(sent, cookieValue) ||
      w.csrfHash === undefined ||
      !safeEqual(sha256Hex(sent), w.csrfHash)
    )
      throw new KeywardenError('csrf_failed');
  }

  const streams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const stop of [...streams]) stop();
  });
  /** Hand the socket to an event stream: headers now, a comment every 15 s so proxies keep it open. */
  function streamEvents(
    request: FastifyRequest,
    reply: FastifyReply,
    open: (send: (e: ServerEvent) => void) => (() => void) | undefined,
  ): void {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-request-id': request.id,
      connection: 'keep-alive',
    });
    res.write('retry: 2000\n\n');
    const send = (e: ServerEvent) => {
      const lines = [
        ...(e.id !== undefined ? [`id: ${e.id}`] : []),
        ...(e.event !== undefined ? [`event: ${e.event}`] : []),
        `data: ${JSON.stringify(e.data)}`,
      ];
      res.write(`${lines.join('\n')}\n\n`);
    };
    const stopSource = open(send);
    const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
    const stop = () => {
      if (!streams.delete(stop)) return;
      clearInterval(ping);
      stopSource?.();
      res.end();
    };
    streams.add(stop);
    res.on('close', stop);
  }

  const register = (r: AdminRoute) =>
    app.route({
      method: r.method,
      url: r.url,
      handler: async (request: FastifyRequest, reply: FastifyReply) => {
        let actor: Actor | undefined;
        if (r.permission !== 'public') {
          const w = await who(request);
          if (!w) throw new KeywardenError('session_required');
          checkCsrf(request, w);
          actor = w.actor;
          if (!allows(actor.role, r.permission)) {
            await services.audit.append({
              kind: 'admin',
              actor: describeActor(actor),
              action: r.id,
              decision: 'deny',
              rule: 'role_forbidden',
              sourceIp: request.ip,
            });
            throw new KeywardenError('role_forbidden');
          }
        }
        const params = r.params ? r.params.parse(request.params) : {};
        const query = r.query ? r.query.parse(request.query) : {};
        const body = r.body ? r.body.parse(request.body ?? {}) : {};
        if (r.mfa) {
          if (!actor) throw new KeywardenError('mfa_required');
          await services.operators.requireFreshMfa(actor, header(request, OTP_HEADER));
        }
        const secure = tls !== undefined;
        const ctx = {
          params,
          query,
          body,
          actor,
          ip: request.ip,
          cookies: request.cookies,
          setCookie(name: string, value: string, o: { httpOnly: boolean; maxAgeSeconds?: number }) {
            void reply.setCookie(name, value, {
              path: '/',
              httpOnly: o.httpOnly,
              secure,
              sameSite: 'strict',
              ...(o.maxAgeSeconds !== undefined ? { maxAge: o.maxAgeSeconds } : {}),
            });
          },
          clearCookie(name: string) {
            void reply.clearCookie(name, { path: '/' });
          },
        };
        if (r.events && /text\/event-stream/.test(header(request, 'accept') ?? '')) {
          streamEvents(request, reply, (send) => r.events?.(ctx, send, header(request, 'last-event-id')));
          return reply;
        }
        const result = await r.handler(ctx);
        if (result instanceof PendingChange) {
          // The approval's own record (approval.request, naming the requester) is the audit record.
          void reply.code(202).header('x-request-id', request.id).header('cache-control', 'no-store');
          return pendingView.parse(pendingAnswer(result));
        }
        if (r.stream) {
          const items = result as AsyncIterable<unknown>;
          const lines = async function* () {
            for await (const item of items) yield `${JSON.stringify(r.response.parse(item))}\n`;
          };
          void reply
            .code(200)
            .header('x-request-id', request.id)
            .header('cache-control', 'no-store')
            .type('application/x-ndjson');
          return reply.send(Readable.from(lines()));
        }
        const answer = r.response.parse(result);
        if (actor && r.method !== 'GET' && !r.auditedByService)
          await services.audit.append({
            kind: 'admin',
            actor: describeActor(actor),
            action: r.id,
            decision: 'allow',
            sourceIp: request.ip,
            detail: { params },
          });
        void reply
          .code(r.status ?? 200)
          .header('x-request-id', request.id)
          .header('cache-control', 'no-store');
        return answer;
      },
    });

  for (const r of routes) register(r);
  const openapi = buildOpenApi(routes);
  app.get('/api/v1/openapi.json', async () => openapi);

  return {
    app,
    async listen(port, host) {
      await app.listen({ port, host });
      const addr = app.server.address();
      const p = typeof addr === 'object' && addr ? addr.port : port;
      const h = host.includes(':') ? `[${host}]` : host;
      return `${tls ? 'https' : 'http'}://${h}:${p}`;
    },
    close: () => app.close(),
  };
}
