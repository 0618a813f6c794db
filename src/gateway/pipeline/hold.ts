/**
 * Stage (a branch after the policy): a withdrawal the policy allows, for a client whose policy
 * says `withdrawals.approval: true`, is not forwarded. It is kept as a `withdrawal` approval (the
 * checked intent and the stripped request the gateway would sign, never a client auth field or
 * a secret) and the bot is answered `approval_pending` naming the approval. Its usage stays
 * reserved, so waiting withdrawals count against the daily cap. Once approved, the dispatcher
 * (../approval-dispatcher.ts) signs it afresh and sends it once.
 */
import type { PipelineEnv } from './env.js';
import type { HeldWithdrawal } from './held-withdrawal.js';
import { forwardHeaders } from './sign.js';
import type { Decided, Denial } from './types.js';

/** Synchronous, so the requests that are not held (all but such withdrawals) pay no await for it. */
export function isHeld(d: Decided): boolean {
  return (
    d.caller.kind === 'client' &&
    d.intent.intent.action === 'withdraw' &&
    d.key !== undefined &&
    d.caller.hit.client.record.policy.withdrawals?.approval === true
  );
}

/** Keep a withdrawal `isHeld` chose as an approval; the bot's answer is the returned denial. */
export async function hold(env: Pick<PipelineEnv, 'approvals'>, d: Decided): Promise<Denial> {
  const c = d.intent.intent;
  if (d.caller.kind !== 'client' || !d.key) throw new Error('hold: only a withdrawal isHeld chose');
  const r = d.caller.hit.client.record;
  if (!env.approvals) {
    d.reservation?.release();
    return {
      code: 'policy_denied',
      rule: 'withdrawals.approval',
      message:
        'policy rule withdrawals.approval: withdrawals need an approval and this gateway has no approvals service',
    };
  }
  const held: HeldWithdrawal = {
    exchange: d.exchange,
    keyId: d.key.id,
    client: { id: r.id, name: r.name },
    requestId: d.edge.requestId,
    endpoint: c.endpoint,
    withdrawal: c.withdrawal ?? {},
    request: forwardHeaders(d.adapter, d.adapter.stripAuth(d.request)),
  };
  const w = held.withdrawal;
  const approval = await env.approvals.request({
    kind: 'withdrawal',
    summary: `withdraw ${w.amount ?? '?'} ${w.coin ?? '?'}${w.network ? ` (${w.network})` : ''} on ${d.exchange} for client ${r.name}`,
    payload: held,
    requestedBy: { kind: 'client', id: r.id, name: r.name },
  });
  return {
    code: 'approval_pending',
    message: `pending approval ${approval.id}: the withdrawal is held until an operator approves it, then sent once`,
  };
}
