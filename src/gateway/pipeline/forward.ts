/**
 * Stage: send exactly the signed (or public) request and stream the answer back. A 4xx is the
 * exchange refusing the request: nothing executed, the usage is given back. Except 409
 * Conflict, which exchanges use for "partly executed" (a cancel-replace whose new order was
 * placed); a 5xx or a lost answer may have executed too: those stand.
 */
import { performance } from 'node:perf_hooks';
import { ERROR_CODES, fail, KeywardenError, ok, type Result } from '../../core/index.js';
import type { PipelineEnv } from './env.js';
import type { Failure, Signed, UpstreamAnswer } from './types.js';

export async function forward(
  env: Pick<PipelineEnv, 'onError'>,
  s: Signed,
): Promise<Result<UpstreamAnswer, Failure & { latencyMs: number }>> {
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 1000) / 1000;
  try {
    const r = await s.upstream.stream(s.outgoing);
    if (r.status >= 400 && r.status < 500 && r.status !== 409) s.reservation?.release();
    return ok({ status: r.status, headers: r.headers, body: r.body, latencyMs: elapsed() });
  } catch (err) {
    const latencyMs = elapsed();
    if (err instanceof KeywardenError) return fail({ code: err.code, message: err.message, latencyMs });
    env.onError(s.edge.requestId, err);
    return fail({ code: 'internal', message: ERROR_CODES.internal.message, latencyMs });
  }
}
