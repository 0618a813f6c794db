/**
 * Lockdown and unlock through the real gateway: the freeze applies to the next request, the
 * critical alert and the audit records are written, and `unlock` gives back exactly what its
 * lockdown took (clients frozen before stay frozen; overlapping lockdowns hand clients over).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryAudit } from '../../src/audit/index.js';
import { KeywardenError } from '../../src/core/index.js';
import { createMonitor } from '../../src/monitor/monitor.js';
import type { Alert } from '../../src/monitor/monitor-types.js';
import { type Harness, startHarness } from '../gateway/harness.js';
import { call, lockdownProcess, type SecondProcess } from './lockdown-helpers.js';

let h: Harness;
let p: SecondProcess;
const alerts: Alert[] = [];
const tokens: Record<string, string> = {};

beforeAll(async () => {
  h = await startHarness({ exchanges: ['binance', 'kraken'] });
  p = await lockdownProcess(h, createMonitor({ onAlert: (a) => alerts.push(a) }));
  for (const [name, ex] of [
    ['a1', 'binance'],
    ['a2', 'binance'],
    ['a3', 'binance'],
    ['b1', 'kraken'],
    ['gone', 'binance'],
  ] as const)
    tokens[name] = (await h.issue(ex, name, { ratePerSecond: 0 })).token;
  // a3 was frozen by hand before any lockdown; `gone` is revoked.
  await h.clients.freeze('a3');
  await h.clients.revoke('gone');
}, 60_000);
afterAll(async () => {
  await p.close();
  await h.close();
});

async function status(name: string): Promise<string | undefined> {
  return (await h.clients.get(name))?.status;
}

async function expectError(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(KeywardenError);
  expect((err as KeywardenError).code).toBe(code);
  expect((err as KeywardenError).message).toMatch(message);
}

describe('lockdown --key', () => {
  it('freezes every client of the key at once, alerts, audits; unlock restores only what it froze', async () => {
    expect((await call(h, 'binance', tokens.a1 ?? '')).status).toBe(200);
    const { lockdown: l, warnings } = await p.service.lockdown({
      scope: { kind: 'key', ref: 'binance-main' },
      reason: 'key seen in a public paste',
    });
    expect(warnings).toEqual([]);
    expect(l.scope).toBe('key');
    expect(l.target?.label).toBe('binance-main');
    expect(l.frozen.sort()).toEqual(['a1', 'a2']);
    expect(l.alreadyFrozen).toEqual(['a3']);
    expect(l.clients.map((c) => c.name)).not.toContain('gone');

    // The very next request of each frozen client is denied; another key's client is untouched.
    const denied = await call(h, 'binance', tokens.a1 ?? '');
    expect(denied.status).toBeGreaterThanOrEqual(400);
    expect(denied.code).toBe('client_frozen');
    expect((await call(h, 'binance', tokens.a2 ?? '')).code).toBe('client_frozen');
    expect((await call(h, 'kraken', tokens.b1 ?? '')).status).toBe(200);

    const alert = alerts.find((a) => a.rule === 'gateway.lockdown');
    expect(alert?.severity).toBe('critical');
    expect(alert?.keyLabel).toBe('binance-main');
    expect(alert?.message).toMatch(/a1, a2/);
    expect(alert?.message).toMatch(/public paste/);

    const admin = queryAudit(h.store.sqlite, { kind: 'admin' });
    const mine = admin.filter((r) => r.detail?.lockdown === l.id);
    expect(mine.filter((r) => r.action === 'client.freeze').map((r) => r.detail?.name)).toEqual(
      expect.arrayContaining(['a1', 'a2']),
    );
    expect(mine.find((r) => r.action === 'lockdown')?.message).toBe('key seen in a public paste');

    // unlock needs a reason
    await expectError(
      p.service.unlock({ scope: { kind: 'key', ref: 'binance-main' }, reason: '  ' }),
      'invalid_input',
      /reason is required/,
    );
    const u = await p.service.unlock({ scope: { kind: 'key', ref: 'binance-main' }, reason: 'key rotated' });
    expect(u.ended.map((e) => e.id)).toEqual([l.id]);
    expect(u.unfrozen.sort()).toEqual(['a1', 'a2']);
    expect(await status('a3')).toBe('frozen');
    expect((await call(h, 'binance', tokens.a1 ?? '')).status).toBe(200);
    expect((await call(h, 'binance', tokens.a3 ?? '')).code).toBe('client_frozen');
    expect(queryAudit(h.store.sqlite, { action: 'unlock' }).at(-1)?.message).toBe('key rotated');
    expect(await p.service.list({ active: true })).toEqual([]);
    // Nothing left to unlock.
    await expectError(
      p.service.unlock({ scope: { kind: 'key', ref: 'binance-main' }, reason: 'again' }),
      'not_found',
      /no active lockdown for --key binance-main/,
    );
  });
});

describe('overlapping lockdowns', () => {
  it('a client covered by two lockdowns stays frozen until the last one is lifted', async () => {
    const all = await p.service.lockdown({ scope: { kind: 'all' }, reason: 'incident' });
    expect(all.lockdown.frozen.sort()).toEqual(['a1', 'a2', 'b1']);
    const one = await p.service.lockdown({
      scope: { kind: 'client', ref: 'a1' },
      reason: 'a1 host compromised',
    });
    expect(one.lockdown.frozen).toEqual([]);
    expect(one.lockdown.alreadyFrozen).toEqual(['a1']);

    // unlock --client does not lift the --all lockdown, and says which one is active.
    await expectError(
      p.service.unlock({ scope: { kind: 'client', ref: 'a2' }, reason: 'x' }),
      'not_found',
      new RegExp(`no active lockdown for --client a2; active: .*${all.lockdown.id} \\(--all\\)`),
    );

    const u = await p.service.unlock({ scope: { kind: 'all' }, reason: 'others are clean' });
    expect(u.unfrozen.sort()).toEqual(['a2', 'b1']);
    expect(u.handedOver).toEqual([{ name: 'a1', lockdownId: one.lockdown.id }]);
    expect(await status('a1')).toBe('frozen');
    expect((await call(h, 'binance', tokens.a1 ?? '')).code).toBe('client_frozen');
    expect((await call(h, 'binance', tokens.a2 ?? '')).status).toBe(200);

    const last = await p.service.unlock({ scope: { kind: 'client', ref: 'a1' }, reason: 'a1 rebuilt' });
    expect(last.unfrozen).toEqual(['a1']);
    expect((await call(h, 'binance', tokens.a1 ?? '')).status).toBe(200);
    expect(await status('a3')).toBe('frozen');
  });

  it('leaves a client revoked during the lockdown revoked', async () => {
    const extra = await h.issue('kraken', 'b2');
    const l = await p.service.lockdown({ scope: { kind: 'key', ref: 'kraken-main' } });
    expect(l.lockdown.reason).toBe('no reason given');
    expect(l.lockdown.frozen.sort()).toEqual(['b1', 'b2']);
    await h.clients.revoke('b2');
    const u = await p.service.unlock({ id: l.lockdown.id, reason: 'b2 retired' });
    expect(u.unfrozen).toEqual(['b1']);
    expect(u.skipped).toEqual(['b2']);
    expect(await status('b2')).toBe('revoked');
    expect((await call(h, 'kraken', extra.token)).code).toBe('client_revoked');
  });
});

describe('bad input', () => {
  it('names what is wrong', async () => {
    await expectError(
      p.service.lockdown({ scope: { kind: 'key', ref: 'nope' } }),
      'not_found',
      /no exchange key "nope"/,
    );
    await expectError(
      p.service.lockdown({ scope: { kind: 'client', ref: 'ghost' } }),
      'not_found',
      /no client "ghost"/,
    );
    await expectError(
      p.service.lockdown({ scope: { kind: 'client', ref: 'gone' } }),
      'invalid_input',
      /revoked; nothing to lock down/,
    );
    await expectError(
      p.service.unlock({ scope: { kind: 'all' }, reason: 'x' }),
      'not_found',
      /no active lockdown for --all/,
    );
    await expectError(
      p.service.lockdown({ scope: { kind: 'all' }, reportHours: 0 }),
      'invalid_input',
      /report hours/,
    );
    // Nothing was frozen by the refused attempts.
    expect(await status('a1')).toBe('active');
  });
});
