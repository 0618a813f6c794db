/**
 * The gateway's view of exchange keys: key records (cached for a second, and dropped at once
 * when the client state reloads, which a `key rotate` causes), decrypted credentials per key
 * version (dropped on seal), and the nonce sequence each key signs with (Kraken).
 */
import type { Clock, LeasingNonceSource, NonceLease } from '../core/index.js';
import type { Credential, NonceSource } from '../exchanges/index.js';
import { createNonceSource } from '../exchanges/index.js';
import type { KeyRecord, KeyRegistry } from '../keys/index.js';

const KEY_TTL_MS = 1_000;

export interface KeyCache {
  record(keyId: string): Promise<KeyRecord | undefined>;
  /** The cached record, without a store read (for the report). */
  peek(keyId: string): KeyRecord | undefined;
  credential(key: KeyRecord): Promise<Credential>;
  nonce(keyId: string): NonceSource;
  /** A leased draw when the key's sequence is shared by several processes (PostgreSQL); else undefined. */
  leaseNonce(keyId: string): Promise<NonceLease> | undefined;
  /** Drop the cached records when the client state behind `view` is not the one they were read under. */
  follow(view: unknown): void;
  /** Drop decrypted credentials (the vault sealed). */
  forgetCredentials(): void;
  clear(): void;
}

export function createKeyCache(
  keys: Pick<KeyRegistry, 'get' | 'credential'>,
  clock: Clock,
  nonces?: (keyId: string) => NonceSource,
): KeyCache {
  const records = new Map<string, { record: KeyRecord; at: number }>();
  const credentials = new Map<string, Credential>();
  const sequences = new Map<string, NonceSource>();
  let followed: unknown;
  return {
    async record(keyId) {
      const t = clock.now();
      const hit = records.get(keyId);
      if (hit && t - hit.at < KEY_TTL_MS) return hit.record;
      const record = await keys.get(keyId);
      if (record) records.set(keyId, { record, at: t });
      else records.delete(keyId);
      return record;
    },
    peek: (keyId) => records.get(keyId)?.record,
    async credential(key) {
      const cacheKey = `${key.id}:${key.version}`;
      const hit = credentials.get(cacheKey);
      if (hit) return hit;
      const c = await keys.credential(key.id, key.version);
      for (const k of credentials.keys()) if (k.startsWith(`${key.id}:`)) credentials.delete(k);
      credentials.set(cacheKey, c);
      return c;
    },
    nonce(keyId) {
      if (nonces) return nonces(keyId);
      let n = sequences.get(keyId);
      if (!n) {
        n = createNonceSource(() => clock.now());
        sequences.set(keyId, n);
      }
      return n;
    },
    leaseNonce(keyId) {
      return (this.nonce(keyId) as Partial<LeasingNonceSource>).lease?.();
    },
    follow(view) {
      if (view === followed) return;
      records.clear();
      followed = view;
    },
    forgetCredentials: () => credentials.clear(),
    clear() {
      credentials.clear();
      records.clear();
    },
  };
}
