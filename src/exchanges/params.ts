/**
 * Strict parsing of `application/x-www-form-urlencoded` text (query strings and form bodies).
 * A parameter name that appears twice is rejected: otherwise a client could have one value
 * checked by policy and another signed and forwarded (parameter pollution).
 */

export type Params = Array<[string, string]>;

export type ParamsResult = { ok: true; params: Params } | { ok: false; message: string };

export function parseParams(raw: string): ParamsResult {
  const params: Params = [];
  if (raw === '') return { ok: true, params };
  const seen = new Set<string>();
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawName = eq === -1 ? part : part.slice(0, eq);
    const rawValue = eq === -1 ? '' : part.slice(eq + 1);
    let name: string;
    let value: string;
    try {
      name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      value = decodeURIComponent(rawValue.replace(/\+/g, ' '));
    } catch {
      return { ok: false, message: `malformed percent-encoding in parameter "${rawName.slice(0, 40)}"` };
    }
    if (seen.has(name)) return { ok: false, message: `duplicated parameter "${name.slice(0, 40)}"` };
    seen.add(name);
    params.push([name, value]);
  }
  return { ok: true, params };
}

/** Encode like the exchanges and CCXT's `urlencode`: RFC 3986 percent-encoding, space as %20. */
export function encodeParams(params: Params): string {
  return params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

export function getParam(params: Params, name: string): string | undefined {
  return params.find(([k]) => k === name)?.[1];
}

/** Parse a finite decimal number from a string, or undefined. */
export function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}
