/**
 * What lockdown relies on in the gateway's client cache: a request that reads a newer
 * `clients_version` never gets the client state of an older one. Regression: a request
 * arriving while a reload for an older version was still running used to join that reload
 * and be authenticated against the pre-freeze state.
 */
import { describe, expect, it } from 'vitest';
import type { LoadedClient } from '../../src/clients/index.js';
import { createClientCache } from '../../src/gateway/client-cache.js';

function client(status: 'active' | 'frozen'): LoadedClient {
  return {
    record: {
      id: 'cl_1',
      name: 'bot',
      exchange: 'binance',
      keyId: 'key_1',
      environment: 'prod',
      status,
      policy: { mode: 'enforce', actions: ['read'] },
      ipAllow: [],
      createdAt: 0,
      updatedAt: 0,
      version: 1,
      apiKeyIds: ['kw_a'],
    },
    credentials: [{ apiKeyId: 'kw_a', verifier: { apiKey: 'kw_a', secret: 's' }, tokenHash: 'h' }],
    revoked: [],
  };
}

/** A store whose loads finish only when the test says so, reading the state at load start. */
function slowStore() {
  let version = 1;
  let status: 'active' | 'frozen' = 'active';
  const pending: Array<() => void> = [];
  return {
    source: {
      version: () => version,
      isSealed: () => false,
      loadAll: () => {
        const snapshot = status;
        return new Promise<LoadedClient[]>((resolve) => pending.push(() => resolve([client(snapshot)])));
      },
    },
    freeze() {
      status = 'frozen';
      version++;
    },
    finishAll() {
      while (pending.length > 0) pending.shift()?.();
    },
  };
}

describe('client cache freshness under a concurrent freeze', () => {
  it('a request that sees the new version is not answered from a reload of the old one', async () => {
    const store = slowStore();
    const cache = createClientCache(store.source);
    // A reload of version 1 (client active) is in progress …
    const before = cache.current();
    // … when the freeze commits and a new request arrives.
    store.freeze();
    const after = cache.current();
    // Let every load run (the first finishes first, then any started for version 2).
    for (let i = 0; i < 5; i++) {
      store.finishAll();
      await new Promise((r) => setImmediate(r));
    }
    expect((await before).byApiKey('kw_a')?.client.record.status).toBe('active');
    expect((await after).byApiKey('kw_a')?.client.record.status).toBe('frozen');
    // And the cache now serves the frozen state without another load.
    expect((await cache.current()).byApiKey('kw_a')?.client.record.status).toBe('frozen');
  });

  it('requests of the same version share one load (positive control)', async () => {
    const store = slowStore();
    let loads = 0;
    const cache = createClientCache({
      ...store.source,
      loadAll: () => {
        loads++;
        return store.source.loadAll();
      },
    });
    const a = cache.current();
    const b = cache.current();
    store.finishAll();
    await Promise.all([a, b]);
    expect(loads).toBe(1);
  });
});
