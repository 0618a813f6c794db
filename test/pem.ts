/**
 * PEM material for tests, made at run time: no private-key block is committed outside
 * test/fixtures/ (the leak scanner and reviewers would rightly flag it).
 */
import { generateKeyPairSync } from 'node:crypto';

export type PemKind = 'ec-sec1' | 'pkcs8';

/** A freshly generated private key: SEC1 EC P-256 (Coinbase CDP shape) or PKCS#8 Ed25519. */
export function generatedPem(kind: PemKind): string {
  if (kind === 'ec-sec1')
    return generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      .privateKey.export({ type: 'sec1', format: 'pem' })
      .toString();
  return generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** The `-----BEGIN …-----` line of that kind of key. */
export function pemHeader(kind: PemKind): string {
  return generatedPem(kind).split('\n')[0] as string;
}

/** A PEM with the right armour and a body that is not a key (for "malformed PEM" errors). */
export function malformedPem(kind: PemKind, body = 'xx'): string {
  const lines = generatedPem(kind).trim().split('\n');
  return [lines[0], body, lines[lines.length - 1]].join('\n');
}
