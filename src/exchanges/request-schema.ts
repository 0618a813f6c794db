/**
 * Strict per-endpoint request schemas: "forward only what was understood". Each adapter
 * declares, per classified endpoint and order type, the exact fields it accepts (a zod
 * `strictObject`), so a field keywarden did not read is a refusal, never something the
 * exchange may execute. Values stay the strings that were sent (the forwarded bytes are the
 * parsed bytes); `decimal` only proves each one is a plain finite decimal within bounds.
 */
import { z } from 'zod';
import type { Params } from './params.js';

/** Largest size or price keywarden evaluates; anything above is refused (no Infinity, no 1e300). */
export const MAX_DECIMAL = 1e15;

const DECIMAL = /^(?:0|[1-9]\d{0,15})(?:\.\d{1,18})?$/;

/** A plain non-negative decimal string (`0.5`, `60000`): no sign, exponent, `+`/`#`/`%` or spaces. */
export const decimal = z
  .string()
  .max(40)
  .regex(DECIMAL, 'expected a plain decimal number')
  .refine((s) => Number(s) <= MAX_DECIMAL, 'number out of bounds');

/** A decimal that may also be a JSON number (OKX, Bybit and Coinbase clients send both). */
export const decimalOrNumber = z.union([
  decimal,
  z
    .number()
    .finite()
    .nonnegative()
    .max(MAX_DECIMAL)
    .transform((n) => String(n)),
]);

/** A short identifier-like text: symbols, ids, enums not worth listing (bounded, printable). */
export const text = z
  .string()
  .max(128)
  .regex(/^[\x21-\x7e]*$/, 'expected printable text without spaces');

/** A withdrawal's destination address (or account): printable, no spaces, as every exchange writes one. */
export const withdrawalAddress = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[\x21-\x7e]+$/, 'expected an address without spaces');

export type SchemaResult<T> = { ok: true; value: T } | { ok: false; message: string };

/** Validate `value` against `schema`; the message names the first offending field. */
export function checkSchema<T>(schema: z.ZodType<T>, value: unknown, what: string): SchemaResult<T> {
  const r = schema.safeParse(value);
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, message: `${what}: ${describe(r.error.issues[0])}` };
}

function describe(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return 'rejected';
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const key = [path, issue.keys[0] ?? ''].filter((p) => p !== '').join('.');
    return `field "${key.slice(0, 60)}" is not accepted here`;
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) return `field "${path}" is required`;
  return path === '' ? issue.message : `field "${path.slice(0, 60)}": ${issue.message}`;
}

/** Form parameters as an object for a schema (duplicates were already refused by parseParams). */
export function paramsObject(params: Params): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of params) out[k] = v;
  return out;
}

/** The number a `decimal`-checked string stands for. */
export function num(value: string | undefined): number | undefined {
  return value === undefined ? undefined : Number(value);
}
