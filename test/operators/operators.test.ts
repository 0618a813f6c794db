import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/audit/index.js';
import { KeywardenError, LOCAL_ACTOR } from '../../src/core/index.js';
import type { SystemEvent } from '../../src/monitor/index.js';
import { createOperators, type Operators, totpCode } from '../../src/operators/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { initVault, openVault } from '../../src/vault/index.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
let dir: string;
let store: Store;
let now: number;
let audit: AuditEvent[];
let alerts: Array<Omit<SystemEvent, 'type' | 'at'>>;
let ops: Operators;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kw-ops-'));
  store = await openStore(join(dir, 'data'));
  const keyFile = join(dir, 'master.key');
  writeFileSync(keyFile, randomBytes(32).toString('base64'), { mode: 0o600 });
  await initVault(store, { kind: 'key-file', path: keyFile });
  const vault = openVault(store);
  await vault.unseal({ kind: 'key-file', path: keyFile });
  now = T0;
  audit = [];
  alerts = [];
  ops = createOperators({
    db: store.db,
    vault,
    clock: { now: () => now },
    audit: {
      append: async (e) => {
        audit.push(e);
        return { ...e, seq: audit.length, at: now, prevHash: '', hash: '' };
      },
    },
    raise: (e) => alerts.push(e),
  });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const err = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    if (e instanceof KeywardenError) return e.code;
    throw e;
  }
  return 'resolved';
};

async function enrolled(name = 'alice', role: 'owner' | 'admin' | 'auditor' = 'owner') {
  const { enrolmentCode } = await ops.add({ name, role }, LOCAL_ACTOR);
  const { totpSecret } = await ops.enrolStart({ name, enrolmentCode, password: 'correct horse battery' });
  const { recoveryCodes } = await ops.enrolFinish({ name, enrolmentCode, code: totpCode(totpSecret, now) });
  now += 30_000;
  return { secret: totpSecret, recoveryCodes, enrolmentCode };
}

describe('operators', () => {
  it('enrols with a one-time code, then logs in with password and TOTP; the code is single use', async () => {
    const { secret, enrolmentCode } = await enrolled();
    expect(await err(ops.enrolStart({ name: 'alice', enrolmentCode, password: 'another password!' }))).toBe(
      'enrolment_invalid',
    );
    const s = await ops.login({
      name: 'alice',
      password: 'correct horse battery',
      code: totpCode(secret, now),
      ip: '10.0.0.1',
    });
    expect(s.operator).toMatchObject({ name: 'alice', role: 'owner', status: 'active', mfaEnrolled: true });
    const info = await ops.session(s.id);
    expect(info?.actor).toEqual({ kind: 'operator', id: s.operator.id, name: 'alice', role: 'owner' });
    expect(audit.map((a) => a.action)).toEqual(['operator.add', 'operator.enrol', 'auth.login']);
    expect(audit[0]?.actor).toBe('local');
  });

  it('refuses a TOTP code a second time (replay), and an older step after a newer one', async () => {
    const { secret } = await enrolled();
    const code = totpCode(secret, now);
    await ops.login({ name: 'alice', password: 'correct horse battery', code, ip: '10.0.0.1' });
    expect(
      await err(ops.login({ name: 'alice', password: 'correct horse battery', code, ip: '10.0.0.1' })),
    ).toBe('login_failed');
    const s = await ops.session(
      (
        await ops.login({
          name: 'alice',
          password: 'correct horse battery',
          code: totpCode(secret, now + 30_000),
          ip: '10.0.0.2',
        })
      ).id,
    );
    if (!s) throw new Error('no session');
    // the previous step is inside the ±1 window but older than the step just used
    expect(await err(ops.requireFreshMfa(s.actor, totpCode(secret, now)))).toBe('mfa_invalid');
  });

  it('a recovery code logs in once', async () => {
    const { recoveryCodes } = await enrolled();
    const code = recoveryCodes[0] ?? '';
    await ops.login({
      name: 'alice',
      password: 'correct horse battery',
      recoveryCode: code.toUpperCase(),
      ip: '10.0.0.1',
    });
    expect(
      await err(
        ops.login({ name: 'alice', password: 'correct horse battery', recoveryCode: code, ip: '10.0.0.1' }),
      ),
    ).toBe('login_failed');
  });

  it('backs off, locks the account after 5 failures, and alerts on each', async () => {
    const { secret } = await enrolled();
    for (let i = 0; i < 5; i++) {
      expect(
        await err(ops.login({ name: 'alice', password: 'wrong password!!', code: '000000', ip: '10.0.0.9' })),
      ).toBe('login_failed');
      now += 31_000; // past any back-off, inside the lockout window
    }
    expect(alerts).toHaveLength(5);
    expect(alerts.at(-1)?.detail).toMatchObject({ lockedOut: true });
    // the right password is refused while locked …
    expect(
      await err(
        ops.login({
          name: 'alice',
          password: 'correct horse battery',
          code: totpCode(secret, now),
          ip: '10.0.0.1',
        }),
      ),
    ).toBe('login_blocked');
    // … and accepted once the lockout is over (positive control)
    now += 15 * 60_000;
    await ops.login({
      name: 'alice',
      password: 'correct horse battery',
      code: totpCode(secret, now),
      ip: '10.0.0.1',
    });
  });

  it('backs off between failures: an immediate retry is refused unchecked', async () => {
    await enrolled();
    await err(ops.login({ name: 'alice', password: 'wrong password!!', code: '000000', ip: '10.0.0.9' }));
    await err(ops.login({ name: 'alice', password: 'wrong password!!', code: '000000', ip: '10.0.0.9' }));
    expect(
      await err(ops.login({ name: 'alice', password: 'wrong password!!', code: '000000', ip: '10.0.0.9' })),
    ).toBe('login_blocked');
  });

  it('sessions end after the idle timeout and the absolute lifetime', async () => {
    const { secret } = await enrolled();
    const login = () =>
      ops.login({
        name: 'alice',
        password: 'correct horse battery',
        code: totpCode(secret, now),
        ip: '10.0.0.1',
      });
    const a = await login();
    now += 29 * 60_000;
    expect(await ops.session(a.id)).toBeDefined();
    now += 31 * 60_000;
    expect(await ops.session(a.id)).toBeUndefined();
    const b = await login();
    for (let i = 0; i < 25; i++) {
      now += 29 * 60_000;
      if (now - T0 < 12 * 3_600_000) expect(await ops.session(b.id)).toBeDefined();
    }
    expect(await ops.session(b.id)).toBeUndefined();
  });

  it('API tokens are role-bound, hashed, expiring, revocable; never above the creator', async () => {
    const { token, view } = await ops.createToken(
      { name: 'ci', role: 'auditor', ttlMs: 60_000 },
      LOCAL_ACTOR,
    );
    expect(await ops.tokenActor(token)).toMatchObject({ kind: 'token', role: 'auditor', name: 'ci' });
    expect(JSON.stringify(await ops.listTokens())).not.toContain(token);
    now += 60_000;
    expect(await ops.tokenActor(token)).toBeUndefined();
    const admin = { kind: 'operator', id: 'op_x', name: 'x', role: 'admin' } as const;
    expect(await err(ops.createToken({ name: 'up', role: 'owner', ttlMs: 1000 }, admin))).toBe(
      'role_forbidden',
    );
    const t2 = await ops.createToken({ name: 'ci2', role: 'admin', ttlMs: 60_000 }, admin);
    await ops.revokeToken(t2.view.id, admin);
    expect(await ops.tokenActor(t2.token)).toBeUndefined();
    expect(view.role).toBe('auditor');
  });

  it('only an owner creates admins; mfaGaps is empty when every owner enrolled', async () => {
    const admin = { kind: 'operator', id: 'op_x', name: 'x', role: 'admin' } as const;
    expect(await err(ops.add({ name: 'bob', role: 'admin' }, admin))).toBe('role_forbidden');
    await ops.add({ name: 'carol', role: 'auditor' }, admin);
    await enrolled('dave', 'owner');
    expect(await ops.mfaGaps()).toEqual([]);
  });
});

describe('admin.mfa coverage', () => {
  it('is undefined with no operators, counts active owners and admins with TOTP', async () => {
    const { mfaCoverage } = await import('../../src/operators/index.js');
    expect(await mfaCoverage(store.db)).toBeUndefined();
    await ops.add({ name: 'pending-admin', role: 'owner' }, LOCAL_ACTOR);
    await enrolled('alice', 'owner');
    expect(await mfaCoverage(store.db)).toEqual({ total: 1, withMfa: 1 });
  });
});
