/**
 * Exchange keys: the secret travels once in the register or rotate body and is never answered.
 * Registering or rotating a prod key waits for a second person when `approvals.require` lists
 * `key.register` / `key.rotate`: the credential then waits in the approval, vault-encrypted.
 */
import { z } from 'zod';
import { type Actor, KeywardenError } from '../../core/index.js';
import type { AdminServices } from '../admin-services.js';
import { gated, hold, sealCredential } from '../gated-changes.js';
import { route } from '../route-types.js';
import { environment, exchange, keyView, refParams } from './schemas.js';

const bounded = (max: number) => z.string().min(1).max(max);

const credentialBody = z
  .object({
    apiKey: bounded(512),
    secret: bounded(8192),
    password: bounded(512).optional(),
    uid: bounded(128).optional(),
    privateKey: bounded(8192).optional(),
  })
  .strict();

const need = (a: Actor | undefined): Actor => {
  if (!a) throw new KeywardenError('session_required');
  return a;
};

const checkView = z.object({
  keyId: z.string(),
  keyVersion: z.number(),
  checkedAt: z.number(),
  live: z.boolean(),
  permissions: z
    .object({ read: z.boolean(), trade: z.boolean(), withdraw: z.boolean(), transfer: z.boolean() })
    .optional(),
  ipRestricted: z.boolean().optional(),
  reason: z.string().optional(),
  flags: z.array(z.string()),
});

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
          credential: credentialBody,
        })
        .strict(),
      response: keyView,
      approval: 'key.register',
      async handler({ body, actor }) {
        const { credential, ...meta } = body;
        if (meta.environment === 'prod' && gated(s, 'key.register', need(actor))) {
          if (await s.keys.get(meta.label)) throw new KeywardenError('duplicate', `key ${meta.label} exists`);
          return hold(s, 'key.register', need(actor), `register prod ${meta.exchange} key ${meta.label}`, {
            meta,
            sealed: sealCredential(s, meta.exchange, meta.label, credential),
          });
        }
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
      url: '/api/v1/keys/:ref/verify',
      id: 'keys.verify',
      summary:
        'Ask the exchange what the key may do; flags withdraw/transfer permission and no IP restriction',
      tag: 'keys',
      permission: 'keys.write',
      auditedByService: true,
      params: refParams,
      response: checkView,
      async handler({ params, actor }) {
        const key = await find(params.ref);
        if (key.status !== 'active') throw new KeywardenError('invalid_input', `key ${key.label} is retired`);
        const c = await s.keyOps.verify(key.id, need(actor));
        const r = c.introspection;
        return {
          keyId: c.keyId,
          keyVersion: c.keyVersion,
          checkedAt: c.checkedAt,
          live: r.available,
          ...(r.available
            ? {
                permissions: {
                  read: r.canRead,
                  trade: r.canTrade,
                  withdraw: r.canWithdraw,
                  transfer: r.canTransfer,
                },
                ipRestricted: r.ipRestricted,
              }
            : { reason: r.reason }),
          flags: c.flags,
        };
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/keys/:ref/rotate',
      id: 'keys.rotate',
      summary:
        'Replace the key with a new credential (sent once, never answered): verified, switched for every client at once, the old one destroyed after the grace period',
      tag: 'keys',
      permission: 'keys.write',
      mfa: true,
      auditedByService: true,
      params: refParams,
      body: z
        .object({
          credential: credentialBody,
          graceSeconds: z.number().int().min(0).max(86_400).optional(),
          verify: z.boolean().optional(),
        })
        .strict(),
      response: z.object({
        key: keyView,
        previousVersion: z.number(),
        previousLast4: z.string(),
        graceUntil: z.number(),
        verified: z.boolean(),
        flags: z.array(z.string()),
      }),
      approval: 'key.rotate',
      async handler({ params, body, actor }) {
        const key = await find(params.ref);
        if (key.status !== 'active') throw new KeywardenError('invalid_input', `key ${key.label} is retired`);
        const graceMs = body.graceSeconds !== undefined ? body.graceSeconds * 1000 : s.rotationGraceMs;
        const verify = body.verify ?? true;
        if (key.environment === 'prod' && gated(s, 'key.rotate', need(actor)))
          return hold(s, 'key.rotate', need(actor), `rotate prod ${key.exchange} key ${key.label}`, {
            keyId: key.id,
            exchange: key.exchange,
            label: key.label,
            graceMs,
            verify,
            sealed: sealCredential(s, key.exchange, key.label, body.credential),
          });
        const r = await s.keyOps.rotate(key.id, body.credential, { graceMs, verify }, need(actor));
        return {
          key: r.key,
          previousVersion: r.previousVersion,
          previousLast4: r.previousLast4,
          graceUntil: r.graceUntil,
          verified: r.check !== undefined,
          flags: r.check?.flags ?? [],
        };
      },
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
