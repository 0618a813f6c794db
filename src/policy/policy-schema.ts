import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ACTIONS, type Action, KeywardenError } from '../core/index.js';
import type { Policy } from './policy-types.js';

export const DEFAULT_ACTIONS: Action[] = ['public', 'read', 'trade', 'cancel'];

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const symbolPattern = z
  .string()
  .min(1)
  .max(64)
  .regex(
    /^[A-Za-z0-9*]+\/[A-Za-z0-9*]+(:[A-Za-z0-9*-]+)?$/,
    'expected BASE/QUOTE (or BASE/QUOTE:SETTLE for a derivative) with optional * globs',
  );
const positive = z.number().finite().positive();

/** Strict: an unknown key anywhere is an error naming its path (a typo must never silently widen a policy). */
export const policySchema = z.strictObject({
  mode: z.enum(['enforce', 'monitor']).default('enforce'),
  actions: z
    .array(z.enum(ACTIONS))
    .max(ACTIONS.length)
    .default(() => [...DEFAULT_ACTIONS]),
  symbols: z
    .strictObject({
      allow: z.array(symbolPattern).max(1000).optional(),
      deny: z.array(symbolPattern).max(1000).optional(),
    })
    .optional(),
  markets: z
    .array(z.enum(['spot', 'swap', 'future', 'option']))
    .min(1)
    .max(4)
    .default(() => ['spot' as const]),
  maxLeverage: positive.max(1000).optional(),
  maxOrderNotional: positive.optional(),
  maxDailyNotional: positive.optional(),
  maxOrdersPerMinute: z.number().int().positive().optional(),
  priceBandPercent: positive.max(1000).optional(),
  tradingHours: z
    .strictObject({
      start: z.string().regex(HHMM, 'expected HH:MM (UTC)'),
      end: z.string().regex(HHMM, 'expected HH:MM (UTC)'),
      days: z.array(z.number().int().min(0).max(6)).min(1).max(7).optional(),
    })
    .optional(),
  withdrawals: z
    .strictObject({
      addresses: z.array(z.string().min(1).max(256)).max(1000),
      dailyCap: z.record(z.string().min(1).max(32), z.number().finite().nonnegative()).optional(),
      approval: z.boolean().optional(),
    })
    .optional(),
});

function describeIssue(issue: z.core.$ZodIssue): string {
  const base = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const key = [...base, issue.keys[0] ?? ''].join('.');
    return `unknown key "${key}"`;
  }
  const path = base.length > 0 ? base.join('.') : '(root)';
  return `${path}: ${issue.message}`;
}

/** Validate an already-parsed value as a policy; throws invalid_config with one line naming the key path. */
export function validatePolicy(value: unknown): Policy {
  const result = policySchema.safeParse(value ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new KeywardenError(
      'invalid_config',
      `invalid policy: ${issue ? describeIssue(issue) : 'rejected'}`,
    );
  }
  const p = result.data;
  const policy: Policy = { mode: p.mode, actions: [...new Set(p.actions)], markets: [...new Set(p.markets)] };
  if (p.maxLeverage !== undefined) policy.maxLeverage = p.maxLeverage;
  if (p.symbols) policy.symbols = p.symbols;
  if (p.maxOrderNotional !== undefined) policy.maxOrderNotional = p.maxOrderNotional;
  if (p.maxDailyNotional !== undefined) policy.maxDailyNotional = p.maxDailyNotional;
  if (p.maxOrdersPerMinute !== undefined) policy.maxOrdersPerMinute = p.maxOrdersPerMinute;
  if (p.priceBandPercent !== undefined) policy.priceBandPercent = p.priceBandPercent;
  if (p.tradingHours) policy.tradingHours = p.tradingHours;
  if (p.withdrawals) policy.withdrawals = p.withdrawals;
  return policy;
}

/** Parse policy text (YAML, of which JSON is a subset) and validate it. */
export function parsePolicy(text: string): Policy {
  let value: unknown;
  try {
    value = parseYaml(text, { uniqueKeys: true });
  } catch (err) {
    const line = err instanceof Error ? (err.message.split('\n')[0] ?? '') : '';
    throw new KeywardenError('invalid_config', `invalid policy: not valid YAML/JSON (${line})`);
  }
  return validatePolicy(value);
}
