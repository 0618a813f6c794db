/** Exchange keys: the secret travels once in the register body and is never answered. */
import { z } from 'zod';
import { KeywardenError } from '../../core/index.js';
import type { AdminServices } from '../admin-services.js';
import { route } from '../route-types.js';
import { environment, exchange, keyView, refParams } from './schemas.js';

const bounded = (max: number) => z.string().min(1).max(max);

export function keyRoutes(s: AdminServices) {
  const find = async (r: string) => {
    const k = await s.keys.get(r);
    if (!k) throw new KeywardenError('not_found', `no key ${r}`);
    return k;
  };
  return [
    route({
      method: 'GET',
      url: '/api/v1/keys',
      id: 'keys.list',
      summary: 'List exchange keys (metadata only)',
      tag: 'keys',
      permission: 'keys.read',
      query: z.object({ includeRetired: z.enum(['true', 'false']).optional() }).strict(),
      response: z.object({ keys: z.array(keyView) }),
      handler: async ({ query }) => ({
        keys: await s.keys.list({ includeRetired: query.includeRetired === 'true' }),
      }),
    }),
    route({
      method: 'POST',
      url: '/api/v1/keys',
      id: 'keys.register',
      summary: 'Register an exchange key; the credential is stored encrypted and never returned',
      tag: 'keys',
      permission: 'keys.write',
      mfa: true,
      status: 201,
      body: z
        .object({
          label: bounded(64),
          exchange,
          environment,
          owner: bounded(128).optional(),
          notes: bounded(1024).optional(),
          credential: z
            .object({
              apiKey: bounded(512),
              secret: bounded(8192),
              password: bounded(512).optional(),
              uid: bounded(128).optional(),
              privateKey: bounded(8192).optional(),
            })
            .strict(),
        })
        .strict(),
      response: keyView,
      async handler({ body }) {
        const { credential, ...meta } = body;
        return s.keys.add(meta, credential);
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/keys/:ref',
      id: 'keys.show',
      summary: 'Show one key (metadata only)',
      tag: 'keys',
      permission: 'keys.read',
      params: refParams,
      response: keyView,
      handler: ({ params }) => find(params.ref),
    }),
    route({
      method: 'POST',
      url: '/api/v1/keys/:ref/retire',
      id: 'keys.retire',
      summary: 'Retire a key (its clients stop signing)',
      tag: 'keys',
      permission: 'keys.write',
      mfa: true,
      params: refParams,
      response: keyView,
      async handler({ params }) {
        await find(params.ref);
        return s.keys.retire(params.ref);
      },
    }),
  ];
}
