/** Shared zod pieces of the admin routes: bounded strings, the views every answer uses. */
import { z } from 'zod';
import { EXCHANGE_IDS, ROLES } from '../../core/index.js';
import { ENVIRONMENTS } from '../../keys/index.js';
import type { Policy } from '../../policy/index.js';

export const ref = z.string().min(1).max(128);
export const refParams = z.object({ ref }).strict();
export const idParams = z.object({ id: z.string().min(1).max(128) }).strict();
export const role = z.enum(ROLES);
export const exchange = z.enum(EXCHANGE_IDS);
export const environment = z.enum(ENVIRONMENTS);
export const otp = z.string().regex(/^\d{6}$/);
export const ok = z.object({ ok: z.literal(true) });

export const operatorView = z.object({
  id: z.string(),
  name: z.string(),
  role,
  status: z.enum(['pending', 'enrolling', 'active', 'disabled']),
  mfaEnrolled: z.boolean(),
  createdBy: z.string(),
  createdAt: z.number(),
});

export const tokenView = z.object({
  id: z.string(),
  name: z.string(),
  role,
  createdBy: z.string(),
  createdAt: z.number(),
  expiresAt: z.number(),
  revokedAt: z.number().nullable(),
  lastUsedAt: z.number().nullable(),
});

/** A registered key as shown: metadata, the keyed fingerprint and last 4 of the api-key id, never the secret. */
export const keyView = z.object({
  id: z.string(),
  label: z.string(),
  exchange: z.string(),
  environment: z.string(),
  owner: z.string().optional(),
  notes: z.string().optional(),
  fingerprint: z.string(),
  last4: z.string(),
  version: z.number(),
  status: z.enum(['active', 'retired']),
  createdAt: z.number(),
  rotatedAt: z.number().optional(),
  retiredAt: z.number().optional(),
});

export const clientView = z.object({
  id: z.string(),
  name: z.string(),
  exchange: z.string(),
  keyId: z.string(),
  environment: z.string(),
  status: z.enum(['active', 'frozen', 'revoked']),
  // The validated policy as stored (docs/policy.md); documented as an object.
  policy: z
    .custom<Policy>((v) => typeof v === 'object' && v !== null)
    .meta({ type: 'object', description: 'The client policy (docs/policy.md)' }),
  ipAllow: z.array(z.string()),
  ratePerSecond: z.number().optional(),
  expiresAt: z.number().optional(),
  createdAt: z.number(),
  updatedAt: z.number(),
  version: z.number(),
  apiKeyIds: z.array(z.string()),
});
