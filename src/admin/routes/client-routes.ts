/** Gateway clients: the credential is answered once, at issue and re-roll. */
import { z } from 'zod';
import { type Actor, KeywardenError } from '../../core/index.js';
import { isWidening, type Policy, validatePolicy } from '../../policy/index.js';
import type { AdminServices } from '../admin-services.js';
import { gated, hold } from '../gated-changes.js';
import { route } from '../route-types.js';
import { clientView, environment, refParams } from './schemas.js';

const issued = z.object({
  client: clientView,
  credential: z.object({
    apiKey: z.string(),
    secret: z.string(),
    password: z.string().optional(),
    privateKey: z.string().optional(),
  }),
  token: z.string(),
});

const cidrs = z.array(z.string().min(1).max(64)).max(256);

export function clientRoutes(s: AdminServices) {
  const as = (a: Actor | undefined) => {
    if (!a) throw new KeywardenError('session_required');
    return s.clientsFor(a);
  };
  const change = (
    id: string,
    summary: string,
    permission: 'clients.write' | 'clients.freeze',
    run: (c: ReturnType<AdminServices['clientsFor']>, ref: string) => Promise<unknown>,
  ) =>
    route({
      method: 'POST',
      url: `/api/v1/clients/:ref/${id.split('.')[1]}`,
      id,
      summary,
      tag: 'clients',
      permission,
      auditedByService: true,
      params: refParams,
      response: clientView,
      handler: async ({ params, actor }) => (await run(as(actor), params.ref)) as z.input<typeof clientView>,
    });
  return [
    route({
      method: 'GET',
      url: '/api/v1/clients',
      id: 'clients.list',
      summary: 'List clients',
      tag: 'clients',
      permission: 'clients.read',
      response: z.object({ clients: z.array(clientView) }),
      handler: async ({ actor }) => ({ clients: await as(actor).list() }),
    }),
    route({
      method: 'POST',
      url: '/api/v1/clients',
      id: 'clients.issue',
      summary: 'Issue a client; its credential is answered once',
      tag: 'clients',
      permission: 'clients.write',
      auditedByService: true,
      status: 201,
      body: z
        .object({
          name: z.string().min(1).max(64),
          key: z.string().min(1).max(128),
          policy: z.record(z.string(), z.unknown()).optional(),
          ipAllow: cidrs.optional(),
          environment: environment.optional(),
          ratePerSecond: z.number().min(0).max(100_000).optional(),
        })
        .strict(),
      response: issued,
      async handler({ body, actor }) {
        const { policy, ...rest } = body;
        return as(actor).add({ ...rest, policy: validatePolicy(policy ?? {}) });
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/clients/:ref',
      id: 'clients.show',
      summary: 'Show one client',
      tag: 'clients',
      permission: 'clients.read',
      params: refParams,
      response: clientView,
      async handler({ params, actor }) {
        const c = await as(actor).get(params.ref);
        if (!c) throw new KeywardenError('not_found', `no client ${params.ref}`);
        return c;
      },
    }),
    change('clients.freeze', 'Freeze a client (its requests are denied)', 'clients.freeze', (c, r) =>
      c.freeze(r),
    ),
    change('clients.unfreeze', 'Unfreeze a client', 'clients.freeze', (c, r) => c.unfreeze(r)),
    change('clients.revoke', "Revoke a client's credentials for good", 'clients.write', (c, r) =>
      c.revoke(r),
    ),
    route({
      method: 'POST',
      url: '/api/v1/clients/:ref/reroll',
      id: 'clients.reroll',
      summary: 'Issue a new credential (answered once); the old one stops after the grace period',
      tag: 'clients',
      permission: 'clients.write',
      auditedByService: true,
      params: refParams,
      body: z
        .object({
          graceSeconds: z
            .number()
            .int()
            .min(0)
            .max(7 * 86_400)
            .optional(),
        })
        .strict(),
      response: issued,
      handler: ({ params, body, actor }) =>
        as(actor).reroll(params.ref, body.graceSeconds !== undefined ? body.graceSeconds * 1000 : undefined),
    }),
    route({
      method: 'POST',
      url: '/api/v1/clients/:ref/ip',
      id: 'clients.set-ip',
      summary: "Replace a client's source-IP allow-list",
      tag: 'clients',
      permission: 'clients.write',
      auditedByService: true,
      params: refParams,
      body: z.object({ cidrs }).strict(),
      response: clientView,
      handler: ({ params, body, actor }) => as(actor).setIpAllow(params.ref, body.cidrs),
    }),
    route({
      method: 'POST',
      url: '/api/v1/clients/:ref/policy',
      id: 'clients.set-policy',
      summary:
        "Replace a client's policy; a widening change (new actions, symbols, markets, higher caps) waits for a second admin when approvals.require lists policy.widen",
      tag: 'clients',
      permission: 'clients.write',
      auditedByService: true,
      params: refParams,
      body: z.object({ policy: z.record(z.string(), z.unknown()) }).strict(),
      response: clientView,
      approval: 'policy.widen',
      async handler({ params, body, actor }) {
        const policy = validatePolicy(body.policy);
        const clients = as(actor);
        const current = await clients.get(params.ref);
        if (!current) throw new KeywardenError('not_found', `no client ${params.ref}`);
        const reasons = isWidening(current.policy, policy);
        if (reasons.length > 0 && actor && gated(s, 'policy.widen', actor))
          return hold(s, 'policy.widen', actor, `widen ${current.name}'s policy: ${reasons.join('; ')}`, {
            client: current.id,
            before: current.policy as Policy as unknown as Record<string, unknown>,
            policy: policy as unknown as Record<string, unknown>,
            reasons,
          });
        return clients.setPolicy(current.id, policy);
      },
    }),
  ];
}
