/** Stage: the client's own rate (or the configured default; the anonymous relay per source IP). */
import { fail, ok, type Result } from '../../core/index.js';
import type { PipelineEnv } from './env.js';
import type { Admissible, Denial } from './types.js';

export function rateLimit(
  env: Pick<PipelineEnv, 'config' | 'limiter'>,
  a: Admissible,
): Result<Admissible, Denial> {
  const record = a.caller.kind === 'client' ? a.caller.hit.client.record : undefined;
  const perSecond = record?.ratePerSecond ?? env.config.rateLimit.perSecond;
  const burst = record?.ratePerSecond === undefined ? env.config.rateLimit.burst : Math.max(1, perSecond * 2);
  if (!env.limiter.take(record ? record.id : `ip:${a.sourceIp}`, perSecond, burst))
    return fail({ code: 'rate_limited', message: `more than ${perSecond} requests per second` });
  return ok(a);
}
