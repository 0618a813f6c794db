/**
 * Stage: strip every client auth field, keep only allow-listed headers, and sign with the real
 * credential. A public request of the anonymous relay is sent stripped and unsigned. A signed
 * request whose method or path differs from the one classified is never sent.
 */
import {
  ERROR_CODES,
  fail,
  KeywardenError,
  type NonceLease,
  ok,
  publicRequest,
  type Result,
} from '../../core/index.js';
import type { ExchangeAdapter, ExchangeRequest } from '../../exchanges/index.js';
import { advance } from './advance.js';
import type { PipelineEnv } from './env.js';
import type { Decided, Failure, Signed } from './types.js';

/** Headers any client may have forwarded, with the adapter's own; everything else (cookies, proxies' headers, auth) is dropped. */
const FORWARDED_HEADERS = ['content-type', 'accept', 'user-agent'];

export async function sign(
  env: Pick<PipelineEnv, 'keys' | 'clock' | 'onError'>,
  d: Decided,
): Promise<Result<Signed, Failure>> {
  const { adapter } = d;
  const raw = d.request.raw;
  const stripped = forwardHeaders(adapter, adapter.stripAuth(d.request));
  const { key } = d;
  if (!key || d.intent.intent.action === 'public')
    return ok(advance(d, { outgoing: publicRequest(stripped) }));
  let lease: NonceLease | undefined;
  try {
    const credential = await env.keys.credential(key);
    // A sequence shared by several gateways: the draw is held until forwarding ended (run.ts).
    if (adapter.sequencedNonces) lease = await leased(env.keys.leaseNonce(key.id));
    const outgoing = adapter.sign(stripped, credential, {
      clock: env.clock,
      nonce: lease ?? env.keys.nonce(key.id),
      baseUrl: d.upstream.baseUrl,
    });
    if (outgoing.path !== raw.path || outgoing.method !== raw.method)
      throw new KeywardenError('internal', 'adapter changed the request target while signing');
    return ok(advance(d, { outgoing, ...(lease ? { nonceLease: lease } : {}) }));
  } catch (err) {
    lease?.release();
    d.reservation?.release();
    env.onError(d.edge.requestId, err);
    const code =
      err instanceof KeywardenError && (err.code === 'vault_sealed' || err.code === 'store_unavailable')
        ? err.code
        : 'internal';
    return fail({ code, message: ERROR_CODES[code].message });
  }
}

/** A lease that could not be drawn means the shared store is away: refuse as such. */
async function leased(pending: Promise<NonceLease> | undefined): Promise<NonceLease | undefined> {
  if (!pending) return undefined;
  try {
    return await pending;
  } catch {
    throw new KeywardenError('store_unavailable');
  }
}

export function forwardHeaders(adapter: ExchangeAdapter, request: ExchangeRequest): ExchangeRequest {
  const headers: Record<string, string> = {};
  for (const k of Object.keys(request.headers)) {
    const name = k.toLowerCase();
    const v = request.headers[k];
    if (v !== undefined && (FORWARDED_HEADERS.includes(name) || adapter.forwardedHeaders.includes(name)))
      headers[name] = v;
  }
  return { method: request.method, path: request.path, query: request.query, headers, body: request.body };
}
