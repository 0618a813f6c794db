/**
 * The two-person rule. A request waits as `pending` until someone other than its requester
 * approves or rejects it, once, before it expires (`approvals.ttlHours`). Every request,
 * decision, expiry and execution is an audit record naming who did it.
 *
 * Single-user installs: nothing is required by default (`approvals.require: []`), because the
 * local CLI is one person and may not approve its own local requests. A withdrawal is held only
 * when its client's policy says `withdrawals.approval: true`; the gateway's request is the
 * client's, so the local operator can approve it.
 */
import { type Actor, describeActor, KeywardenError, prefixedId } from '../core/index.js';
import { createApprovalsStore } from './approvals-store.js';
import type {
  Approval,
  ApprovalStatus,
  ApprovalsDeps,
  ApprovalsService,
  Requester,
} from './approvals-types.js';

const HOUR_MS = 3_600_000;

/** How an audit record names who asked or decided (a client as `client:<name>`). */
export function describeRequester(r: Requester): string {
  return r.kind === 'client' ? `client:${r.name}` : describeActor(r);
}

export function createApprovals(deps: ApprovalsDeps): ApprovalsService {
  const store = createApprovalsStore(deps.db);
  const ttlMs = Math.round(deps.config.ttlHours * HOUR_MS);

  async function record(action: string, a: Approval, actor: string, extra: Record<string, unknown> = {}) {
    try {
      await deps.audit.append({
        kind: 'admin',
        actor,
        action,
        message: `${action} ${a.id} (${a.kind}): ${a.summary}`.slice(0, 500),
        // Every record of an approval names who asked and, once decided, who decided.
        detail: {
          approvalId: a.id,
          approvalKind: a.kind,
          status: a.status,
          requester: describeRequester(a.requestedBy),
          ...(a.decidedBy ? { approver: describeActor(a.decidedBy) } : {}),
          ...extra,
        },
      });
    } catch {
      throw new KeywardenError(
        'audit_unavailable',
        `the audit log did not take the ${action} record of ${a.id}`,
      );
    }
  }

  /** Pending requests past their time become expired, each with its audit record. */
  async function finish(id: string, outcome: 'executed' | 'failed', result: unknown, actor: string) {
    const a = await store.transition(id, (a) => {
      if (a.status !== 'executing')
        throw new KeywardenError('approval_closed', `approval ${a.id} is ${a.status}, not executing`);
      return { status: outcome, result_json: JSON.stringify(result ?? null) };
    });
    await record(`approval.${outcome}`, a, actor, { result });
    return a;
  }

  async function claim(id: string): Promise<Approval | undefined> {
    const now = deps.clock.now();
    let outcome: ApprovalStatus | undefined;
    const a = await store.transition(id, (a) => {
      if (a.status !== 'approved') return undefined;
      // An approval is for now, not for whenever a stopped gateway comes back.
      outcome = a.expiresAt <= now ? 'expired' : 'executing';
      return { status: outcome, ...(outcome === 'executing' ? { executed_at: now } : {}) };
    });
    if (outcome === 'expired') await record('approval.expire', a, 'keywarden');
    if (outcome !== 'executing') return undefined;
    await record('approval.execute', a, 'keywarden');
    return a;
  }

  /** Run an approved request through its kind's executor, once (the claim makes it once). */
  async function execute(decided: Approval, by: Actor): Promise<Approval> {
    const run = deps.executors?.[decided.kind];
    if (!run) return decided;
    const claimed = await claim(decided.id);
    if (!claimed) return store.find(decided.id).then((a) => a ?? decided);
    let result: unknown;
    try {
      result = await run(claimed, by);
    } catch (err) {
      const message =
        err instanceof KeywardenError ? err.message : 'the approved change could not be applied';
      return finish(claimed.id, 'failed', { error: message }, describeActor(by));
    }
    return finish(claimed.id, 'executed', result ?? null, describeActor(by));
  }

  async function expire(): Promise<void> {
    for (const a of await store.expireDue(deps.clock.now())) await record('approval.expire', a, 'keywarden');
  }

  return {
    async request(input) {
      const now = deps.clock.now();
      const a: Approval = {
        id: prefixedId('apr', 20),
        kind: input.kind,
        summary: input.summary.slice(0, 300),
        payload: input.payload,
        status: 'pending',
        requestedBy: input.requestedBy,
        requestedAt: now,
        expiresAt: now + ttlMs,
      };
      // Recorded before it exists: a request the log cannot take is never created (fail closed).
      await record('approval.request', a, describeRequester(input.requestedBy), {
        requestedBy: { kind: input.requestedBy.kind, id: input.requestedBy.id },
      });
      await store.insert(a);
      deps.alerts?.observe({
        type: 'system',
        at: now,
        kind: 'approval_pending',
        ...(input.requestedBy.kind === 'client' ? { client: input.requestedBy.name } : {}),
        message: `approval ${a.id} pending (${a.kind}, asked by ${describeRequester(a.requestedBy)}): ${a.summary}; decide with \`keywarden approvals approve ${a.id}\` or \`reject\``,
        detail: { approvalId: a.id, approvalKind: a.kind },
      });
      return a;
    },

    async decide(id, decision, by) {
      const now = deps.clock.now();
      let expired = false;
      const decided = await store.transition(id, (a) => {
        if (a.status === 'pending' && a.expiresAt <= now) {
          expired = true;
          return { status: 'expired' };
        }
        if (a.status !== 'pending')
          throw new KeywardenError('approval_closed', `approval ${a.id} is already ${a.status}`);
        if (a.requestedBy.kind !== 'client' && a.requestedBy.id === by.id)
          throw new KeywardenError(
            'approval_self',
            `approval ${a.id} was requested by ${describeActor(by)}: another person must decide it`,
          );
        return {
          status: decision === 'approve' ? 'approved' : 'rejected',
          decided_by_json: JSON.stringify(by),
          decided_at: now,
        };
      });
      if (expired) {
        await record('approval.expire', decided, 'keywarden');
        throw new KeywardenError('approval_closed', `approval ${decided.id} expired`);
      }
      try {
        await record(`approval.${decision}`, decided, describeActor(by), {
          decidedBy: { kind: by.kind, id: by.id },
        });
      } catch (err) {
        // No decision without its record: put it back (unless it was claimed in between, which
        // the claim's own record then shows).
        await store.transition(id, (a) =>
          a.status === decided.status
            ? { status: 'pending', decided_by_json: null, decided_at: null }
            : undefined,
        );
        throw err;
      }
      return decision === 'approve' ? execute(decided, by) : decided;
    },

    async list(filter = {}) {
      await expire();
      return store.list(filter);
    },

    async get(id) {
      await expire();
      const a = await store.find(id);
      if (!a) throw new KeywardenError('not_found', `no approval "${id.slice(0, 64)}"`);
      return a;
    },

    required: (kind) => deps.config.require.includes(kind),

    claim,
    finish,
  };
}
