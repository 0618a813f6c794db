import { createHmac } from 'node:crypto';
import type { MatchGroup } from './engine.js';
import { normaliseSecret } from './engine.js';
import { redact } from './entropy.js';
import { describeRule } from './rules/index.js';
import type { Finding } from './scan-types.js';

/**
 * Domain-separation key for finding fingerprints. Fixed and public on purpose: a fingerprint
 * must be the same on every machine so baselines can be shared, and keying it keeps the value
 * from being a plain hash that someone could match against a list of leaked secrets elsewhere.
 * A baseline may carry its own `salt`, which replaces this key for that baseline's repository.
 */
export const FINGERPRINT_KEY = 'keywarden/scan/fingerprint/v1';

/** HMAC-SHA256 over the secret parts (never their location), hex, 32 chars. */
export function fingerprintParts(values: readonly string[], key: string = FINGERPRINT_KEY): string {
  return createHmac('sha256', key).update(values.join('\u0000')).digest('hex').slice(0, 32);
}

export interface FindingContext {
  file: string;
  commit?: string;
  author?: string;
  date?: string;
  fingerprintKey?: string;
}

export function toFinding(group: MatchGroup, ctx: FindingContext): Finding {
  const values = group.parts.map(normaliseSecret);
  const main = group.parts[0];
  return {
    ruleId: group.ruleId,
    description: group.description ?? describeRule(group.ruleId),
    file: ctx.file,
    line: group.line,
    column: group.column,
    endLine: group.endLine,
    confidence: group.confidence,
    fingerprint: fingerprintParts(values, ctx.fingerprintKey),
    redacted: main ? redact(normaliseSecret(main)) : '****',
    ...(group.family ? { family: group.family } : {}),
    ...(ctx.commit ? { commit: ctx.commit } : {}),
    ...(ctx.author ? { author: ctx.author } : {}),
    ...(ctx.date ? { date: ctx.date } : {}),
    parts: group.parts.map((p, i) => ({ part: p.part ?? 'token', value: values[i] ?? p.secret })),
  };
}
