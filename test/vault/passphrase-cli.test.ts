/**
 * The passphrase path end to end through the built CLI: `init --passphrase-file` creates a
 * scrypt vault, `unseal --passphrase-file` (or KEYWARDEN_PASSPHRASE_FILE) opens it, and a wrong
 * or empty passphrase gives one clear line on stderr and a non-zero exit, never a stack trace.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MAIN = join(process.cwd(), 'dist/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'kw-pass-'));
const dataDir = join(dir, 'data');
const passphrase = `correct horse ${randomBytes(8).toString('hex')}`;
const goodFile = join(dir, 'good.pass');
const wrongFile = join(dir, 'wrong.pass');
const wrongPassphrase = `wrong horse ${randomBytes(8).toString('hex')}`;

/** No KEYWARDEN_MASTER_KEY in the environment: the passphrase is the only master-key source. */
function run(args: string[], extraEnv: Record<string, string> = {}, input = '') {
  const r = spawnSync(process.execPath, [MAIN, ...args], {
    env: { PATH: process.env.PATH ?? '', KEYWARDEN_DATA_DIR: dataDir, ...extraEnv },
    input,
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function expectOneLineError(r: { code: number | null; out: string; err: string }, pattern: RegExp): void {
  expect(r.code).not.toBe(0);
  expect(r.code).not.toBeNull();
  const lines = r.err.trim().split('\n');
  expect(lines, r.err).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(r.err).not.toMatch(/\n\s+at /);
}

beforeAll(() => {
  if (!existsSync(MAIN)) throw new Error('run npm run build first');
  // A trailing newline, as an editor or `echo` leaves it, is not part of the passphrase.
  writeFileSync(goodFile, `${passphrase}\n`, { mode: 0o600 });
  writeFileSync(wrongFile, `${wrongPassphrase}\n`, { mode: 0o600 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('passphrase-protected vault through the CLI', () => {
  it('init --passphrase-file creates a scrypt vault (N >= 2^17, r=8, p=1, random salt)', () => {
    const r = run(['init', '--passphrase-file', goodFile]);
    expect(r.code, r.err).toBe(0);
    const db = new SQLite(join(dataDir, 'keywarden.db'), { readonly: true });
    const kdf = JSON.parse(
      db.prepare('SELECT kdf_json FROM vault_meta WHERE id = 1').pluck().get() as string,
    ) as {
      kind: string;
      N: number;
      r: number;
      p: number;
      salt: string;
    };
    db.close();
    expect(kdf.kind).toBe('scrypt');
    expect(kdf.N).toBeGreaterThanOrEqual(2 ** 17);
    expect([kdf.r, kdf.p]).toEqual([8, 1]);
    expect(Buffer.from(kdf.salt, 'base64').length).toBeGreaterThanOrEqual(16);
  }, 60_000);

  it('unseal --passphrase-file and KEYWARDEN_PASSPHRASE_FILE open it', () => {
    const flag = run(['unseal', '--passphrase-file', goodFile]);
    expect(flag.code, flag.err).toBe(0);
    expect(flag.out).toMatch(/unseals the vault/);
    const env = run(['unseal'], { KEYWARDEN_PASSPHRASE_FILE: goodFile });
    expect(env.code, env.err).toBe(0);
  }, 60_000);

  it('a registered key is usable after unsealing with the passphrase', () => {
    const added = run(
      ['key', 'add', 'bybit', '--label', 'pp', '--env', 'test', '--stdin', '--passphrase-file', goodFile],
      {},
      JSON.stringify({
        apiKey: `ppkey${randomBytes(8).toString('hex')}`,
        secret: randomBytes(16).toString('hex'),
      }),
    );
    expect(added.code, added.err).toBe(0);
    const listed = run(['key', 'list', '--json', '--passphrase-file', goodFile]);
    expect(listed.code, listed.err).toBe(0);
    expect((JSON.parse(listed.out) as Array<{ label: string }>).map((k) => k.label)).toContain('pp');
  }, 60_000);

  it('a wrong passphrase gives one clear line and a non-zero exit, and is not echoed', () => {
    const r = run(['unseal', '--passphrase-file', wrongFile]);
    expectOneLineError(r, /wrong passphrase or master key/i);
    expect(`${r.out}${r.err}`).not.toContain(wrongPassphrase);
    // The same through a command that needs the vault.
    expectOneLineError(
      run(['key', 'list', '--passphrase-file', wrongFile]),
      /wrong passphrase or master key/i,
    );
  }, 60_000);

  it('an empty or missing passphrase file is refused in one line', () => {
    const empty = join(dir, 'empty.pass');
    writeFileSync(empty, '\n');
    expectOneLineError(run(['unseal', '--passphrase-file', empty]), /passphrase/i);
    expectOneLineError(run(['unseal', '--passphrase-file', join(dir, 'missing.pass')]), /passphrase file/i);
  }, 60_000);

  it('a master key from the environment is refused for a passphrase vault (positive control above)', () => {
    const r = run(['unseal'], { KEYWARDEN_MASTER_KEY: randomBytes(32).toString('base64') });
    expectOneLineError(r, /passphrase|master key/i);
  }, 60_000);
});
