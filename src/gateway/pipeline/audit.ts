/** Stage: the decision record is committed before anything is forwarded (fail closed). */
import type { AuditLog } from '../../audit/index.js';
import { ERROR_CODES, fail, ok, type Result } from '../../core/index.js';
import type { PipelineEnv } from './env.js';
import { factsOf, requestEvent } from './facts.js';
import type { Decided, Failure } from './types.js';

export async function auditDecision(
  env: Pick<PipelineEnv, 'onError'> & { audit: AuditLog },
  d: Decided,
): Promise<Result<Decided, Failure>> {
  try {
    const event = requestEvent(factsOf(d));
    event.decision = d.decision;
    if (d.notional > 0) event.notional = d.notional;
    if (d.wouldDeny) {
      event.rule = d.wouldDeny.rule;
      event.message = d.wouldDeny.message;
    }
    await env.audit.append(event);
    return ok(d);
  } catch (err) {
    d.reservation?.release();
    env.onError(d.edge.requestId, err);
    return fail({ code: 'audit_unavailable', message: ERROR_CODES.audit_unavailable.message });
  }
}
