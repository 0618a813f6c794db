/**
 * The admin commands against a PostgreSQL store, as a user runs them (the built CLI, store.url in
 * a test keywarden.yaml, no KEYWARDEN_* variable from the user's shell): `lockdown` (with its
 * incident report), `lockdown --list`, `unlock`, `init --owner`, `operator add|list` and
 * `vault rotate-master`.
 * Each used to refuse with invalid_config on PostgreSQL. The database is made for this file
 * (kw_pgadmin_cli_*) and dropped after it; skipped, loudly, when PostgreSQL does not answer.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNode } from '../child.js';
import { PG_SERVER, pgUp } from '../store/both-stores.js';
import { sandboxSeedKey } from './cli-setup.js';

const MAIN = join(import.meta.dirname, '../../dist/cli/main.js');
const database = `kw_pgadmin_cli_${process.pid}_${randomBytes(4).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'kw-pg-cli-'));
const dataDir = join(dir, 'data');
const config = join(dir, 'keywarden.yaml');
let keyFile = join(dir, 'master.key');

const env = () => ({ PATH: process.env.PATH ?? '', HOME: dir });
const cli = (args: string[], input?: string) =>
  runNode([MAIN, '--data-dir', dataDir, ...args], {
    cwd: dir,
    env: env(),
    ...(input !== undefined ? { input } : {}),
  });
const withSecrets = (...args: string[]) => [...args, '--key-file', keyFile, '--config', config];

async function admin<T>(fn: (c: pg.Client) => Promise<T>, db = 'postgres'): Promise<T> {
  const client = new pg.Client({ connectionString: `${PG_SERVER}/${db}` });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const status = (name: string) =>
  admin(
    async (c) =>
      (await c.query<{ status: string }>('SELECT status FROM clients WHERE name = $1', [name])).rows[0]
        ?.status,
    database,
  );

(pgUp ? describe : describe.skip)('admin commands on a PostgreSQL store', () => {
  beforeAll(async () => {
    await admin((c) => c.query(`CREATE DATABASE ${database}`));
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(keyFile, randomBytes(32).toString('base64'), { mode: 0o600 });
    writeFileSync(config, `store:\n  url: ${PG_SERVER}/${database}\n`);
    const init = await cli(withSecrets('init', '--owner', 'root'));
    expect([init.code, init.err]).toEqual([0, '']);
    expect(init.out).toMatch(/the PostgreSQL store/);
    // The first owner is made in the shared store too.
    expect(init.out).toMatch(/operator root \(owner\) created\./);
    expect((await cli(['sandbox', 'keys', '--json'])).code).toBe(0);
    const add = await cli(
      // `key add` takes no --config: it finds ./keywarden.yaml (cwd is the test directory).
      ['key', 'add', 'binance', '--label', 'bn', '--stdin', '--key-file', keyFile],
      JSON.stringify(sandboxSeedKey(dataDir, 'binance', 'trade')),
    );
    expect([add.code, add.err]).toEqual([0, '']);
    for (const name of ['bot-a', 'bot-b']) {
      const c = await cli(withSecrets('client', 'add', '--key', 'bn', '--name', name, '--json'));
      expect([c.code, c.err]).toEqual([0, '']);
    }
  }, 120_000);

  afterAll(async () => {
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('lockdown freezes in the shared store and writes the incident report here; --list and unlock', async () => {
    const r = await cli(withSecrets('lockdown', '--key', 'bn', '--reason', 'drill', '--json'));
    expect([r.code, r.err]).toEqual([0, '']);
    const l = JSON.parse(r.out) as { id: string; frozen: string[]; report: string; warnings: string[] };
    expect(l.warnings).toEqual([]);
    expect(l.frozen.sort()).toEqual(['bot-a', 'bot-b']);
    expect([await status('bot-a'), await status('bot-b')]).toEqual(['frozen', 'frozen']);
    // The report is read from the PostgreSQL audit trail and lands in this process's data directory.
    expect(l.report.startsWith(join(dataDir, 'incidents'))).toBe(true);
    expect(statSync(l.report).mode & 0o777).toBe(0o600);
    const report = readFileSync(l.report, 'utf8');
    expect(report).toContain(l.id);
    expect(report).toContain('bot-a');
    // The lockdown record is in the store, the audit trail too.
    const rows = await admin(
      async (c) =>
        (
          await c.query<{ n: string }>(
            "SELECT count(*) AS n FROM audit_log WHERE data::jsonb ->> 'action' = 'lockdown'",
          )
        ).rows[0]?.n,
      database,
    );
    expect(Number(rows)).toBe(1);

    const list = await cli(withSecrets('lockdown', '--list', '--json'));
    expect([list.code, list.err]).toEqual([0, '']);
    expect((JSON.parse(list.out) as Array<{ id: string; endedAt?: number }>).map((x) => x.id)).toEqual([
      l.id,
    ]);

    const u = await cli(withSecrets('unlock', '--key', 'bn', '--reason', 'drill over', '--json'));
    expect([u.code, u.err]).toEqual([0, '']);
    expect((JSON.parse(u.out) as { unfrozen: string[] }).unfrozen.sort()).toEqual(['bot-a', 'bot-b']);
    expect([await status('bot-a'), await status('bot-b')]).toEqual(['active', 'active']);
    const again = await cli(withSecrets('unlock', '--key', 'bn', '--reason', 'again'));
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/no active lockdown/);
  }, 60_000);

  it('operator add prints a one-time enrolment code; operator list reads it back from PostgreSQL', async () => {
    const r = await cli(withSecrets('operator', 'add', 'alice', '--role', 'admin', '--json'));
    expect([r.code, r.err]).toEqual([0, '']);
    expect((JSON.parse(r.out) as { enrolmentCode: string }).enrolmentCode).toMatch(/.{16,}/);
    const list = await cli(withSecrets('operator', 'list', '--json'));
    expect([list.code, list.err]).toEqual([0, '']);
    expect(
      (JSON.parse(list.out) as Array<{ name: string; role: string }>).map((o) => `${o.name}:${o.role}`),
    ).toEqual(['root:owner', 'alice:admin']);
    const rows = await admin(
      async (c) => (await c.query<{ name: string }>('SELECT name FROM operators')).rows.map((x) => x.name),
      database,
    );
    expect(rows.sort()).toEqual(['alice', 'root']);
  }, 60_000);

  it('vault rotate-master re-wraps in the shared store: the new key opens it, the old one no longer', async () => {
    const oldKey = keyFile;
    const newKey = join(dir, 'new-master.key');
    writeFileSync(newKey, randomBytes(32).toString('base64'), { mode: 0o600 });
    const r = await cli(['vault', 'rotate-master', ...withSecrets(), '--new-key-file', newKey]);
    expect([r.code, r.err]).toEqual([0, '']);
    // The exchange key, the two clients' verifiers and the audit checkpoint key.
    expect(r.out).toMatch(/re-wrapped 4 data keys/);
    keyFile = newKey;
    const keys = await cli(withSecrets('key', 'list', '--json'));
    expect([keys.code, keys.err]).toEqual([0, '']);
    expect(keys.out).toContain('bn');
    // The new key signs audit checkpoints with the re-wrapped checkpoint key: the chain verifies.
    const lock = await cli(
      withSecrets('lockdown', '--client', 'bot-a', '--reason', 'after rotation', '--json'),
    );
    expect([lock.code, lock.err]).toEqual([0, '']);
    const verify = await cli(['audit', 'verify', '--json', '--config', config]);
    expect((JSON.parse(verify.out) as { ok: boolean }).ok).toBe(true);
    // Negative control: the old key is refused now.
    keyFile = oldKey;
    const old = await cli(withSecrets('key', 'list'));
    expect(old.code).not.toBe(0);
    expect(old.err).toMatch(/master key/i);
    keyFile = newKey;
    expect(existsSync(join(dataDir, 'keywarden.db'))).toBe(false);
  }, 60_000);
});
