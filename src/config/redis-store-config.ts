/**
 * The Redis a shared counter lives in (`rateBudgets.store`, `rateLimit.store`): the same keys and
 * the same failure choice for both, so "Redis is down" means one thing. Absent `url`: this
 * process's memory (one gateway). Both may name the same Redis; their key prefixes keep them apart.
 */
import { z } from 'zod';

export function redisStoreSchema(defaultPrefix: string) {
  return z
    .object({
      /** Redis shared by every instance (redis://host:port, rediss:// for TLS); absent: this process's memory. */
      url: z
        .string()
        .max(2048)
        .refine((u) => /^rediss?:\/\//.test(u), { message: 'must be a redis:// or rediss:// URL' })
        .optional(),
      /** When Redis does not answer: refuse the request (`closed`, the default) or let it through unlimited (`open`). */
      onError: z.enum(['closed', 'open']).default('closed'),
      /** Longest one Redis call may take, ms. */
      timeoutMs: z.number().int().positive().max(10_000).default(250),
      /** Prefix of every key keywarden writes (several deployments or tests on one Redis). */
      prefix: z
        .string()
        .regex(/^[A-Za-z0-9:._-]{1,64}$/)
        .default(defaultPrefix),
    })
    .strict()
    .default({ onError: 'closed', timeoutMs: 250, prefix: defaultPrefix });
}
