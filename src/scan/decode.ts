/**
 * Decoders for secrets hidden one encoding deep: JSON/JS string escapes (a PEM with `\n`),
 * percent-encoding (URLs, form bodies) and base64 (Kubernetes secrets, env dumps).
 */

const SIMPLE_ESCAPES: Record<string, string> = {
  n: '\n',
  r: '\r',
  t: '\t',
  '"': '"',
  "'": "'",
  '\\': '\\',
  '/': '/',
};

export function unescapeBackslashes(text: string): string {
  return text.replace(/\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)/g, (whole, esc: string) => {
    if (esc.length > 1) return String.fromCharCode(Number.parseInt(esc.slice(1), 16));
    return SIMPLE_ESCAPES[esc] ?? whole;
  });
}

export function percentDecode(text: string): string {
  return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

/** Decoded text of a base64 run when it is mostly printable text, else undefined (random key bytes stay opaque). */
export function decodeBase64Text(run: string): string | undefined {
  if (run.replace(/=+$/, '').length % 4 === 1) return undefined;
  // Identifiers and random keys fail on the first 12 bytes: decode those before the whole run.
  if (!printable(Buffer.from(run.slice(0, 16), 'base64'))) return undefined;
  const bytes = Buffer.from(run, 'base64');
  if (bytes.length < 12) return undefined;
  if (!printable(bytes)) return undefined;
  return bytes.toString('utf8');
}

function printable(bytes: Uint8Array): boolean {
  let count = 0;
  for (const b of bytes) if ((b >= 32 && b < 127) || b === 10 || b === 13 || b === 9) count++;
  return count >= bytes.length * 0.97;
}
