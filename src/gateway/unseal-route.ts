/**
 * POST /_keywarden/unseal: a process on this machine sends the passphrase, or the base64 master
 * key it read itself (`keywarden unseal --url`), and the gateway unseals.
 *
 * - Loopback socket peers only, and never through a proxy: a request carrying any proxy header
 *   (Forwarded, X-Forwarded-*, X-Real-IP, Via, …) is refused, since a reverse proxy on this
 *   machine would make every remote request look local.
 * - The server never opens a file named by the request (no file-existence oracle, nothing read
 *   with the server's privileges on a caller's behalf).
 * - Failed attempts back off exponentially and lock the peer out (`unseal-limiter.ts`): 429 with
 *   Retry-After.
 * - Every refusal has the same body, `{ error: 'unseal_failed', message: 'unseal failed' }`:
 *   a wrong key, malformed key material and a failure after the key checked out all answer 401,
 *   so the answer never tells a guesser how close it came.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { ERROR_CODES } from '../core/index.js';
import type { MasterKeySource } from '../vault/index.js';
import { hasProxyHeader, isLoopback } from './ip.js';
import type { UnsealLimiter } from './unseal-limiter.js';

export const UNSEAL_PATH = '/_keywarden/unseal';

/** Exactly one of the two; anything else (a `keyFile`, an extra field) is refused. */
const bodySchema = z.union([
  z.object({ passphrase: z.string().min(1).max(1024) }).strict(),
  z.object({ masterKey: z.string().min(1).max(256) }).strict(),
]);

function parseBody(raw: unknown): MasterKeySource | undefined {
  let json: unknown;
  try {
    json = JSON.parse(typeof raw === 'string' ? raw : '');
  } catch {
    return undefined;
  }
  const body = bodySchema.safeParse(json);
  if (!body.success) return undefined;
  return 'passphrase' in body.data
    ? { kind: 'passphrase', passphrase: body.data.passphrase }
    : { kind: 'key', base64: body.data.masterKey };
}

export interface UnsealRouteOptions {
  unseal: (source: MasterKeySource) => Promise<void>;
  limiter: UnsealLimiter;
  /** After a successful unseal (the gateway drops what it cached while sealed). */
  onUnsealed: () => void;
  /** A failed attempt's real cause, for the server's own log (never sent to the caller). */
  onError?: (requestId: string, err: unknown) => void;
}

function refuse(reply: FastifyReply, status: 400 | 401 | 403 | 429): FastifyReply {
  return reply.code(status).send({ error: 'unseal_failed', message: ERROR_CODES.unseal_failed.message });
}

export function registerUnsealRoute(app: FastifyInstance, options: UnsealRouteOptions): void {
  app.post(UNSEAL_PATH, async (request, reply) => {
    reply.header('x-request-id', request.id).header('cache-control', 'no-store');
    const peer = request.socket.remoteAddress;
    if (!isLoopback(peer) || hasProxyHeader(request.headers)) return refuse(reply, 403);
    const source = parseBody(request.body);
    if (!source) return refuse(reply, 400);
    const slot = options.limiter.begin(peer ?? '');
    if (!slot.ok) {
      reply.header('retry-after', String(slot.retryAfterSeconds));
      return refuse(reply, 429);
    }
    let ok = false;
    try {
      await options.unseal(source);
      ok = true;
    } catch (err) {
      options.onError?.(request.id, err);
    } finally {
      options.limiter.end(peer ?? '', ok);
    }
    if (!ok) return refuse(reply, 401);
    options.onUnsealed();
    return { status: 'unsealed' };
  });
}
