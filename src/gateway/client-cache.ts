/**
 * The gateway's view of client state: loaded from the store once, kept in memory, and reloaded
 * whenever `clients_version` changes. The version is read on every request (one prepared
 * SQLite statement, microseconds), so a `client revoke|freeze` from another process takes
 * effect on the very next request; in this process the change also bumps the counter.
 */
import type { ClientRecord, LiveCredential, LoadedClient } from '../lifecycle/clients-types.js';
import { createAllowList, type IpAllowList } from './ip.js';

export interface CachedClient {
  record: ClientRecord;
  ipAllow: IpAllowList;
}

export interface CredentialHit {
  client: CachedClient;
  credential: LiveCredential;
}

export interface ClientLookup {
  byApiKey(apiKeyId: string): CredentialHit | undefined;
  byTokenHash(hash: string): CredentialHit | undefined;
  isRevokedKey(apiKeyId: string): boolean;
  isRevokedToken(hash: string): boolean;
}

export interface ClientCache {
  /** Current state, reloading first if the store's version moved (or after `invalidate`). */
  current(): Promise<ClientLookup>;
  invalidate(): void;
}

const EMPTY: ClientLookup = {
  byApiKey: () => undefined,
  byTokenHash: () => undefined,
  isRevokedKey: () => false,
  isRevokedToken: () => false,
};

export function buildLookup(loaded: LoadedClient[]): ClientLookup {
  const apiKeys = new Map<string, CredentialHit>();
  const tokens = new Map<string, CredentialHit>();
  const revoked = new Set<string>();
  const revokedTokens = new Set<string>();
  for (const l of loaded) {
    const client: CachedClient = { record: l.record, ipAllow: createAllowList(l.record.ipAllow) };
    for (const credential of l.credentials) {
      apiKeys.set(credential.apiKeyId, { client, credential });
      tokens.set(credential.tokenHash, { client, credential });
    }
    for (const r of l.revoked) {
      revoked.add(r.apiKeyId);
      revokedTokens.add(r.tokenHash);
    }
  }
  return {
    byApiKey: (id) => apiKeys.get(id),
    byTokenHash: (h) => tokens.get(h),
    isRevokedKey: (id) => revoked.has(id),
    isRevokedToken: (h) => revokedTokens.has(h),
  };
}

export function createClientCache(source: {
  loadAll(): Promise<LoadedClient[]>;
  version(): number;
  /** Verifiers cannot be decrypted while sealed: serve an empty view then. */
  isSealed(): boolean;
}): ClientCache {
  let lookup: ClientLookup = EMPTY;
  let loadedVersion = -1;
  let loading: Promise<ClientLookup> | undefined;

  async function reload(version: number): Promise<ClientLookup> {
    const loaded = await source.loadAll();
    lookup = buildLookup(loaded);
    loadedVersion = version;
    return lookup;
  }

  return {
    current() {
      if (source.isSealed()) {
        lookup = EMPTY;
        loadedVersion = -1;
        return Promise.resolve(EMPTY);
      }
      const v = source.version();
      if (v === loadedVersion) return Promise.resolve(lookup);
      if (!loading)
        loading = reload(v).finally(() => {
          loading = undefined;
        });
      return loading;
    },
    invalidate() {
      loadedVersion = -1;
    },
  };
}
