/**
 * Stage: spend the exchange's rate budgets (src/gateway/budget: wait briefly, or answer in the
 * exchange's 429 shape with Retry-After without sending), then send exactly the signed (or public)
 * request and stream the answer back; its status and usage headers settle the budgets. A 4xx is
 * the exchange refusing the request: nothing executed, the usage is given back. Except 409
 * Conflict, which exchanges use for "partly executed" (a cancel-replace whose new order was
 * placed); a 5xx or a lost answer may have executed too: those stand.
 */
import { performance } from 'node:perf_hooks';
import { ERROR_CODES, fail, KeywardenError, ok, type Result } from '../../core/index.js';
import type { BudgetTicket } from '../budget/index.js';
import type { PipelineEnv } from './env.js';
import type { Failure, Signed, UpstreamAnswer } from './types.js';

export async function forward(
  env: Pick<PipelineEnv, 'onError' | 'budgets'>,
  s: Signed,
): Promise<Result<UpstreamAnswer, Failure & { latencyMs: number; sent: boolean }>> {
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 1000) / 1000;
  let ticket: BudgetTicket | undefined;
  if (env.budgets) {
    const key = s.key ? { id: s.key.id, label: s.key.label } : undefined;
    const admitted = await env.budgets.acquire({ exchange: s.exchange, ...(key ? { key } : {}) }, s.outgoing);
    if (!admitted.ok) {
      s.reservation?.release();
      const code = admitted.reason === 'store_error' ? 'rate_budget_unavailable' : 'rate_budget_exceeded';
      return fail({
        code,
        message: `${ERROR_CODES[code].message}: ${admitted.message}`,
        retryAfterSeconds: admitted.retryAfterSeconds,
        latencyMs: elapsed(),
        sent: false,
      });
    }
    ticket = admitted.ticket;
  }
  try {
    const r = await s.upstream.stream(s.outgoing);
    if (r.status >= 400 && r.status < 500 && r.status !== 409) s.reservation?.release();
    // A refusal must stop the key or IP before anyone is answered; otherwise settle off the path.
    if (ticket && env.budgets) {
      const settled = env.budgets.settle(ticket, r.status, r.headers);
      if (r.status === 429 || r.status === 418) await settled;
    }
    return ok({ status: r.status, headers: r.headers, body: r.body, latencyMs: elapsed() });
  } catch (err) {
    const latencyMs = elapsed();
    if (err instanceof KeywardenError)
      return fail({ code: err.code, message: err.message, latencyMs, sent: true });
    env.onError(s.edge.requestId, err);
    return fail({ code: 'internal', message: ERROR_CODES.internal.message, latencyMs, sent: true });
  }
}
