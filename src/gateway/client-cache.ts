/**
 * The gateway's view of client state: loaded from the store once, kept in memory, and reloaded
 * whenever `clients_version` changes. The version is read on every request (one prepared
 * SQLite statement, microseconds), so a `client revoke|freeze` or a lockdown from another
 * process takes effect on the very next request; in this process the change also bumps the
 * counter. A request that saw a newer version waits for a load of that version (never for an
 * older load still running), which is what makes "nothing accepted after lockdown returns" hold.
 */
import type { ClientRecord, LiveCredential, LoadedClient } from '../clients/index.js';
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
  /** Synchronous where the version is at hand (SQLite's prepared read, a PostgreSQL watch); a read otherwise. */
  version(): number | Promise<number>;
  /** Verifiers cannot be decrypted while sealed: serve an empty view then. */
  isSealed(): boolean;
}): ClientCache {
  let lookup: ClientLookup = EMPTY;
  let loadedVersion = -1;
  let loading: Promise<ClientLookup> | undefined;
  let loadingVersion = -1;

  const noop = () => undefined;
  const settle = (p: Promise<ClientLookup>) => {
    if (loading === p) {
      loading = undefined;
      loadingVersion = -1;
    }
  };

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
      const read = source.version();
      if (typeof read !== 'number') return read.then(at);
      return at(read);
    },
    invalidate() {
      loadedVersion = -1;
    },
  };

  function at(v: number): Promise<ClientLookup> {
    if (v === loadedVersion) return Promise.resolve(lookup);
    if (loading && loadingVersion === v) return loading;
    // A load started for an older version may have read the state before this change (a
    // freeze, a lockdown): never answer a request that saw the new version from it. Chain a
    // fresh load after it instead, so loads finish in version order.
    const previous = loading;
    const next = previous ? previous.then(noop, noop).then(() => reload(v)) : reload(v);
    loading = next;
    loadingVersion = v;
    next.then(
      () => settle(next),
      () => settle(next),
    );
    return next;
  }
}
