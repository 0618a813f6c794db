/**
 * `rateBudgets:` in keywarden.yaml: the exchange-aware budgets every request spends before it is
 * sent (src/gateway/budget/, docs/rate-budgets.md). On by default, in this process's memory; with
 * `store.url` in Redis, shared by every gateway behind the same egress IP or key.
 */
import { z } from 'zod';
import { EXCHANGE_IDS, type ExchangeId } from '../core/index.js';
import { RATE_RULES } from '../exchanges/index.js';
import { redisStoreSchema } from './redis-store-config.js';

const limitOverrides = (id: ExchangeId) => {
  const known = new Set(RATE_RULES[id].limits.map((l) => l.id));
  return z
    .record(z.string().max(64), z.number().int().positive().max(100_000_000))
    .refine((r) => Object.keys(r).every((k) => known.has(k)), {
      message: `unknown limit for ${id}; known: ${[...known].join(', ')}`,
    })
    .optional();
};

export const rateBudgetsConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Longest a request waits for room before it is answered 429 with Retry-After (0: answer at once). */
    maxQueueMs: z.number().int().nonnegative().max(10_000).default(1_000),
    /** Requests waiting at once, all budgets together; beyond this a request is answered at once. */
    maxQueued: z.number().int().nonnegative().max(100_000).default(1_000),
    /** Share of each exchange limit keywarden leaves unused (traffic it does not see, clock skew). */
    headroomPercent: z.number().min(0).max(50).default(5),
    /** How long a key or IP stops after an exchange 429 or 418 that names no Retry-After. */
    defaultRetryAfterSeconds: z.number().int().positive().max(86_400).default(60),
    /** Name of this gateway's egress IP budget: gateways that leave through one address share one name. */
    egressId: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/)
      .default('default'),
    /** Where the budgets live (schema in ./redis-store-config.ts). */
    store: redisStoreSchema('kw:budget:'),
    /** Per exchange, a limit id (docs/rate-budgets.md) → the limit this account really has (VIP tiers, testnets). */
    limits: z
      .object(
        Object.fromEntries(EXCHANGE_IDS.map((id) => [id, limitOverrides(id)])) as Record<
          ExchangeId,
          ReturnType<typeof limitOverrides>
        >,
      )
      .strict()
      .default({}),
  })
  .strict();

export type RateBudgetsConfig = z.infer<typeof rateBudgetsConfigSchema>;

export const DEFAULT_RATE_BUDGETS: RateBudgetsConfig = rateBudgetsConfigSchema.parse({});
