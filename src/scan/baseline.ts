import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { KeywardenError } from '../core/index.js';
import type { Finding } from './scan-types.js';

/**
 * A baseline lists accepted findings by fingerprint only (a keyed hash of the secret), so an
 * entry survives the line moving or the file being renamed, and the file itself leaks nothing.
 */
const baselineSchema = z.object({
  version: z.literal(1),
  /** Optional per-repository fingerprint key; when present findings are fingerprinted with it. */
  salt: z.string().min(16).max(200).optional(),
  findings: z
    .array(
      z.object({
        fingerprint: z.string().regex(/^[0-9a-f]{32}$/),
        ruleId: z.string().max(100),
        file: z.string().max(4096).optional(),
      }),
    )
    .max(100_000),
});

export type Baseline = z.infer<typeof baselineSchema>;

export function readBaseline(path: string): Baseline {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new KeywardenError('invalid_input', `cannot read baseline ${path}`);
  }
  const parsed = baselineSchema.safeParse(raw);
  if (!parsed.success)
    throw new KeywardenError('invalid_input', `baseline ${path} is not a keywarden baseline`);
  return parsed.data;
}

export function buildBaseline(findings: readonly Finding[], salt?: string): Baseline {
  const seen = new Set<string>();
  const entries: Baseline['findings'] = [];
  for (const f of findings) {
    if (seen.has(f.fingerprint)) continue;
    seen.add(f.fingerprint);
    entries.push({ fingerprint: f.fingerprint, ruleId: f.ruleId, file: f.file });
  }
  return { version: 1, ...(salt ? { salt } : {}), findings: entries };
}

export function writeBaseline(path: string, baseline: Baseline): void {
  writeFileSync(path, `${JSON.stringify(baseline, null, 2)}\n`);
}

export function filterBaseline(findings: readonly Finding[], baseline: Baseline): Finding[] {
  const known = new Set(baseline.findings.map((f) => f.fingerprint));
  return findings.filter((f) => !known.has(f.fingerprint));
}
