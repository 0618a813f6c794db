/** Shannon entropy in bits per character: random keys score high, words and repeated characters low. */
export function shannonEntropy(value: string): number {
  if (value.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** Redacted preview: first and last 4 characters only (never more than half the value). */
export function redact(value: string): string {
  const flat = value.replace(/\s+/g, '');
  if (flat.length < 12) return '****';
  return `${flat.slice(0, 4)}…${flat.slice(-4)}`;
}
