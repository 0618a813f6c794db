/** Operators (owner) and API tokens. Changes need a fresh TOTP code. Role changes: ./operator-role-routes.ts. */
import { z } from 'zod';
import { KeywardenError } from '../../core/index.js';
import type { Operators } from '../../operators/index.js';
import { route } from '../route-types.js';
import { idParams, operatorView, refParams, role, tokenView } from './schemas.js';

const actorOf = (a: Parameters<Operators['add']>[1] | undefined) => {
  if (!a) throw new KeywardenError('session_required');
  return a;
};

export function operatorRoutes(operators: Operators) {
  return [
    route({
      method: 'GET',
      url: '/api/v1/operators',
      id: 'operators.list',
      summary: 'List operators',
      tag: 'operators',
      permission: 'operators.read',
      response: z.object({ operators: z.array(operatorView) }),
      handler: async () => ({ operators: await operators.list() }),
    }),
    route({
      method: 'POST',
      url: '/api/v1/operators',
      id: 'operators.add',
      summary: 'Create an operator; answers the one-time enrolment code',
      tag: 'operators',
      permission: 'operators.write',
      mfa: true,
      auditedByService: true,
      status: 201,
      body: z.object({ name: z.string().min(2).max(64), role }).strict(),
      response: z.object({ operator: operatorView, enrolmentCode: z.string() }),
      handler: ({ body, actor }) => operators.add(body, actorOf(actor)),
    }),
    route({
      method: 'GET',
      url: '/api/v1/operators/:ref',
      id: 'operators.show',
      summary: 'Show one operator',
      tag: 'operators',
      permission: 'operators.read',
      params: refParams,
      response: operatorView,
      handler: ({ params }) => operators.get(params.ref),
    }),
    route({
      method: 'POST',
      url: '/api/v1/operators/:ref/disable',
      id: 'operators.disable',
      summary: 'Disable an operator (ends their sessions)',
      tag: 'operators',
      permission: 'operators.write',
      mfa: true,
      auditedByService: true,
      params: refParams,
      response: operatorView,
      handler: ({ params, actor }) => operators.disable(params.ref, actorOf(actor)),
    }),
    route({
      method: 'GET',
      url: '/api/v1/tokens',
      id: 'tokens.list',
      summary: 'List API tokens (never the token itself)',
      tag: 'tokens',
      permission: 'tokens.read',
      response: z.object({ tokens: z.array(tokenView) }),
      handler: async () => ({ tokens: await operators.listTokens() }),
    }),
    route({
      method: 'POST',
      url: '/api/v1/tokens',
      id: 'tokens.create',
      summary: 'Create an API token bound to a role no higher than yours; the token is shown once',
      tag: 'tokens',
      permission: 'tokens.write',
      mfa: true,
      auditedByService: true,
      status: 201,
      body: z
        .object({
          name: z.string().min(1).max(64),
          role,
          ttlSeconds: z
            .number()
            .int()
            .positive()
            .max(90 * 86_400),
        })
        .strict(),
      response: z.object({ token: z.string(), info: tokenView }),
      async handler({ body, actor }) {
        const made = await operators.createToken(
          { name: body.name, role: body.role, ttlMs: body.ttlSeconds * 1000 },
          actorOf(actor),
        );
        return { token: made.token, info: made.view };
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/tokens/:id/revoke',
      id: 'tokens.revoke',
      summary: 'Revoke an API token',
      tag: 'tokens',
      permission: 'tokens.write',
      auditedByService: true,
      params: idParams,
      response: tokenView,
      handler: ({ params, actor }) => operators.revokeToken(params.id, actorOf(actor)),
    }),
  ];
}
