/**
 * An operator's role change (owner; fresh TOTP code). It waits for a second person when
 * `approvals.require` lists `operator.role`, and is then applied once by the approvals service.
 */
import { z } from 'zod';
import { type Actor, KeywardenError } from '../../core/index.js';
import type { AdminServices } from '../admin-services.js';
import { gated, hold } from '../gated-changes.js';
import { route } from '../route-types.js';
import { operatorView, refParams, role } from './schemas.js';

const need = (a: Actor | undefined): Actor => {
  if (!a) throw new KeywardenError('session_required');
  return a;
};

export function operatorRoleRoutes(s: AdminServices) {
  return [
    route({
      method: 'POST',
      url: '/api/v1/operators/:ref/role',
      id: 'operators.role',
      summary: "Change an operator's role (ends their sessions)",
      tag: 'operators',
      permission: 'operators.write',
      mfa: true,
      auditedByService: true,
      params: refParams,
      body: z.object({ role }).strict(),
      response: operatorView,
      approval: 'operator.role',
      async handler({ params, body, actor }) {
        const target = await s.operators.get(params.ref);
        if (gated(s, 'operator.role', need(actor)))
          return hold(s, 'operator.role', need(actor), `${target.name}: ${target.role} → ${body.role}`, {
            operatorId: target.id,
            role: body.role,
          });
        return s.operators.setRole(target.id, body.role, need(actor));
      },
    }),
  ];
}
