/**
 * Staged key rotation in process, against the sandbox: refusals leave the key untouched; a
 * successful rotation bumps the version, keeps the old envelope exactly for the grace period,
 * then destroys it; master-key rotation re-wraps the retiring envelope too. Rotation reminders
 * and the lifecycle schedule.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queryAudit } from '../../src/audit/index.js';
import type { ExchangeId } from '../../src/core/index.js';
import type { Credential } from '../../src/exchanges/adapter.js';
import type { KeyRecord } from '../../src/keys/index.js';
import { createKeyCheckStore } from '../../src/keys/index.js';
import type { MonitorEvent } from '../../src/monitor/index.js';
import {
  checkRotations,
  DEFAULT_ROTATION_POLICY,
  destroyExpiredCredentials,
  type LifecycleScheduleOptions,
  type RotationDeps,
  rotateKey,
  startLifecycleSchedule,
} from '../../src/rotation/index.js';
import { rotateMaster } from '../../src/vault/vault.js';
import { startWorld, type World } from '../world.js';

let w: World;
let events: MonitorEvent[];
beforeEach(async () => {
  w = await startWorld();
  events = [];
  await w.keys.add(
    { label: 'bn', exchange: 'binance', environment: 'prod' },
    w.key('binance', 'trade').credential,
  );
  await w.keys.add(
    { label: 'kr', exchange: 'kraken', environment: 'prod' },
    w.key('kraken', 'trade').credential,
  );
});
afterEach(() => w.close());

const deps = (now?: () => number): RotationDeps => ({
  store: w.store,
  vault: w.vault,
  keys: w.keys,
  access: w.access,
  checks: createKeyCheckStore(w.store),
  audit: w.audit,
  monitor: { observe: (e) => events.push(e) },
  ...(now ? { now } : {}),
});

async function snapshot(label: string) {
  const key = (await w.keys.get(label)) as KeyRecord;
  const retiring = await w.store.db.selectFrom('retiring_credentials').selectAll().execute();
  return { key, retiring, credential: await w.keys.credential(label) };
}

describe('key rotate refuses a bad new credential and changes nothing', () => {
  const cases: Array<[string, ExchangeId, () => Credential, RegExp]> = [
    [
      'a malformed credential',
      'kraken',
      () => ({ apiKey: 'k', secret: 'not base64 !!' }),
      /kraken secret must be base64/,
    ],
    [
      'a key the exchange does not know',
      'binance',
      () => ({ apiKey: randomBytes(32).toString('hex'), secret: randomBytes(32).toString('hex') }),
      /binance did not accept the new credential .*nothing was changed/,
    ],
    [
      'a key that cannot trade while the old one can',
      'binance',
      () => w.key('binance', 'read').credential,
      /lacks the trade permission bn has now; nothing was changed/,
    ],
    ['the same api key again', 'binance', () => w.key('binance', 'trade').credential, /same API key/],
  ];
  it.each(cases)('%s', async (_name, ex, cred, message) => {
    const label = ex === 'binance' ? 'bn' : 'kr';
    const before = await snapshot(label);
    await expect(rotateKey(deps(), label, cred(), { graceMs: 60_000, verify: true })).rejects.toMatchObject({
      code: 'invalid_credential',
      message: expect.stringMatching(message),
    });
    expect(await snapshot(label)).toEqual(before);
    expect(queryAudit(w.store.sqlite).some((r) => r.action === 'key.rotate')).toBe(false);
  });

  it('an exchange that does not answer is upstream_failed, not a refusal of the key', async () => {
    const down = {
      ...w.access,
      baseUrl: () => 'http://127.0.0.1:9/binance',
      transport: () => () => Promise.reject(Object.assign(new Error('down'), { code: 'upstream_failed' })),
    };
    const before = await snapshot('bn');
    await expect(
      rotateKey({ ...deps(), access: down }, 'bn', w.key('binance', 'trade-next').credential, {
        graceMs: 0,
        verify: true,
      }),
    ).rejects.toMatchObject({ code: 'upstream_failed' });
    expect(await snapshot('bn')).toEqual(before);
  });
});

describe('key rotate', () => {
  it('switches to the new credential, keeps the old one for the grace period only, then destroys it', async () => {
    let t = Date.now();
    const now = () => t;
    const old = w.key('binance', 'trade').credential;
    const next = w.key('binance', 'trade-next').credential;
    const before = (await w.keys.get('bn')) as KeyRecord;
    const r = await rotateKey(deps(now), 'bn', next, { graceMs: 30_000, verify: true });

    expect(r.baseline).toEqual({ read: true, trade: true });
    expect(r.key).toMatchObject({ id: before.id, version: 2, last4: next.apiKey.slice(-4), rotatedAt: t });
    expect(r.key.fingerprint).not.toBe(before.fingerprint);
    expect(r.previousLast4).toBe(old.apiKey.slice(-4));
    expect(r.check?.flags).toEqual(['no_ip_restriction']);
    expect(await w.keys.credential('bn')).toEqual(next);
    // A request that read version 1 just before the switch still signs during the grace period.
    expect(await w.keys.credential('bn', 1)).toEqual(old);
    expect(
      await w.store.db.selectFrom('retiring_credentials').select(['version', 'grace_until']).execute(),
    ).toEqual([{ version: 1, grace_until: t + 30_000 }]);
    const checks = await createKeyCheckStore(w.store).latest();
    expect(checks.get(before.id)).toMatchObject({ keyVersion: 2, flags: ['no_ip_restriction'] });

    expect(await destroyExpiredCredentials({ store: w.store, audit: w.audit, now })).toEqual([]);
    t += 30_000;
    expect(await destroyExpiredCredentials({ store: w.store, audit: w.audit, now })).toEqual([
      { keyId: before.id, label: 'bn', exchange: 'binance', version: 1, last4: old.apiKey.slice(-4) },
    ]);
    expect(await w.store.db.selectFrom('retiring_credentials').selectAll().execute()).toEqual([]);
    expect(await w.keys.credential('bn', 1)).toEqual(next);

    const audit = queryAudit(w.store.sqlite).filter((x) => x.action?.startsWith('key.rotate'));
    expect(audit.map((x) => x.action)).toEqual(['key.rotate', 'key.rotate.destroy_previous']);
    expect(audit[0]?.detail).toMatchObject({ label: 'bn', fromVersion: 1, toVersion: 2, verified: true });
    expect(JSON.stringify(audit)).not.toContain(next.secret);
    expect(w.diskText()).not.toContain(next.secret);
  });

  it('bumps the client-state counter in the same transaction (gateways re-read the key at once)', async () => {
    const v = () => w.store.sqlite.prepare('SELECT version FROM clients_version').pluck().get();
    const before = v();
    await rotateKey(deps(), 'kr', w.key('kraken', 'trade-next').credential, { graceMs: 0, verify: true });
    expect(v()).toBe(Number(before) + 1);
    // No grace: the old envelope never outlives the switch.
    expect(await w.store.db.selectFrom('retiring_credentials').selectAll().execute()).toEqual([]);
  });

  it('an over-permissive new key is accepted but raises key_over_permissive', async () => {
    await rotateKey(deps(), 'bn', w.key('binance', 'full').credential, { graceMs: 0, verify: true });
    expect(events.map((e) => e.type === 'system' && e.kind)).toEqual(['key_over_permissive']);
  });

  it('--no-verify skips the exchange but not the local validation', async () => {
    const before = w.used.length;
    await rotateKey(deps(), 'bn', w.key('binance', 'trade-next').credential, { graceMs: 0, verify: false });
    expect(w.used.length).toBe(before);
    await expect(
      rotateKey(deps(), 'kr', { apiKey: 'k', secret: '' }, { graceMs: 0, verify: false }),
    ).rejects.toMatchObject({ code: 'invalid_credential' });
  });

  it('master-key rotation re-wraps the retiring envelope, so the old credential stays usable in its grace', async () => {
    const old = w.key('binance', 'trade').credential;
    await rotateKey(deps(), 'bn', w.key('binance', 'trade-next').credential, {
      graceMs: 60_000,
      verify: true,
    });
    const newKey = join(w.dir, 'new.key');
    writeFileSync(newKey, randomBytes(32).toString('base64'), { mode: 0o600 });
    await rotateMaster(w.store, { kind: 'key-file', path: w.keyFile }, { kind: 'key-file', path: newKey });
    w.vault.seal();
    await w.vault.unseal({ kind: 'key-file', path: newKey });
    expect(await w.keys.credential('bn', 1)).toEqual(old);
  });
});

describe('rotation reminders', () => {
  const DAY = 86_400_000;
  const key = (
    label: string,
    environment: KeyRecord['environment'],
    ageDays: number,
    now: number,
  ): KeyRecord => ({
    id: `key_${label}`,
    label,
    exchange: 'binance',
    environment,
    fingerprint: 'f',
    last4: 'abcd',
    version: 1,
    status: 'active',
    createdAt: now - ageDays * DAY,
  });

  it('lists due-soon and overdue keys against the per-environment policy and raises the events', () => {
    const now = Date.UTC(2025, 5, 1);
    const keys = [
      key('fresh', 'prod', 10, now),
      key('soon', 'prod', 80, now),
      key('late', 'prod', 100, now),
      key('test-old', 'test', 400, now),
      { ...key('rotated', 'prod', 200, now), rotatedAt: now - 5 * DAY },
    ];
    const seen: MonitorEvent[] = [];
    const due = checkRotations(keys, DEFAULT_ROTATION_POLICY, now, { observe: (e) => seen.push(e) });
    expect(due.map((d) => [d.key.label, d.status, d.ageDays])).toEqual([
      ['soon', 'due_soon', 80],
      ['late', 'overdue', 100],
    ]);
    expect(seen.map((e) => e.type === 'system' && [e.kind, e.keyLabel])).toEqual([
      ['key_rotation_due', 'soon'],
      ['key_rotation_overdue', 'late'],
    ]);
    // A stricter policy for test keys makes the old test key overdue too.
    expect(
      checkRotations(keys, { ...DEFAULT_ROTATION_POLICY, test: 30 }, now).map((d) => d.key.label),
    ).toContain('test-old');
  });
});

describe('lifecycle schedule', () => {
  /** The world's schedule as `serve` builds it, a daily run unless `options` says otherwise. */
  const startSchedule = (
    options: Partial<LifecycleScheduleOptions> & Pick<LifecycleScheduleOptions, 'isSealed'>,
  ) =>
    startLifecycleSchedule({
      store: w.store,
      keys: w.keys,
      access: w.access,
      checks: createKeyCheckStore(w.store),
      policy: DEFAULT_ROTATION_POLICY,
      everyHours: 24,
      ...options,
    });

  it('destroys expired old envelopes, verifies every key and raises reminders on each run', async () => {
    await rotateKey(deps(), 'bn', w.key('binance', 'trade-next').credential, { graceMs: 1, verify: true });
    await w.store.db
      .updateTable('credentials')
      .set({ created_at: Date.now() - 100 * 86_400_000 })
      .where('label', '=', 'kr')
      .execute();
    let sealed = true;
    const schedule = startSchedule({
      isSealed: () => sealed,
      audit: w.audit,
      monitor: { observe: (e) => events.push(e) },
      firstRunDelayMs: 3_600_000,
    });
    try {
      expect(await schedule.runNow()).toBeUndefined();
      sealed = false;
      await new Promise((r) => setTimeout(r, 5));
      const run = await schedule.runNow();
      expect(run?.destroyed).toBe(1);
      expect(run?.checks.map((c) => c.flags)).toEqual([['no_ip_restriction'], ['no_ip_restriction']]);
      expect(run?.reminders.map((r) => [r.key.label, r.status])).toEqual([['kr', 'overdue']]);
      expect(events.filter((e) => e.type === 'system').map((e) => e.type === 'system' && e.kind)).toEqual(
        expect.arrayContaining(['key_over_permissive', 'key_rotation_overdue']),
      );
    } finally {
      schedule.stop();
    }
  });

  it("runs by itself after the first delay, on an unref'd timer", async () => {
    const ran = new Promise<MonitorEvent>((resolve) => {
      const schedule = startSchedule({
        isSealed: () => false,
        monitor: {
          observe: (e) => {
            schedule.stop();
            resolve(e);
          },
        },
        firstRunDelayMs: 10,
      });
    });
    expect(await ran).toMatchObject({ type: 'system', kind: 'key_over_permissive' });
  });

  it('between daily runs, each tick destroys old envelopes whose grace is over (key rotate --no-wait)', async () => {
    const retiring = () => w.store.db.selectFrom('retiring_credentials').select('key_id').execute();
    const checks = () => w.store.db.selectFrom('key_checks').select('id').execute();
    const until = async (cond: () => Promise<boolean>) => {
      const stopAt = Date.now() + 5_000;
      while (!(await cond()) && Date.now() < stopAt) await new Promise((r) => setTimeout(r, 20));
    };
    const schedule = startSchedule({
      isSealed: () => false,
      audit: w.audit,
      firstRunDelayMs: 1,
      tickMs: 20,
    });
    try {
      // The first (daily) run verifies the keys; the next is a day away, ticks come every 20 ms.
      await until(async () => (await checks()).length >= 2);
      const afterDailyRun = (await checks()).length;
      await rotateKey(deps(), 'bn', w.key('binance', 'trade-next').credential, {
        graceMs: 150,
        verify: true,
      });
      const afterRotate = (await checks()).length;
      expect(await retiring()).toHaveLength(1);
      await until(async () => (await retiring()).length === 0);
      expect(await retiring()).toEqual([]);
      // Only the sweep ran: no key was verified again.
      expect((await checks()).length).toBe(afterRotate);
      expect(afterDailyRun).toBeGreaterThanOrEqual(2);
    } finally {
      schedule.stop();
    }
  });

  it('everyHours 0 never runs', async () => {
    const schedule = startSchedule({
      everyHours: 0,
      isSealed: () => false,
      firstRunDelayMs: 1,
    });
    await new Promise((r) => setTimeout(r, 50));
    schedule.stop();
    expect(await w.store.db.selectFrom('key_checks').selectAll().execute()).toEqual([]);
  });
});
