/**
 * Approvals: the second person of the two-person rule. Deciding needs a fresh TOTP code, and the
 * service refuses a decision by the requester (approval_self) or on a closed request
 * (approval_closed). The stored payload (a held withdrawal's checked request) is not answered:
 * the summary says what would happen.
 */
import { z } from 'zod';
import { APPROVAL_STATUSES } from '../../approvals/index.js';
import { type Actor, KeywardenError } from '../../core/index.js';
import type { AdminServices } from '../admin-services.js';
import { route } from '../route-types.js';
import { idParams } from './schemas.js';

const who = z.object({ kind: z.string(), id: z.string(), name: z.string(), role: z.string().optional() });
const approvalView = z.object({
  id: z.string(),
  kind: z.string(),
  summary: z.string(),
  status: z.enum(APPROVAL_STATUSES),
  requestedBy: who,
  requestedAt: z.number(),
  expiresAt: z.number(),
  decidedBy: who.optional(),
  decidedAt: z.number().optional(),
  executedAt: z.number().optional(),
});

const need = (a: Actor | undefined): Actor => {
  if (!a) throw new KeywardenError('session_required');
  return a;
};

export function approvalRoutes(s: AdminServices) {
  const decide = (decision: 'approve' | 'reject') =>
    route({
      method: 'POST',
      url: `/api/v1/approvals/:id/${decision}`,
      id: `approvals.${decision}`,
      summary: decision === 'approve' ? 'Approve a pending request' : 'Reject a pending request',
      tag: 'approvals',
      permission: 'approvals.decide',
      mfa: true,
      auditedByService: true,
      params: idParams,
      response: approvalView,
      handler: async ({ params, actor }) => s.approvals.decide(params.id, decision, need(actor)),
    });
  return [
    route({
      method: 'GET',
      url: '/api/v1/approvals',
      id: 'approvals.list',
      summary: 'List approvals, newest first',
      tag: 'approvals',
      permission: 'approvals.read',
      query: z.object({ status: z.enum(APPROVAL_STATUSES).optional() }).strict(),
      response: z.object({ approvals: z.array(approvalView) }),
      handler: async ({ query }) => ({
        approvals: await s.approvals.list(query.status !== undefined ? { status: query.status } : {}),
      }),
    }),
    route({
      method: 'GET',
      url: '/api/v1/approvals/:id',
      id: 'approvals.show',
      summary: 'Show one approval',
      tag: 'approvals',
      permission: 'approvals.read',
      params: idParams,
      response: approvalView,
      handler: async ({ params }) => s.approvals.get(params.id),
    }),
    decide('approve'),
    decide('reject'),
  ];
}
