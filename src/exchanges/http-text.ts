/**
 * Small helpers over raw HTTP text shared by the exchange adapters: header lookup without
 * caring about case, and removal of form parameters without re-encoding the rest (the bytes
 * a client signed must stay the bytes keywarden checks).
 */

/** True when text has whitespace or an ASCII control character (never valid in a key or HMAC secret). */
export function hasSpaceOrControl(text: string): boolean {
  for (let i = 0; i < text.length; i++)
    if (text.charCodeAt(i) <= 0x20 || text.charCodeAt(i) === 0x7f) return true;
  return /\s/.test(text);
}

export function headerValue(headers: Record<string, string>, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

export function withoutHeaders(
  headers: Record<string, string>,
  names: readonly string[],
): Record<string, string> {
  const drop = names.map((n) => n.toLowerCase());
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !drop.includes(k.toLowerCase())));
}

/** The decoded name of one `name=value` segment (raw text when it cannot be decoded). */
export function decodedName(segment: string): string {
  const eq = segment.indexOf('=');
  const raw = eq === -1 ? segment : segment.slice(0, eq);
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}

/** Drop parameters from raw form text without re-encoding the rest (the bytes stay as the client sent them). */
export function dropRawParams(raw: string, names: readonly string[]): string {
  if (raw === '') return raw;
  return raw
    .split('&')
    .filter((s) => s !== '' && !names.includes(decodedName(s)))
    .join('&');
}
