/** Stage: the client's own rate (or the configured default; the anonymous relay per source IP). */
import { fail, ok, type Result } from '../../core/index.js';
import type { RateTake } from '../rate-limit.js';
import type { PipelineEnv } from './env.js';
import type { Admissible, Denial } from './types.js';

export async function rateLimit(
  env: Pick<PipelineEnv, 'config' | 'limiter'>,
  a: Admissible,
): Promise<Result<Admissible, Denial>> {
  const record = a.caller.kind === 'client' ? a.caller.hit.client.record : undefined;
  const perSecond = record?.ratePerSecond ?? env.config.rateLimit.perSecond;
  const burst = record?.ratePerSecond === undefined ? env.config.rateLimit.burst : Math.max(1, perSecond * 2);
  const taken = await env.limiter.take(record ? record.id : `ip:${a.sourceIp}`, perSecond, burst);
  if (taken !== 'admitted') return fail(limitDenial(taken, `more than ${perSecond} requests per second`));
  return ok(a);
}

/** The denial for a take that did not admit: over the limit, or a shared store that did not answer (fail closed). */
export function limitDenial(taken: Exclude<RateTake, 'admitted'>, message: string): Denial {
  return taken === 'limited'
    ? { code: 'rate_limited', message }
    : {
        code: 'rate_limit_unavailable',
        message:
          'the shared rate-limit store did not answer; request refused (rateLimit.store.onError: closed)',
      };
}
