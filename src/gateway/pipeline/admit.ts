/**
 * Stage: the source address (X-Forwarded-For believed only from trusted proxies), the per-IP
 * bucket (before any key lookup, so a flood of unknown keys costs no store reads), and the
 * header refusals: no method-override header, a sane Host.
 */
import { fail, ok, type Result } from '../../core/index.js';
import { clientAddress } from '../ip.js';
import { isSaneHost } from '../target.js';
import { advance } from './advance.js';
import type { PipelineEnv } from './env.js';
import { limitDenial } from './rate-limit.js';
import type { Admitted, Denial, Targeted } from './types.js';

const METHOD_OVERRIDE = ['x-http-method-override', 'x-http-method', 'x-method-override', 'x-original-method'];

/** The state every admission outcome is recorded with, whether it passes or not. */
export function locate(env: Pick<PipelineEnv, 'trustedProxies'>, t: Targeted): Admitted {
  const { edge } = t;
  return advance(t, {
    sourceIp: clientAddress(edge.peer, edge.headers['x-forwarded-for'], env.trustedProxies),
    host: edge.headers.host ?? '',
    endpoint: `${edge.method.toUpperCase()} ${t.path}`,
  });
}

export async function admit(
  env: Pick<PipelineEnv, 'config' | 'limiter'>,
  a: Admitted,
): Promise<Result<Admitted, Denial>> {
  const { perIpPerSecond, perIpBurst } = env.config.rateLimit;
  const taken = await env.limiter.take(`pre:${a.sourceIp}`, perIpPerSecond, perIpBurst);
  if (taken !== 'admitted')
    return fail(limitDenial(taken, `more than ${perIpPerSecond} requests per second from ${a.sourceIp}`));
  for (const h of METHOD_OVERRIDE)
    if (a.edge.headers[h] !== undefined)
      return fail({ code: 'path_not_allowed', message: `${h} header is not accepted` });
  if (!isSaneHost(a.edge.headers.host))
    return fail({ code: 'bad_request', message: 'malformed Host header' });
  return ok(a);
}
