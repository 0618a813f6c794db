/**
 * What the signed-in actor may do, from the one role table (permissions.ts): the dashboard hides
 * the controls a role lacks instead of keeping its own copy of the table. The API still refuses.
 */
import { z } from 'zod';
import { KeywardenError } from '../../core/index.js';
import { PERMISSIONS, ROLE_PERMISSIONS } from '../permissions.js';
import { route } from '../route-types.js';
import { role } from './schemas.js';

export function permissionRoutes() {
  return [
    route({
      method: 'GET',
      url: '/api/v1/auth/permissions',
      id: 'auth.permissions',
      summary: "The signed-in actor's role and the permissions it grants",
      tag: 'auth',
      permission: 'self',
      response: z.object({ role, permissions: z.array(z.enum(PERMISSIONS)) }),
      async handler({ actor }) {
        if (!actor) throw new KeywardenError('session_required');
        return { role: actor.role, permissions: [...ROLE_PERMISSIONS[actor.role]] };
      },
    }),
  ];
}
