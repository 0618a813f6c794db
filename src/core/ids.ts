import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKLMNPQRSTVWXYZabcdefghijkmnopqrstuvwxyz';

/** Random id of `length` characters from an unambiguous base-58-like alphabet (rejection sampling, no modulo bias). */
export function randomToken(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < ALPHABET.length * 4) out += ALPHABET[byte % ALPHABET.length];
      if (out.length === length) break;
    }
  }
  return out;
}

/** Typed, prefixed random id such as `req_…`, `kw_…`. */
export function prefixedId(prefix: string, length = 24): string {
  return `${prefix}_${randomToken(length)}`;
}
