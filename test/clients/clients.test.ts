import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAuditLog, createCheckpointKey, createSigner, queryAudit } from '../../src/audit/index.js';
import {
  type ClientService,
  createClientService,
  createVersionReader,
  hashToken,
} from '../../src/clients/index.js';
import { adapterFor } from '../../src/exchanges/index.js';
import { openStore, type Store } from '../../src/store/db.js';
import { fakeKeys, fakeVault } from '../gateway/fakes.js';

let store: Store;
let clients: ClientService;
let vault: ReturnType<typeof fakeVault>;
const policy = { mode: 'enforce' as const, actions: ['public' as const, 'read' as const] };

beforeEach(async () => {
  store = await openStore(mkdtempSync(join(tmpdir(), 'kw-clients-')));
  vault = fakeVault();
  const keys = fakeKeys();
  keys.put('bn', 'binance', { apiKey: 'A'.repeat(64), secret: 'S'.repeat(64) }, 'prod');
  keys.put('cb', 'coinbase', { apiKey: 'organizations/o/apiKeys/k', secret: 'pem' }, 'test');
  keys.put('ok', 'okx', { apiKey: 'okkey', secret: 'oksecret', password: 'okpass' }, 'prod');
  const audit = createAuditLog(store.sqlite, {
    hmac: (v) => vault.auditHmac(v),
    signer: createSigner(createCheckpointKey().privateKeyPem),
  });
  clients = createClientService({
    db: store.db,
    readVersion: createVersionReader(store.sqlite),
    vault,
    keys,
    audit,
    adapterFor,
  });
});
afterEach(() => store.close());

const dbText = () =>
  ['keywarden.db', 'keywarden.db-wal']
    .map((f) => {
      try {
        return readFileSync(join(store.dataDir, f)).toString('latin1');
      } catch {
        return '';
      }
    })
    .join('');

describe('client credentials', () => {
  it('issues an exchange-shaped credential and a token, storing neither in clear', async () => {
    const v0 = clients.version();
    const issued = await clients.add({ name: 'bot', key: 'bn', policy });
    expect(issued.credential.apiKey).toMatch(/^kw_/);
    expect(issued.token).toMatch(/^kw_/);
    expect(issued.client).toMatchObject({
      name: 'bot',
      exchange: 'binance',
      environment: 'prod',
      status: 'active',
    });
    expect(clients.version()).toBe(v0 + 1);
    const text = dbText();
    expect(text).not.toContain(issued.credential.secret);
    expect(text).not.toContain(issued.token);
    expect(text).toContain(hashToken(issued.token));
    const [loaded] = await clients.loadAll();
    expect(loaded?.credentials[0]?.verifier.secret).toBe(issued.credential.secret);
  });

  it('OKX carries a passphrase; Coinbase keeps only the public half of the EC key', async () => {
    const okx = await clients.add({ name: 'okbot', key: 'ok', policy });
    expect(okx.credential.password).toBeTruthy();
    const cb = await clients.add({ name: 'cbbot', key: 'cb', policy, environment: 'test' });
    expect(cb.credential.secret).toMatch(/BEGIN (EC )?PRIVATE KEY/);
    const loaded = (await clients.loadAll()).find((l) => l.record.name === 'cbbot');
    expect(loaded?.credentials[0]?.verifier.secret).toMatch(/BEGIN PUBLIC KEY/);
    expect(dbText()).not.toContain(cb.credential.secret.split('\n')[1] ?? 'x');
  });

  it('freeze, unfreeze, revoke change state and bump the version; each is audited', async () => {
    const { client } = await clients.add({ name: 'bot', key: 'bn', policy });
    const v = clients.version();
    expect((await clients.freeze('bot')).status).toBe('frozen');
    expect((await clients.unfreeze(client.id)).status).toBe('active');
    expect((await clients.revoke('bot')).status).toBe('revoked');
    expect(clients.version()).toBe(v + 3);
    await expect(clients.unfreeze('bot')).rejects.toThrow(/revoked/);
    const loaded = (await clients.loadAll())[0];
    expect(loaded?.credentials).toEqual([]);
    expect(loaded?.revoked).toHaveLength(1);
    const actions = queryAudit(store.sqlite, { kind: 'admin' }).map((r) => r.action);
    expect(actions).toEqual(['client.add', 'client.freeze', 'client.unfreeze', 'client.revoke']);
    // Client key ids appear in the audit log only as HMACs.
    const records = JSON.stringify(queryAudit(store.sqlite));
    expect(records).not.toContain(client.apiKeyIds[0]);
  });

  it('reroll keeps the old credential for the grace period only', async () => {
    const first = await clients.add({ name: 'bot', key: 'bn', policy });
    const second = await clients.reroll('bot', 60_000);
    expect(second.credential.apiKey).not.toBe(first.credential.apiKey);
    const live = (await clients.loadAll())[0]?.credentials ?? [];
    expect(live.map((c) => c.apiKeyId).sort()).toEqual(
      [first.credential.apiKey, second.credential.apiKey].sort(),
    );
    expect(live.find((c) => c.apiKeyId === first.credential.apiKey)?.notAfter).toBeGreaterThan(Date.now());
    const third = await clients.reroll('bot');
    const after = (await clients.loadAll())[0];
    // No grace: the active credential is revoked at once; the first is still in its own grace period.
    expect(after?.credentials.map((c) => c.apiKeyId).sort()).toEqual(
      [first.credential.apiKey, third.credential.apiKey].sort(),
    );
    expect(after?.revoked.map((r) => r.apiKeyId)).toContain(second.credential.apiKey);
  });

  it('refuses bad names, duplicates, unknown keys and a sealed vault', async () => {
    await expect(clients.add({ name: 'bad name!', key: 'bn', policy })).rejects.toThrow(/client name/);
    await clients.add({ name: 'bot', key: 'bn', policy });
    await expect(clients.add({ name: 'bot', key: 'bn', policy })).rejects.toThrow(/already exists/);
    await expect(clients.add({ name: 'bot2', key: 'nope', policy })).rejects.toThrow(/no exchange key/);
    vault.seal();
    await expect(clients.add({ name: 'bot3', key: 'bn', policy })).rejects.toThrow(/sealed/);
    expect(await clients.get('missing')).toBeUndefined();
    expect((await clients.list()).map((c) => c.name)).toEqual(['bot']);
  });

  it('set-ip and set-policy persist, bump the client and the counter, and are audited', async () => {
    const { client } = await clients.add({ name: 'bot', key: 'bn', policy });
    const v = clients.version();
    const pinned = await clients.setIpAllow('bot', ['10.0.0.5', 'fd00::/8', '10.0.0.5']);
    expect(pinned.ipAllow).toEqual(['10.0.0.5', 'fd00::/8']);
    expect(pinned.version).toBe(client.version + 1);
    const strict = {
      mode: 'enforce' as const,
      actions: ['public' as const, 'read' as const, 'cancel' as const],
      markets: ['spot' as const],
    };
    const changed = await clients.setPolicy(client.id, strict);
    expect(changed.policy).toEqual(strict);
    expect(changed.version).toBe(client.version + 2);
    expect(clients.version()).toBe(v + 2);
    // What the gateway reloads carries the new settings and the same credentials.
    const [loaded] = await clients.loadAll();
    expect(loaded?.record).toMatchObject({ ipAllow: ['10.0.0.5', 'fd00::/8'], policy: strict });
    expect(loaded?.credentials.map((c) => c.apiKeyId)).toEqual(client.apiKeyIds);
    const audited = queryAudit(store.sqlite, { kind: 'admin' }).filter((r) =>
      r.action?.startsWith('client.set'),
    );
    expect(audited.map((r) => r.action)).toEqual(['client.set_ip', 'client.set_policy']);
    expect(audited.map((r) => r.clientId)).toEqual([client.id, client.id]);
    expect(JSON.stringify(audited[0])).toContain('fd00::/8');
  });

  it('set-ip and set-policy refuse bad input, unknown and revoked clients, changing nothing', async () => {
    const { client } = await clients.add({ name: 'bot', key: 'bn', policy, ipAllow: ['10.0.0.5'] });
    const v = clients.version();
    await expect(clients.setIpAllow('bot', ['10.0.0.5', '10.0.0.300/8'])).rejects.toThrow(
      /"10\.0\.0\.300\/8" is not an IP address or CIDR block/,
    );
    await expect(clients.setIpAllow('bot', ['10.0.0.0/33'])).rejects.toThrow(/not an IP address or CIDR/);
    await expect(clients.setIpAllow('bot', [])).rejects.toThrow(/at least one/);
    const bad = { mode: 'enforce', actions: ['read', 'teleport'] } as unknown as typeof policy;
    await expect(clients.setPolicy('bot', bad)).rejects.toMatchObject({
      code: 'invalid_config',
      message: expect.stringMatching(/^invalid policy: actions/),
    });
    await expect(clients.setIpAllow('ghost', ['10.0.0.1'])).rejects.toThrow(/no client "ghost"/);
    expect(clients.version()).toBe(v);
    expect(await clients.get('bot')).toMatchObject({
      ipAllow: ['10.0.0.5'],
      policy,
      version: client.version,
    });
    await clients.revoke('bot');
    await expect(clients.setIpAllow('bot', ['10.0.0.1'])).rejects.toThrow(/revoked/);
    await expect(clients.setPolicy('bot', policy)).rejects.toThrow(/revoked/);
    const actions = queryAudit(store.sqlite, { kind: 'admin' }).map((r) => r.action);
    expect(actions).toEqual(['client.add', 'client.revoke']);
  });
});

describe('concurrent changes to one client', () => {
  it('each change bumps the client version once: two at the same time are not one lost update', async () => {
    await clients.add({ name: 'bot', key: 'bn', policy });
    const before = (await clients.get('bot'))?.version ?? Number.NaN;
    // Both read the client before either writes (the service awaits between read and write).
    await Promise.all([
      clients.setIpAllow('bot', ['10.0.0.1']),
      clients.setPolicy('bot', { ...policy, actions: ['public'] }),
      clients.freeze('bot'),
    ]);
    const after = await clients.get('bot');
    if (!after) throw new Error('client gone');
    expect(after.version).toBe(before + 3);
    expect(after.status).toBe('frozen');
    expect(after.ipAllow).toEqual(['10.0.0.1']);
    expect(after.policy.actions).toEqual(['public']);
  });
});

describe('third-party clients', () => {
  const vendor = {
    vendor: 'Koinly',
    purpose: 'tax' as const,
    contact: 'security@vendor.example',
    reviewBy: '2026-06-30',
    vendorIps: ['203.0.113.0/28', '203.0.113.0/28'],
  };

  it('stores the vendor, purpose, contact, review date and addresses, set at issue or later, and clears them', async () => {
    const issued = await clients.add({ name: 'koinly', key: 'bn', policy, thirdParty: vendor });
    const stored = { ...vendor, vendorIps: ['203.0.113.0/28'] };
    expect(issued.client.thirdParty).toEqual(stored);
    expect((await clients.get('koinly'))?.thirdParty).toEqual(stored);
    expect((await clients.list()).map((c) => c.thirdParty)).toEqual([stored]);

    const own = await clients.add({ name: 'bot', key: 'bn', policy });
    expect(own.client.thirdParty).toBeUndefined();
    const marked = await clients.setThirdParty('bot', {
      ...vendor,
      vendorIps: undefined,
      reviewBy: '2026-01-31',
    });
    expect(marked.thirdParty).toEqual({
      vendor: 'Koinly',
      purpose: 'tax',
      contact: vendor.contact,
      reviewBy: '2026-01-31',
    });
    expect((await clients.setThirdParty('bot', undefined)).thirdParty).toBeUndefined();
    const audited = queryAudit(store.sqlite, { kind: 'admin' }).filter(
      (r) => r.action === 'client.set_third_party',
    );
    expect(audited).toHaveLength(2);
  });

  it('refuses a bad purpose, date, address or an empty vendor, changing nothing', async () => {
    await clients.add({ name: 'koinly', key: 'bn', policy, thirdParty: vendor });
    for (const bad of [
      { ...vendor, purpose: 'everything' },
      { ...vendor, reviewBy: '2026-02-30' },
      { ...vendor, reviewBy: '2026-13-01' },
      { ...vendor, vendorIps: ['not-an-ip'] },
      { ...vendor, vendor: '' },
    ])
      await expect(clients.setThirdParty('koinly', bad as typeof vendor)).rejects.toMatchObject({
        code: 'invalid_input',
      });
    await expect(
      clients.add({ name: 'x', key: 'bn', policy, thirdParty: { ...vendor, contact: '' } }),
    ).rejects.toMatchObject({
      code: 'invalid_input',
    });
    expect((await clients.get('koinly'))?.thirdParty?.reviewBy).toBe('2026-06-30');
    expect(await clients.get('x')).toBeUndefined();
  });
});
