/**
 * `keywarden approvals` as a user runs it (the built CLI, a real data directory): list, show,
 * approve and reject as the local operator, one-line errors with exit 2 for a self-approval, a
 * second decision or an unknown id, and two CLI processes approving at once: one wins.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApprovals } from '../../src/approvals/index.js';
import { openAuditLog, queryAudit } from '../../src/audit/index.js';
import { parseConfig } from '../../src/config/index.js';
import { type Actor, LOCAL_ACTOR } from '../../src/core/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { initVault, openVault } from '../../src/vault/index.js';
import { runNode } from '../child.js';

const MAIN = join(import.meta.dirname, '../../dist/cli/main.js');
const alice: Actor = { kind: 'operator', id: 'op_alice', name: 'alice', role: 'admin' };

let dir: string;
let keyFile: string;
let store: Store;
const ids: Record<string, string> = {};

/** The environment of a user with no KEYWARDEN_* variables of their own. */
const env = () => ({ PATH: process.env.PATH ?? '', HOME: dir });
const cli = (...args: string[]) =>
  runNode([MAIN, '--data-dir', join(dir, 'data'), ...args, '--key-file', keyFile], { cwd: dir, env: env() });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kw-approvals-cli-'));
  keyFile = join(dir, 'master.key');
  writeFileSync(keyFile, randomBytes(32).toString('base64'), { mode: 0o600 });
  store = await openStore(join(dir, 'data'));
  await initVault(store, { kind: 'key-file', path: keyFile });
  const vault = openVault(store);
  await vault.unseal({ kind: 'key-file', path: keyFile });
  const audit = openAuditLog(store, vault, {});
  const approvals = createApprovals({
    db: store.db,
    clock: { now: Date.now },
    audit,
    config: parseConfig({}).approvals,
  });
  for (const [name, by] of [
    ['alice1', alice],
    ['alice2', alice],
    ['alice3', alice],
    ['race', alice],
    ['local', LOCAL_ACTOR],
  ] as const)
    ids[name] = (
      await approvals.request({
        // A withdrawal: no executor runs on approval (the gateway's dispatcher sends it), so it stays approved.
        kind: 'withdrawal',
        summary: `widen ${name}`,
        payload: {},
        requestedBy: by,
      })
    ).id;
  await audit.close();
  vault.seal();
}, 60_000);
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('keywarden approvals', () => {
  it('lists pending approvals, as a table and as JSON', async () => {
    const table = await cli('approvals', 'list');
    expect(table.code, table.err).toBe(0);
    expect(table.out).toContain(ids.alice1);
    const json = await cli('approvals', 'list', '--status', 'pending', '--json');
    expect(json.code, json.err).toBe(0);
    const list = JSON.parse(json.out) as Array<{ id: string; requestedBy: string; status: string }>;
    expect(list.map((a) => a.id).sort()).toEqual(Object.values(ids).sort());
    expect(list.find((a) => a.id === ids.alice1)).toMatchObject({
      requestedBy: 'operator:alice',
      status: 'pending',
    });
  });

  it('approves and rejects as the local operator; audit records name it', async () => {
    const ok = await cli('approvals', 'approve', ids.alice1 ?? '', '--json');
    expect(ok.code, ok.err).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({ status: 'approved', decidedBy: 'local' });
    const no = await cli('approvals', 'reject', ids.alice2 ?? '');
    expect(no.code, no.err).toBe(0);
    expect(no.out).toMatch(/status: rejected/);
    const show = await cli('approvals', 'show', ids.alice1 ?? '', '--json');
    expect(JSON.parse(show.out)).toMatchObject({ id: ids.alice1, status: 'approved' });
    const records = queryAudit(store.sqlite).filter(
      (r) => r.action === 'approval.approve' || r.action === 'approval.reject',
    );
    expect(records.map((r) => [r.action, r.actor, r.detail?.approvalId])).toEqual([
      ['approval.approve', 'local', ids.alice1],
      ['approval.reject', 'local', ids.alice2],
    ]);
  });

  it('refuses with one line and exit 2: a second decision, its own request, an unknown id, a bad status', async () => {
    for (const [args, message] of [
      [['approvals', 'approve', ids.alice1 ?? ''], /already approved/],
      [['approvals', 'approve', ids.local ?? ''], /another person must decide it/],
      [['approvals', 'show', 'apr_nope'], /no approval "apr_nope"/],
      [['approvals', 'list', '--status', 'done'], /--status expects one of/],
    ] as const) {
      const r = await cli(...args);
      expect(r.code, r.err).toBe(2);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(message);
    }
  });

  it('two processes approving at once: exactly one wins', async () => {
    const [a, b] = await Promise.all([
      cli('approvals', 'approve', ids.race ?? ''),
      cli('approvals', 'approve', ids.race ?? ''),
    ]);
    expect([a.code, b.code].sort()).toEqual([0, 2]);
    expect((a.code === 2 ? a : b).err).toMatch(/already approved/);
  });

  it('--help lists the subcommands', async () => {
    const r = await runNode([MAIN, 'approvals', '--help'], { env: env() });
    expect(r.code).toBe(0);
    for (const sub of ['list', 'show', 'approve', 'reject']) expect(r.out).toContain(sub);
  });
});
