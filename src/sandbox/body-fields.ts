/**
 * The body fields of the JSON-API emulators (OKX, Bybit, Bitget, KuCoin): numbers as those
 * exchanges write and read them (decimal strings, never exponents), and the field lists an
 * endpoint reads, any other field being refused rather than ignored.
 */

/** Up to 10 decimals, never exponent notation. */
export function decimal(n: number): string {
  if (!Number.isFinite(n)) return '0';
  return n.toFixed(10).replace(/\.?0+$/, '') || '0';
}

/** A positive decimal the exchange would read from `o[field]` (a plain decimal string or a JSON number). */
export function positive(o: Record<string, unknown>, field: string): number | undefined {
  const v = o[field];
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+(\.\d+)?$/.test(v) ? Number(v) : NaN;
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** The fields an endpoint reads. */
export const fieldSet = (...names: string[]): ReadonlySet<string> => new Set(names);

/** The first field of `o` the endpoint does not read. */
export function unknownField(o: Record<string, unknown>, allowed: ReadonlySet<string>): string | undefined {
  return Object.keys(o).find((k) => !allowed.has(k));
}
