import type { KeyRecord } from '../keys/index.js';
import type { Finding } from './scan-types.js';

/**
 * Marks findings whose api-key id belongs to a key registered in keywarden's vault. The vault
 * stores only a keyed fingerprint of each api-key id, so the leaked id is fingerprinted the
 * same way and compared; the leaked id itself is never looked up or stored.
 */
export function linkRegisteredKeys(
  findings: readonly Finding[],
  fingerprint: (apiKeyId: string) => string,
  keys: ReadonlyArray<Pick<KeyRecord, 'label' | 'fingerprint' | 'exchange'>>,
): number {
  const byFingerprint = new Map(keys.map((k) => [k.fingerprint, k]));
  let linked = 0;
  for (const finding of findings) {
    for (const part of finding.parts) {
      if (part.part !== 'apiKey') continue;
      const key = byFingerprint.get(fingerprint(part.value));
      if (!key) continue;
      finding.registeredKey = key.label;
      finding.lockdownCommand = `keywarden lockdown --key ${key.label}`;
      linked++;
      break;
    }
  }
  return linked;
}
