import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ClientService, createClientService, createVersionReader } from '../../src/clients/index.js';
import { adapterFor } from '../../src/exchanges/index.js';
import { collectPostureData } from '../../src/posture/index.js';
import { openStore, type Store } from '../../src/store/db.js';
import { fakeAudit, fakeKeys, fakeVault } from '../gateway/fakes.js';
import { check, DAY, memoryKeyCheckStore } from './posture-fixtures.js';

let store: Store;
let clients: ClientService;
let keys: ReturnType<typeof fakeKeys>;
let clock = 0;
const policy = { mode: 'enforce' as const, actions: ['public' as const, 'read' as const] };

beforeEach(async () => {
  store = await openStore(mkdtempSync(join(tmpdir(), 'kw-posture-in-')));
  keys = fakeKeys();
  keys.put('bn', 'binance', { apiKey: 'A'.repeat(64), secret: 'S'.repeat(64) }, 'prod');
  clock = Date.UTC(2025, 0, 1);
  clients = createClientService({
    db: store.db,
    readVersion: createVersionReader(store.sqlite),
    vault: fakeVault(),
    keys,
    audit: fakeAudit(),
    adapterFor,
    now: () => clock,
  });
});
afterEach(() => store.close());

describe('posture inputs from the store', () => {
  it('dates each client credential by its newest active issue (a re-roll resets the age)', async () => {
    const a = await clients.add({ name: 'a', key: 'bn', policy });
    const b = await clients.add({ name: 'b', key: 'bn', policy });
    clock += 100 * DAY;
    await clients.reroll('a');
    const checks = memoryKeyCheckStore();
    const [k] = await keys.list();
    if (k) await checks.record(check(k));
    const data = await collectPostureData({ keys, clients, checks, db: store.db });
    expect(data.credentialIssuedAt?.get(a.client.id)).toBe(clock);
    expect(data.credentialIssuedAt?.get(b.client.id)).toBe(clock - 100 * DAY);
    expect(data.clients.map((c) => c.name)).toEqual(['a', 'b']);
    expect(data.keys.map((x) => x.label)).toEqual(['bn']);
    expect([...data.checks.keys()]).toEqual([k?.id]);
  });

  it('has no credential date for a revoked client', async () => {
    const a = await clients.add({ name: 'a', key: 'bn', policy });
    await clients.revoke('a');
    const data = await collectPostureData({ keys, clients, checks: memoryKeyCheckStore(), db: store.db });
    expect(data.credentialIssuedAt?.has(a.client.id)).toBe(false);
  });
});
