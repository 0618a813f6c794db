/** Stage: the request target names an enabled exchange and a sane path (src/gateway/target.ts). */
import { fail, ok, type Result } from '../../core/index.js';
import type { ExchangeAdapter } from '../../exchanges/index.js';
import { checkTarget } from '../target.js';
import type { PipelineEnv } from './env.js';
import type { Denial, EdgeRequest, Targeted } from './types.js';

/** A refused target: answered in the exchange's shape when it named an enabled one, never recorded. */
export interface TargetRefusal {
  denial: Denial;
  adapter?: ExchangeAdapter;
}

export function target(
  env: Pick<PipelineEnv, 'adapters' | 'upstreams'>,
  edge: EdgeRequest,
): Result<Targeted, TargetRefusal> {
  const t = checkTarget(edge.target);
  if (!t.ok) {
    const adapter = t.exchange ? env.adapters[t.exchange] : undefined;
    if (t.reason === 'unknown_exchange' || !adapter)
      return fail({
        denial: {
          code: t.reason === 'unknown_exchange' ? 'not_found' : 'path_not_allowed',
          message: t.message,
        },
      });
    return fail({ denial: { code: 'path_not_allowed', message: t.message }, adapter });
  }
  const adapter = env.adapters[t.exchange];
  const upstream = env.upstreams[t.exchange];
  if (!adapter || !upstream)
    return fail({ denial: { code: 'not_found', message: `exchange ${t.exchange} is not enabled` } });
  return ok({ edge, exchange: t.exchange, adapter, upstream, path: t.path, query: t.query });
}
