/**
 * The approvals service on real SQLite files: nobody approves their own request (the local CLI
 * included), a decision is taken once (also when two store connections race), requests expire,
 * and every request and decision is an audit record naming who did it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApprovalsService } from '../../src/approvals/index.js';
import { createApprovals } from '../../src/approvals/index.js';
import type { AuditLog } from '../../src/audit/index.js';
import { createAuditLog, createCheckpointKey, createSigner, queryAudit } from '../../src/audit/index.js';
import { parseConfig } from '../../src/config/index.js';
import { type Actor, KeywardenError, LOCAL_ACTOR } from '../../src/core/index.js';
import type { SystemEvent } from '../../src/monitor/index.js';
import { openStore, type Store } from '../../src/store/index.js';

const alice: Actor = { kind: 'operator', id: 'op_alice', name: 'alice', role: 'admin' };
const bob: Actor = { kind: 'operator', id: 'op_bob', name: 'bob', role: 'admin' };
const HOUR = 3_600_000;

let dir: string;
let store: Store;
let audit: AuditLog;
let now: number;
let alerts: SystemEvent[];
let approvals: ApprovalsService;

function service(s: Store, config: Record<string, unknown> = {}): ApprovalsService {
  return createApprovals({
    db: s.db,
    clock: { now: () => now },
    audit,
    config: parseConfig({ approvals: config }).approvals,
    alerts: { observe: (e) => (e.type === 'system' ? alerts.push(e) : undefined) },
  });
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kw-approvals-'));
  store = await openStore(dir);
  audit = createAuditLog(store.sqlite, {
    hmac: (v) => `h:${v.length}`,
    signer: createSigner(createCheckpointKey().privateKeyPem),
  });
  now = Date.UTC(2026, 0, 5, 12);
  alerts = [];
  approvals = service(store, { require: ['key.register'], ttlHours: 2 });
});
afterEach(async () => {
  await audit.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const ask = (by: Actor = alice) =>
  approvals.request({
    kind: 'key.register',
    summary: 'register prod key binance-main',
    payload: { label: 'binance-main' },
    requestedBy: by,
  });

async function refused(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(KeywardenError);
  return (err as KeywardenError).code;
}

describe('approvals service', () => {
  it('records a pending request, alerts with its id, and lets another person approve it', async () => {
    const a = await ask();
    expect(a).toMatchObject({ status: 'pending', kind: 'key.register', requestedBy: alice });
    expect(a.id).toMatch(/^apr_/);
    expect(a.expiresAt).toBe(now + 2 * HOUR);
    expect(alerts.map((e) => e.message).join('\n')).toContain(a.id);
    const approved = await approvals.decide(a.id, 'approve', bob);
    expect(approved).toMatchObject({ status: 'approved', decidedBy: bob, decidedAt: now });
    expect(await approvals.get(a.id)).toMatchObject({ status: 'approved', decidedBy: bob });
    const records = queryAudit(store.sqlite).filter((r) => r.kind === 'admin');
    expect(records.map((r) => [r.action, r.actor])).toEqual([
      ['approval.request', 'operator:alice'],
      ['approval.approve', 'operator:bob'],
    ]);
    expect(records.every((r) => r.detail?.approvalId === a.id)).toBe(true);
  });

  it('refuses self-approval, for an operator and for the local CLI alike', async () => {
    const a = await ask();
    expect(await refused(approvals.decide(a.id, 'approve', alice))).toBe('approval_self');
    // The same person through another role is still the same id.
    expect(await refused(approvals.decide(a.id, 'reject', { ...alice, role: 'owner' }))).toBe(
      'approval_self',
    );
    const local = await ask(LOCAL_ACTOR);
    expect(await refused(approvals.decide(local.id, 'approve', LOCAL_ACTOR))).toBe('approval_self');
    expect((await approvals.get(local.id)).status).toBe('pending');
    // Positive control: someone else may.
    expect((await approvals.decide(local.id, 'approve', bob)).status).toBe('approved');
  });

  it('a client request (a held withdrawal) can be approved by the local operator', async () => {
    const a = await approvals.request({
      kind: 'withdrawal',
      summary: 'withdraw 10 USDT',
      payload: {},
      requestedBy: { kind: 'client', id: 'local', name: 'bot' },
    });
    expect((await approvals.decide(a.id, 'approve', LOCAL_ACTOR)).status).toBe('approved');
  });

  it('refuses a second decision', async () => {
    const a = await ask();
    await approvals.decide(a.id, 'reject', bob);
    const carol: Actor = { kind: 'token', id: 'tok_carol', name: 'ci', role: 'owner' };
    expect(await refused(approvals.decide(a.id, 'approve', carol))).toBe('approval_closed');
    expect(await refused(approvals.decide(a.id, 'reject', carol))).toBe('approval_closed');
    expect((await approvals.get(a.id)).status).toBe('rejected');
  });

  it('expires a request that waited past ttlHours; it cannot be approved or claimed then', async () => {
    const a = await ask();
    const b = await ask();
    now += 2 * HOUR - 1;
    expect((await approvals.get(a.id)).status).toBe('pending');
    now += 1;
    expect(await refused(approvals.decide(a.id, 'approve', bob))).toBe('approval_closed');
    expect((await approvals.get(a.id)).status).toBe('expired');
    expect((await approvals.list({ status: 'expired' })).map((x) => x.id).sort()).toEqual(
      [a.id, b.id].sort(),
    );
    expect(await approvals.claim(a.id)).toBeUndefined();
    const expiries = queryAudit(store.sqlite).filter((r) => r.action === 'approval.expire');
    expect(expiries.map((r) => r.detail?.approvalId).sort()).toEqual([a.id, b.id].sort());
  });

  it('an approved request whose time ran out before it ran is expired, never claimed', async () => {
    const a = await ask();
    await approvals.decide(a.id, 'approve', bob);
    now += 2 * HOUR;
    expect(await approvals.claim(a.id)).toBeUndefined();
    expect((await approvals.get(a.id)).status).toBe('expired');
  });

  // One thread cannot race two SQLite connections (the second BEGIN IMMEDIATE would block the
  // thread holding the first); separate processes race in approvals-race.test.ts.
  it('concurrent decisions on one connection: exactly one wins; a second connection sees it decided', async () => {
    const other = await openStore(dir);
    try {
      const second = service(other, { ttlHours: 2 });
      for (let i = 0; i < 3; i++) {
        const a = await ask();
        const carol: Actor = { ...bob, id: 'op_carol', name: 'carol' };
        const results = await Promise.allSettled([
          approvals.decide(a.id, 'approve', bob),
          approvals.decide(a.id, 'reject', carol),
          approvals.decide(a.id, 'approve', carol),
        ]);
        const won = results.filter((r) => r.status === 'fulfilled');
        expect(won).toHaveLength(1);
        for (const lost of results.filter((r) => r.status === 'rejected'))
          expect(lost.reason).toMatchObject({ code: 'approval_closed' });
        expect(await refused(second.decide(a.id, 'reject', carol))).toBe('approval_closed');
        const final = await second.get(a.id);
        expect(final.status).toBe((won[0] as PromiseFulfilledResult<{ status: string }>).value.status);
        expect(queryAudit(store.sqlite).filter((r) => r.detail?.approvalId === a.id)).toHaveLength(2);
      }
    } finally {
      await other.close();
    }
  });

  it('claims an approved request once and records its end once', async () => {
    const a = await ask();
    expect(await approvals.claim(a.id)).toBeUndefined(); // pending: nothing to run
    await approvals.decide(a.id, 'approve', bob);
    const claims = await Promise.all([approvals.claim(a.id), approvals.claim(a.id), approvals.claim(a.id)]);
    expect(claims.filter((c) => c !== undefined)).toHaveLength(1);
    const done = await approvals.finish(a.id, 'executed', { status: 200 }, 'gateway');
    expect(done).toMatchObject({ status: 'executed', result: { status: 200 } });
    expect(await refused(approvals.finish(a.id, 'failed', {}, 'gateway'))).toBe('approval_closed');
    expect(await approvals.claim(a.id)).toBeUndefined();
  });

  it('a decision the audit log cannot take does not stand', async () => {
    const a = await ask();
    const failing = createApprovals({
      db: store.db,
      clock: { now: () => now },
      audit: { append: () => Promise.reject(new Error('disk full')) },
      config: parseConfig({}).approvals,
    });
    expect(await refused(failing.decide(a.id, 'approve', bob))).toBe('audit_unavailable');
    expect((await approvals.get(a.id)).status).toBe('pending');
    expect(
      await refused(failing.request({ kind: 'withdrawal', summary: 'x', payload: {}, requestedBy: alice })),
    ).toBe('audit_unavailable');
  });

  it('required() follows approvals.require; nothing by default', () => {
    expect(approvals.required('key.register')).toBe(true);
    expect(approvals.required('policy.widen')).toBe(false);
    const defaults = service(store);
    expect(defaults.required('withdrawal')).toBe(false);
  });

  it('unknown keys and kinds in approvals: are refused', () => {
    expect(() => parseConfig({ approvals: { require: ['key.delete'] } })).toThrow(/approvals\.require/);
    expect(() => parseConfig({ approvals: { ttl: 3 } })).toThrow(/approvals\.ttl/);
    expect(parseConfig({}).approvals).toEqual({ require: [], ttlHours: 24 });
  });
});

describe('executors: an approved change runs once, at the approving decision', () => {
  const withExecutor = (s: Store, run: (payload: unknown) => Promise<unknown>) =>
    createApprovals({
      db: s.db,
      clock: { now: () => now },
      audit,
      config: parseConfig({ approvals: { require: ['policy.widen'] } }).approvals,
      executors: { 'policy.widen': (a) => run(a.payload) },
    });

  it('runs the kind executor once, records its result, and names requester and approver', async () => {
    const ran: unknown[] = [];
    const svc = withExecutor(store, async (p) => {
      ran.push(p);
      return { applied: true };
    });
    const a = await svc.request({
      kind: 'policy.widen',
      summary: 'widen',
      payload: { n: 1 },
      requestedBy: alice,
    });
    const done = await svc.decide(a.id, 'approve', bob);
    expect(done).toMatchObject({ status: 'executed', result: { applied: true } });
    expect(ran).toEqual([{ n: 1 }]);
    await expect(svc.decide(a.id, 'approve', LOCAL_ACTOR)).rejects.toMatchObject({ code: 'approval_closed' });
    // Nothing runs it again: the dispatcher-style claim finds it executed.
    expect(await svc.claim(a.id)).toBeUndefined();
    expect(ran).toHaveLength(1);
    const executed = queryAudit(store.sqlite).find((r) => r.action === 'approval.executed');
    expect(executed?.detail).toMatchObject({
      approvalId: a.id,
      requester: 'operator:alice',
      approver: 'operator:bob',
    });
  });

  it('a rejected request never runs; a throwing executor marks it failed, and it is never retried', async () => {
    let calls = 0;
    const svc = withExecutor(store, async () => {
      calls++;
      throw new KeywardenError('approval_closed', 'the policy changed meanwhile');
    });
    const r = await svc.request({ kind: 'policy.widen', summary: 'x', payload: {}, requestedBy: alice });
    expect((await svc.decide(r.id, 'reject', bob)).status).toBe('rejected');
    expect(calls).toBe(0);
    const f = await svc.request({ kind: 'policy.widen', summary: 'y', payload: {}, requestedBy: alice });
    const failed = await svc.decide(f.id, 'approve', bob);
    expect(failed).toMatchObject({ status: 'failed', result: { error: 'the policy changed meanwhile' } });
    expect(await svc.claim(f.id)).toBeUndefined();
    expect(calls).toBe(1);
  });

  it('two deciders on two connections: one wins, the executor runs once', async () => {
    const other = await openStore(dir);
    try {
      let calls = 0;
      const run = async () => {
        calls++;
        return null;
      };
      const a = await withExecutor(store, run).request({
        kind: 'policy.widen',
        summary: 'race',
        payload: {},
        requestedBy: alice,
      });
      const results = await Promise.allSettled([
        withExecutor(store, run).decide(a.id, 'approve', bob),
        withExecutor(other, run).decide(a.id, 'approve', LOCAL_ACTOR),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(calls).toBe(1);
    } finally {
      await other.close();
    }
  });
});
