/**
 * One report per outcome, from its typed fields: the audit record (a denial's, best effort and
 * before the answer; an outcome record after forwarding), then the monitor and metrics
 * (synchronous and cheap: delivery happens later, off the request path; names only, never a
 * client key id). Requests that named no enabled exchange are neither recorded nor reported.
 */
import type { AuditEvent, AuditLog } from '../../audit/index.js';
import type { Clock } from '../../core/index.js';
import type { Monitor, MonitorMetrics, RequestEvent } from '../../monitor/index.js';
import type { DenialAggregator } from '../denial-aggregator.js';
import type { KeyCache } from '../key-cache.js';
import { type Facts, factsOf, requestEvent } from './facts.js';
import type { Outcome } from './types.js';

export interface ReportEnv {
  audit: AuditLog;
  clock: Clock;
  keys: Pick<KeyCache, 'peek'>;
  /** Denials without a known client: the first per source IP and minute recorded in full. */
  unauthenticated: DenialAggregator;
  /** Write the summaries of finished minutes. */
  drainSummaries(): void;
  onError(requestId: string, err: unknown): void;
  monitor?: Monitor;
  metrics?: MonitorMetrics;
}

/**
 * A promise only when the answer must wait (a denial's record is written first); a forwarded or
 * failed request's report is synchronous, which spares every such request a promise and a turn.
 */
export type Report = (outcome: Outcome, latencyMs: () => number) => Promise<void> | undefined;

export function createReport(env: ReportEnv): Report {
  return (outcome, latencyMs) => {
    const at = outcome.at;
    if (!at) return undefined;
    const facts = factsOf(at, outcome.kind === 'denied' ? outcome.denial.learned : undefined);
    if (outcome.kind === 'denied')
      return recordDenial(env, outcome, facts).then(() => observe(env, outcome, facts, latencyMs));
    if (outcome.kind === 'forwarded') recordSent(env, facts, outcome.answer.latencyMs, outcome.answer.status);
    else if (outcome.sentMs !== undefined) recordSent(env, facts, outcome.sentMs, undefined);
    else if (outcome.stage === 'forward') recordHeldBack(env, facts, outcome.failure);
    if (outcome.kind === 'failed' && outcome.stage === 'entry' && outcome.failure.code === 'vault_sealed')
      env.monitor?.observe({
        type: 'system',
        at: env.clock.now(),
        kind: 'gateway_sealed',
        message: `a ${at.exchange} request arrived while the vault is sealed; every signing request is refused until \`keywarden unseal\``,
        detail: { exchange: at.exchange },
      });
    observe(env, outcome, facts, latencyMs);
    return undefined;
  };
}

/** The monitor (alerts) or, for protocol noise, the metrics alone. */
function observe(env: ReportEnv, outcome: Outcome, facts: Facts, latencyMs: () => number): void {
  if (!env.monitor && !env.metrics) return;
  const event = monitorEvent(env, outcome, facts, latencyMs());
  if (env.monitor && alertable(event.client, event.code)) env.monitor.observe(event);
  else env.metrics?.recordRequest(event);
}

/** The record is written before the denial is answered (best effort: answered even if the log is down). */
async function recordDenial(
  env: ReportEnv,
  outcome: Outcome & { kind: 'denied' },
  facts: Facts,
): Promise<void> {
  env.drainSummaries();
  // No known client: counted per source IP and minute, recorded in full only the first time.
  if (!facts.hit && !env.unauthenticated.admit(facts.at.sourceIp, facts.at.exchange)) return;
  try {
    const event = requestEvent(facts);
    event.decision = 'deny';
    event.rule = outcome.denial.rule ?? outcome.denial.code;
    event.message = outcome.denial.message;
    await env.audit.append(event);
  } catch (err) {
    env.onError(outcome.requestId, err);
  }
}

function recordSent(
  env: ReportEnv,
  facts: Facts,
  latencyMs: number,
  upstreamStatus: number | undefined,
): void {
  const requestId = facts.at.edge.requestId;
  const event: AuditEvent = { kind: 'outcome', requestId, exchange: facts.at.exchange };
  if (upstreamStatus !== undefined) event.upstreamStatus = upstreamStatus;
  event.latencyMs = latencyMs;
  env.audit.append(event).catch((err: unknown) => env.onError(requestId, err));
}

/** An allowed request the forward stage did not send (a rate budget): its outcome says so, with the code. */
function recordHeldBack(env: ReportEnv, facts: Facts, failure: { code: string; message: string }): void {
  const requestId = facts.at.edge.requestId;
  const event: AuditEvent = {
    kind: 'outcome',
    requestId,
    exchange: facts.at.exchange,
    rule: failure.code,
    message: failure.message,
  };
  env.audit.append(event).catch((err: unknown) => env.onError(requestId, err));
}

/**
 * The decision the monitor sees: a denial is `deny` with its code (the policy rule for a policy
 * denial); a request the policy had decided keeps that decision when keywarden then failed to
 * serve it (exchange unreachable), except when the record could not be written (`deny`).
 */
function monitorEvent(env: ReportEnv, outcome: Outcome, facts: Facts, latencyMs: number): RequestEvent {
  const { at, classification: c } = facts;
  const record = facts.hit?.client.record;
  const decided = 'decision' in at ? at : undefined;
  let decision: RequestEvent['decision'];
  let code: string | undefined;
  let message: string | undefined;
  if (outcome.kind === 'denied') {
    decision = 'deny';
    code =
      outcome.denial.code === 'policy_denied'
        ? (outcome.denial.rule ?? outcome.denial.code)
        : outcome.denial.code;
    message = outcome.denial.message;
  } else {
    const failed = outcome.kind === 'failed' ? outcome.failure.code : undefined;
    decision = decided && failed !== 'audit_unavailable' ? decided.decision : failed ? 'deny' : 'allow';
    code = decision === 'would-deny' ? decided?.wouldDeny?.rule : failed;
    message = decided?.wouldDeny?.message;
  }
  const symbols = c ? [...new Set(c.orders.flatMap((o) => (o.symbol ? [o.symbol] : [])))] : [];
  const keyLabel =
    ('keyLabel' in at ? at.keyLabel : undefined) ?? (record ? env.keys.peek(record.keyId)?.label : undefined);
  return {
    type: 'request',
    at: env.clock.now(),
    requestId: outcome.requestId,
    ...(record ? { client: record.name } : {}),
    ...(keyLabel ? { keyLabel } : {}),
    exchange: at.exchange,
    action: c?.action ?? 'unknown',
    endpoint: c?.endpoint ?? at.endpoint,
    symbols,
    ...(facts.notional !== undefined ? { notional: facts.notional } : {}),
    sourceIp: at.sourceIp,
    decision,
    ...(code !== undefined ? { code } : {}),
    ...(message !== undefined ? { message } : {}),
    ...(outcome.kind === 'forwarded' ? { upstreamStatus: outcome.answer.status } : {}),
    latencyMs,
  };
}

/**
 * Denials that are protocol noise rather than something a known client did (probes of unknown
 * paths, malformed requests, a sealed vault): counted in metrics, never alerted one by one.
 * Failed authentications are alerted as bursts by the rule engine.
 */
function alertable(client: string | undefined, code: string | undefined): boolean {
  return client !== undefined || code === undefined || code.startsWith('auth_') || code === 'client_revoked';
}
