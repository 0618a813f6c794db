import { z } from 'zod';

/** Default records between signed checkpoints (the writer's and `verify`'s). */
export const DEFAULT_CHECKPOINT_EVERY = 100;

/**
 * The `audit:` section of keywarden.yaml: what anchors the audit log outside its database.
 * `checkpointKeyFingerprint` is the pin `keywarden init` prints (SHA-256 hex of the checkpoint
 * key's SPKI); `anchorFile` is an append-only JSONL copy of every checkpoint, in a directory
 * other than the data directory (ideally on another host or `chattr +a`).
 */
export const auditConfigSchema = z
  .object({
    checkpointEvery: z.number().int().positive().max(1_000_000).default(DEFAULT_CHECKPOINT_EVERY),
    checkpointKeyFingerprint: z
      .string()
      .regex(/^[0-9A-Fa-f]{64}$/, 'expected the 64 hex characters `keywarden init` printed')
      .transform((v) => v.toLowerCase())
      .optional(),
    anchorFile: z.string().min(1).max(4096).optional(),
  })
  .strict();

export type AuditConfig = z.infer<typeof auditConfigSchema>;
