import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { malformedPem } from '../pem.js';

const MAIN = join(process.cwd(), 'dist/cli/main.js');

function run(args: string[], env: Record<string, string>, input?: string) {
  const r = spawnSync(process.execPath, [MAIN, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    input: input ?? '',
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? allFiles(p) : [p];
  });
}

/** The forms a planted value could leak in: raw, hex and base64. */
function forms(value: string): string[] {
  return [value, Buffer.from(value).toString('hex'), Buffer.from(value).toString('base64')];
}

type Mode = 'env master key' | 'passphrase';

/**
 * Plants a distinctive secret, runs key add/list/show/retire, a wrong-key (or wrong-passphrase)
 * unseal and a master-key rotation, then searches every file in the data directory — including
 * the SQLite WAL and shared-memory files, kept alive by a connection held open for the whole run
 * (SQLite deletes the WAL when its last connection closes) — and all stdout/stderr.
 */
function canaryRun(mode: Mode): void {
  const dir = mkdtempSync(join(tmpdir(), 'kw-canary-'));
  const dataDir = join(dir, 'data');
  const secret = `CANARY${randomBytes(24).toString('hex')}`;
  const apiKey = `canarykey${randomBytes(16).toString('hex')}`;
  const mk = randomBytes(32).toString('base64');
  const mk2 = randomBytes(32).toString('base64');
  const pass1 = `canary pass one ${randomBytes(8).toString('hex')}`;
  const pass2 = `canary pass two ${randomBytes(8).toString('hex')}`;
  const wrongPass = `canary wrong pass ${randomBytes(8).toString('hex')}`;
  const pf = (name: string, value: string) => {
    const f = join(dir, name);
    writeFileSync(f, `${value}\n`, { mode: 0o600 });
    return f;
  };
  const pass1File = pf('p1', pass1);
  const pass2File = pf('p2', pass2);
  const wrongFile = pf('pw', wrongPass);
  const base = { KEYWARDEN_DATA_DIR: dataDir };
  // The current master-key source, then the one after rotation.
  const env =
    mode === 'passphrase'
      ? { ...base, KEYWARDEN_PASSPHRASE_FILE: pass1File }
      : { ...base, KEYWARDEN_MASTER_KEY: mk };
  const rotatedEnv =
    mode === 'passphrase'
      ? { ...base, KEYWARDEN_PASSPHRASE_FILE: pass2File }
      : { ...base, KEYWARDEN_MASTER_KEY: mk2 };
  const outputs: string[] = [];
  const step = (args: string[], e: Record<string, string>, input?: string, expectCode = 0) => {
    const r = run(args, e, input);
    outputs.push(r.out, r.err);
    expect(r.code, `${args.join(' ')}: ${r.err}`).toBe(expectCode);
    return r;
  };
  step(
    mode === 'passphrase' ? ['init', '--passphrase-file', pass1File] : ['init'],
    mode === 'passphrase' ? base : env,
  );
  // Hold the database open so the WAL and -shm files outlive each command and get searched.
  const holder = new SQLite(join(dataDir, 'keywarden.db'));
  // A connection attaches to the WAL at its first read, and keeps it until it closes.
  holder.prepare('SELECT count(*) FROM sqlite_master').get();
  try {
    step(
      ['key', 'add', 'binance', '--label', 'canary', '--env', 'test', '--stdin'],
      env,
      JSON.stringify({ apiKey, secret }),
    );
    step(
      ['key', 'add', 'binance', '--label', 'canary', '--stdin'],
      env,
      JSON.stringify({ apiKey, secret }),
      1,
    );
    step(['key', 'list', '--json'], env);
    const shown = step(['key', 'show', 'canary'], env);
    expect(shown.out).toContain(apiKey.slice(-4));
    step(['key', 'retire', 'canary'], env);
    const wrong =
      mode === 'passphrase'
        ? step(['unseal', '--passphrase-file', wrongFile], base, undefined, 1)
        : step(['unseal'], { ...base, KEYWARDEN_MASTER_KEY: mk2 }, undefined, 1);
    expect(wrong.err.trim().split('\n')).toHaveLength(1);
    expect(wrong.err).toMatch(/wrong passphrase or master key/i);
    step(
      ['vault', 'rotate-master', ...(mode === 'passphrase' ? ['--new-passphrase-file', pass2File] : [])],
      mode === 'passphrase' ? env : { ...env, KEYWARDEN_NEW_MASTER_KEY: mk2 },
    );
    step(['unseal'], rotatedEnv);
    step(['key', 'list', '--all', '--json'], rotatedEnv);

    const files = allFiles(dataDir);
    const names = files.map((f) => f.slice(dataDir.length + 1));
    expect(names).toContain('keywarden.db');
    expect(names).toContain('keywarden.db-wal');
    expect(names).toContain('keywarden.db-shm');
    expect(statSync(join(dataDir, 'keywarden.db-wal')).size).toBeGreaterThan(0);
    // Positive control: the WAL holds the key's pages (its clear label), so a leaked secret there would show.
    expect(readFileSync(join(dataDir, 'keywarden.db-wal')).includes(Buffer.from('canary'))).toBe(true);
    // The secret and api key, and the master-key material, never reach a file or an output.
    const planted = [
      ...forms(secret),
      ...forms(apiKey),
      ...forms(pass1),
      ...forms(pass2),
      ...forms(wrongPass),
      mk,
      mk2,
    ];
    for (const f of files) {
      const bytes = readFileSync(f);
      for (const form of planted) expect(bytes.includes(Buffer.from(form)), `${form} in ${f}`).toBe(false);
    }
    for (const o of outputs) for (const form of planted) expect(o.includes(form)).toBe(false);
  } finally {
    holder.close();
  }
}

describe('vault canary', () => {
  it('never writes the planted secret to disk or output (master key from the environment)', () => {
    canaryRun('env master key');
  }, 60_000);

  it('never writes the planted secret to disk or output (passphrase vault, wrong-passphrase unseal)', () => {
    canaryRun('passphrase');
  }, 120_000);

  it('gives one-line errors for bad input', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kw-bad-'));
    const env = {
      KEYWARDEN_DATA_DIR: join(dir, 'd'),
      KEYWARDEN_MASTER_KEY: randomBytes(32).toString('base64'),
    };
    const noVault = run(['key', 'list'], env);
    expect(noVault.code).not.toBe(0);
    expect(noVault.err).toMatch(/not been initialised/);
    expect(run(['init'], env).code).toBe(0);
    expect(run(['init'], env).err).toMatch(/already exists/);
    const cases: Array<[string[], string, RegExp]> = [
      [['key', 'add', 'ftx', '--label', 'x', '--stdin'], '{"apiKey":"a","secret":"b"}', /Unknown exchange/],
      [['key', 'add', 'okx', '--label', 'x', '--stdin'], '{"apiKey":"a","secret":"b"}', /password/],
      [
        ['key', 'add', 'coinbase', '--label', 'x', '--stdin'],
        JSON.stringify({ apiKey: 'a', secret: malformedPem('ec-sec1') }),
        /PEM|coinbase/i,
      ],
      [['key', 'add', 'binance', '--label', 'x'], '', /No secret source/],
    ];
    for (const [args, input, re] of cases) {
      const r = run(args, env, input);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.err).toMatch(re);
      expect(r.err.trim().split('\n')).toHaveLength(1);
    }
    const pf = join(dir, 'pass');
    writeFileSync(pf, 'wrong passphrase\n');
    const r = run(['unseal', '--passphrase-file', pf], { KEYWARDEN_DATA_DIR: env.KEYWARDEN_DATA_DIR });
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/master key|passphrase/i);
  });
});
