/**
 * The pipeline: target → admit (source IP, per-IP limit, header refusals) → parse →
 * authenticate → client state → source IP → rate limit → classify → policy (→ hold) → audit → sign →
 * forward, each stage a function from its state to `Result<next, Denial>`. It returns how the
 * request ended as a typed `Outcome`; answering (render.ts) and recording (report.ts) read
 * only that. The same run serves an HTTP request and a WebSocket message alike.
 */
import type { AuditLog } from '../../audit/index.js';
import { ERROR_CODES, type ErrorCode, KeywardenError } from '../../core/index.js';
import { admit, locate } from './admit.js';
import { auditDecision } from './audit.js';
import { authenticate } from './authenticate.js';
import { classify } from './classify.js';
import { clientState, keyLabelOf } from './client-state.js';
import type { PipelineEnv } from './env.js';
import { forward } from './forward.js';
import { hold, isHeld } from './hold.js';
import { answerLocally } from './local-answer.js';
import { parse } from './parse.js';
import { policy } from './policy.js';
import { rateLimit } from './rate-limit.js';
import { sign } from './sign.js';
import { sourceIp } from './source-ip.js';
import { target } from './target.js';
import type { Denial, EdgeRequest, Outcome, Reached } from './types.js';

export type Pipeline = (edge: EdgeRequest) => Promise<Outcome>;

export function createPipeline(env: PipelineEnv & { audit: AuditLog }): Pipeline {
  return async (edge) => {
    const { requestId } = edge;
    const t = target(env, edge);
    if (!t.ok) {
      const { denial, adapter } = t.error;
      return { kind: 'denied', requestId, ...(adapter ? { adapter } : {}), denial };
    }
    const { adapter } = t.value;
    let at: Reached = locate(env, t.value);
    const denied = (denial: Denial): Outcome => ({ kind: 'denied', requestId, adapter, at, denial });
    try {
      const admitted = await admit(env, at);
      if (!admitted.ok) return denied(admitted.error);
      if (env.vault.isSealed()) {
        env.keys.forgetCredentials();
        return {
          kind: 'failed',
          requestId,
          adapter,
          at,
          stage: 'entry',
          failure: { code: 'vault_sealed', message: ERROR_CODES.vault_sealed.message },
        };
      }
      const parsed = parse(at);
      if (!parsed.ok) return denied(parsed.error);
      at = parsed.value;
      const authed = await authenticate(env, parsed.value);
      if (!authed.ok) return denied(authed.error);
      at = authed.value;
      const keyLabel = env.monitored ? await keyLabelOf(env, authed.value) : undefined;
      const active = clientState(env, authed.value, keyLabel);
      if (!active.ok) return denied(active.error);
      at = active.value;
      const allowedIp = sourceIp(active.value);
      if (!allowedIp.ok) return denied(allowedIp.error);
      const admissible = await rateLimit(env, allowedIp.value);
      if (!admissible.ok) return denied(admissible.error);
      const classified = classify(admissible.value);
      if (!classified.ok) return denied(classified.error);
      at = classified.value;
      const decided = await policy(env, classified.value);
      if (!decided.ok) return denied(decided.error);
      at = decided.value;
      if (isHeld(decided.value)) return denied(await hold(env, decided.value));
      const audited = await auditDecision(env, decided.value);
      if (!audited.ok)
        return { kind: 'failed', requestId, adapter, at, stage: 'audit', failure: audited.error };
      const local = answerLocally(env, audited.value);
      if (local) return local;
      const signed = await sign(env, audited.value);
      if (!signed.ok) return { kind: 'failed', requestId, adapter, at, stage: 'sign', failure: signed.error };
      at = signed.value;
      let answered: Awaited<ReturnType<typeof forward>>;
      try {
        answered = await forward(env, signed.value);
      } finally {
        // The exchange has seen (or will never see) this nonce: the key's next draw may proceed.
        signed.value.nonceLease?.release();
      }
      if (!answered.ok) {
        const { latencyMs, sent, ...failure } = answered.error;
        return {
          kind: 'failed',
          requestId,
          adapter,
          at,
          stage: 'forward',
          failure,
          ...(sent ? { sentMs: latencyMs } : {}),
        };
      }
      return { kind: 'forwarded', requestId, adapter, at: signed.value, answer: answered.value };
    } catch (err) {
      // A fault no stage expected (a store read failing, the vault sealing mid-request).
      env.onError(requestId, err);
      const code: ErrorCode =
        err instanceof KeywardenError &&
        (err.code === 'vault_sealed' || err.code === 'upstream_failed' || err.code === 'store_unavailable')
          ? err.code
          : 'internal';
      return {
        kind: 'failed',
        requestId,
        adapter,
        at,
        stage: 'fault',
        failure: { code, message: ERROR_CODES[code].message },
      };
    }
  };
}
