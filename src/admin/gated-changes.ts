/**
 * The two-person rule on admin changes (issue 13): registering or rotating a prod key, widening
 * a client's policy, ending a lockdown and changing an operator's role wait for a second person
 * when keywarden.yaml's `approvals.require` lists their kind. A gated route answers 202 with the
 * approval; when someone else approves it (with a fresh TOTP code), the approvals service claims
 * it and runs its kind's executor below exactly once, as the requester, and records the
 * execution naming both operators and the approval.
 *
 * A held key credential is stored in the approval encrypted by the vault (its own envelope, bound
 * to a random id), never in the clear, and is never answered.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Approval, ApprovalExecutors, ApprovalKind } from '../approvals/index.js';
import { type Actor, KeywardenError } from '../core/index.js';
import type { Credential } from '../exchanges/index.js';
import { type Policy, validatePolicy } from '../policy/index.js';
import type { RecordIdentity } from '../vault/index.js';
import type { AdminServices } from './admin-services.js';

/** What a gated route answers instead of its usual view: the change waits for this approval. */
export class PendingChange {
  constructor(readonly approval: Approval) {}
}

export const pendingView = z.object({
  pending: z.literal(true),
  approval: z.object({
    id: z.string(),
    kind: z.string(),
    summary: z.string(),
    status: z.string(),
    expiresAt: z.number(),
  }),
  message: z.string(),
});

export const pendingAnswer = (p: PendingChange): z.input<typeof pendingView> => ({
  pending: true,
  approval: {
    id: p.approval.id,
    kind: p.approval.kind,
    summary: p.approval.summary,
    status: p.approval.status,
    expiresAt: p.approval.expiresAt,
  },
  message: `waits for another admin's approval: POST /api/v1/approvals/${p.approval.id}/approve`,
});

/** Does this change wait? Only when its kind is required; never for a token (it cannot prove MFA). */
export function gated(s: Pick<AdminServices, 'approvals'>, kind: ApprovalKind, actor: Actor): boolean {
  if (!s.approvals.required(kind)) return false;
  if (actor.kind === 'token')
    throw new KeywardenError(
      'mfa_required',
      `${kind} needs a second person's approval: request it signed in as an operator, not with an API token`,
    );
  return true;
}

export async function hold(
  s: Pick<AdminServices, 'approvals'>,
  kind: ApprovalKind,
  actor: Actor,
  summary: string,
  payload: unknown,
): Promise<PendingChange> {
  return new PendingChange(await s.approvals.request({ kind, summary, payload, requestedBy: actor }));
}

// --- held credentials ---

const sealedSchema = z.object({ id: z.string(), envelope: z.string() }).strict();
type Sealed = z.infer<typeof sealedSchema>;
const identity = (id: string, exchange: string, label: string): RecordIdentity => ({
  id: `approval-credential:${id}`,
  version: 1,
  exchange,
  label,
});

export function sealCredential(
  s: Pick<AdminServices, 'vault'>,
  exchange: string,
  label: string,
  credential: Credential,
): Sealed {
  const id = randomUUID();
  const blob = s.vault.encrypt(identity(id, exchange, label), Buffer.from(JSON.stringify(credential)));
  return { id, envelope: blob.envelope };
}

function openCredential(
  s: Pick<AdminServices, 'vault'>,
  exchange: string,
  label: string,
  sealed: Sealed,
): Credential {
  const plain = s.vault.decrypt(identity(sealed.id, exchange, label), { envelope: sealed.envelope });
  return JSON.parse(plain.toString('utf8')) as Credential;
}

// --- payloads, as the gated routes store them ---

export const keyRegisterPayload = z
  .object({
    meta: z.object({
      label: z.string(),
      exchange: z.string(),
      environment: z.string(),
      owner: z.string().optional(),
      notes: z.string().optional(),
    }),
    sealed: sealedSchema,
  })
  .strict();

export const keyRotatePayload = z
  .object({
    keyId: z.string(),
    exchange: z.string(),
    label: z.string(),
    graceMs: z.number(),
    verify: z.boolean(),
    sealed: sealedSchema,
  })
  .strict();

export const policyWidenPayload = z
  .object({
    client: z.string(),
    before: z.record(z.string(), z.unknown()),
    policy: z.record(z.string(), z.unknown()),
    reasons: z.array(z.string()),
  })
  .strict();

export const unlockPayload = z
  .object({ scope: z.record(z.string(), z.unknown()), reason: z.string() })
  .strict();

export const rolePayload = z.object({ operatorId: z.string(), role: z.string() }).strict();

const requesterOf = (a: Approval): Actor => {
  const r = a.requestedBy;
  if (r.kind === 'client') throw new KeywardenError('invalid_input', 'a client cannot request this change');
  return r;
};

/** Stable JSON (sorted keys) to compare two policies. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

/**
 * The executor of each gated kind over the admin services (read through `services()` when it
 * runs: the approvals service is built before the object holding it). Each answers a small
 * result for the approval row, never a secret.
 */
export function approvalExecutors(services: () => AdminServices): ApprovalExecutors {
  return {
    async 'key.register'(a) {
      const s = services();
      const p = keyRegisterPayload.parse(a.payload);
      const credential = openCredential(s, p.meta.exchange, p.meta.label, p.sealed);
      const key = await s.keys.add(p.meta as Parameters<AdminServices['keys']['add']>[0], credential);
      return { keyId: key.id, label: key.label, version: key.version };
    },
    async 'key.rotate'(a) {
      const s = services();
      const p = keyRotatePayload.parse(a.payload);
      const credential = openCredential(s, p.exchange, p.label, p.sealed);
      const r = await s.keyOps.rotate(
        p.keyId,
        credential,
        { graceMs: p.graceMs, verify: p.verify },
        requesterOf(a),
      );
      return { keyId: r.key.id, version: r.key.version, previousVersion: r.previousVersion };
    },
    async 'policy.widen'(a) {
      const s = services();
      const p = policyWidenPayload.parse(a.payload);
      const clients = s.clientsFor(requesterOf(a));
      const now = await clients.get(p.client);
      if (!now) throw new KeywardenError('not_found', `no client ${p.client}`);
      // Approved was the change from `before`: a policy changed since then is not what was approved.
      if (canonical(now.policy) !== canonical(p.before))
        throw new KeywardenError(
          'approval_closed',
          `the policy of ${now.name} changed after this request: request the change again`,
        );
      const after = await clients.setPolicy(p.client, validatePolicy(p.policy) as Policy);
      return { client: after.id, version: after.version };
    },
    async 'lockdown.unlock'(a) {
      const s = services();
      const p = unlockPayload.parse(a.payload);
      const service = await s.lockdownFor(requesterOf(a));
      const result = await service.unlock(p as unknown as Parameters<typeof service.unlock>[0]);
      return { unlocked: true, ...(typeof result === 'object' && result ? { scope: p.scope } : {}) };
    },
    async 'operator.role'(a) {
      const s = services();
      const p = rolePayload.parse(a.payload);
      const op = await s.operators.setRole(p.operatorId, p.role as Actor['role'], requesterOf(a));
      return { operator: op.id, role: op.role };
    },
  };
}
