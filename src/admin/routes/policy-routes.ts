/**
 * Policies: validate one, explain what it decides about a raw exchange request, and dry-run it
 * against the last N audited requests (what it would have denied). Nothing here changes a
 * client; `POST /clients/:ref/policy` does (a widening change waits for approval).
 */
import { z } from 'zod';
import { KeywardenError } from '../../core/index.js';
import { adapterFor } from '../../exchanges/index.js';
import { dryRunPolicy, explainRequest, validatePolicy } from '../../policy/index.js';
import type { AdminServices } from '../admin-services.js';
import { route } from '../route-types.js';
import { exchange, ref } from './schemas.js';

const policyBody = z.record(z.string(), z.unknown());
const object = (description: string) =>
  z.custom<object>((v) => typeof v === 'object' && v !== null).meta({ type: 'object', description });

export function policyRoutes(s: AdminServices) {
  return [
    route({
      method: 'POST',
      url: '/api/v1/policies/validate',
      id: 'policies.validate',
      summary: 'Validate a policy; answers it normalised, or the first problem',
      tag: 'policies',
      permission: 'policies.read',
      body: z.object({ policy: policyBody }).strict(),
      response: z.object({
        valid: z.boolean(),
        policy: object('The normalised policy (docs/policy.md)').optional(),
        problem: z.string().optional(),
      }),
      async handler({ body }) {
        try {
          return { valid: true, policy: validatePolicy(body.policy) };
        } catch (err) {
          if (err instanceof KeywardenError) return { valid: false, problem: err.message };
          throw err;
        }
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/policies/explain',
      id: 'policies.explain',
      summary: 'Classify a raw exchange request and show the decision of a policy and the rule that made it',
      tag: 'policies',
      permission: 'policies.read',
      body: z
        .object({
          policy: policyBody,
          exchange,
          method: z.enum(['GET', 'POST', 'PUT', 'DELETE']),
          path: z.string().min(1).max(512),
          query: z.string().max(8192).optional(),
          body: z.string().max(65_536).optional(),
          clientEnvironment: z.string().min(1).max(32).optional(),
          keyEnvironment: z.string().min(1).max(32).optional(),
          prices: z.record(z.string().max(64), z.number().positive()).optional(),
          slippagePercent: z.number().min(0).max(100).optional(),
          now: z.number().int().min(0).optional(),
        })
        .strict(),
      response: z.object({
        classification: object('What the adapter read from the request'),
        decision: object('allowed, rule, message, notional, priced'),
        heldForApproval: z.literal(true).optional(),
      }),
      async handler({ body }) {
        const policy = validatePolicy(body.policy);
        return explainRequest(policy, adapterFor(body.exchange), {
          method: body.method,
          path: body.path,
          ...(body.query !== undefined ? { query: body.query } : {}),
          ...(body.body !== undefined ? { body: body.body } : {}),
          clientEnvironment: body.clientEnvironment ?? 'prod',
          keyEnvironment: body.keyEnvironment ?? 'prod',
          prices: Object.fromEntries(Object.entries(body.prices ?? {}).map(([k, v]) => [k.toUpperCase(), v])),
          ...(body.slippagePercent !== undefined ? { slippagePercent: body.slippagePercent } : {}),
          now: body.now ?? s.clock.now(),
        });
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/policies/dry-run',
      id: 'policies.dry-run',
      summary:
        'Replay the last N audited requests (of one client, or all) through a policy: what it would have denied, and what the records cannot tell',
      tag: 'policies',
      permission: 'policies.read',
      body: z
        .object({
          policy: policyBody,
          client: ref.optional(),
          last: z.number().int().min(1).max(10_000).optional(),
        })
        .strict(),
      response: z.object({
        records: z.number(),
        evaluated: z.number(),
        wouldDeny: z.array(
          z.object({
            seq: z.number(),
            at: z.number(),
            client: z.string().optional(),
            action: z.string(),
            endpoint: z.string().optional(),
            symbol: z.string().optional(),
            recorded: z.string().optional(),
            rule: z.string(),
            message: z.string(),
          }),
        ),
        undetermined: z.array(z.object({ seq: z.number(), rule: z.string(), reason: z.string() })),
        skipped: z.number(),
        notEvaluated: z.array(z.string()),
      }),
      async handler({ body, actor }) {
        const policy = validatePolicy(body.policy);
        if (!actor) throw new KeywardenError('session_required');
        const clients = await s.clientsFor(actor).list();
        let clientId: string | undefined;
        if (body.client !== undefined) {
          const c = clients.find((c) => c.id === body.client || c.name === body.client);
          if (!c) throw new KeywardenError('not_found', `no client ${body.client}`);
          clientId = c.id;
        }
        const keys = await s.keys.list({ includeRetired: true });
        const clientEnv = new Map(clients.map((c) => [c.id, c.environment]));
        const keyEnv = new Map(keys.map((k) => [k.id, k.environment]));
        const records = await s.auditRecords({
          kind: 'request',
          ...(clientId !== undefined ? { clientId } : {}),
          descending: true,
          limit: body.last ?? 500,
        });
        return dryRunPolicy(policy, records, {
          clientEnvironment: (id) => (id === undefined ? undefined : clientEnv.get(id)),
          keyEnvironment: (id) => (id === undefined ? undefined : keyEnv.get(id)),
          hmac: (v) => s.vault.auditHmac(v),
        });
      },
    }),
  ];
}
