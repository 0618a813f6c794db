import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const CLI = join(import.meta.dirname, '../../dist/cli/main.js');
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const alnum = (n: number) => Array.from(randomBytes(n), (b) => ALNUM[b % ALNUM.length]).join('');
const digits = (n: number) => Array.from(randomBytes(n), (b) => String(b % 10)).join('');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kw-scan-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], input?: string, cwd = dir) {
  const res = spawnSync(process.execPath, [CLI, ...args], { cwd, input, encoding: 'utf8' });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

describe('keywarden scan (CLI)', () => {
  it('exits 0 on a clean tree, 1 with findings, 2 on a usage error', () => {
    writeFileSync(join(dir, 'clean.txt'), 'nothing to see\n');
    expect(run(['scan', '.']).code).toBe(0);
    const secret = alnum(64);
    writeFileSync(join(dir, '.env'), `BINANCE_API_KEY=${alnum(64)}\nBINANCE_API_SECRET=${secret}\n`);
    const found = run(['scan', '.', '--format', 'json']);
    expect(found.code).toBe(1);
    const report = JSON.parse(found.stdout) as {
      findings: Array<{ ruleId: string; file: string; line: number }>;
    };
    expect(report.findings.map((f) => [f.ruleId, f.file, f.line])).toEqual([
      ['binance-credentials', '.env', 1],
    ]);
    expect(found.stdout).not.toContain(secret);
    const bad = run(['scan', '.', '--format', 'xml']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('honours .gitignore, .keywardenignore and --no-gitignore', () => {
    const token = `ghp_${alnum(36)}`;
    mkdirSync(join(dir, 'build'));
    mkdirSync(join(dir, 'vendor'));
    writeFileSync(join(dir, 'build/out.js'), `const t = "${token}";\n`);
    writeFileSync(join(dir, 'vendor/x.js'), `const t = "${token}";\n`);
    writeFileSync(join(dir, '.gitignore'), 'build/\n');
    writeFileSync(join(dir, '.keywardenignore'), 'vendor/\n');
    expect(run(['scan', '.']).code).toBe(0);
    const all = run(['scan', '.', '--no-gitignore', '--format', 'json']);
    expect(
      (JSON.parse(all.stdout) as { findings: Array<{ file: string }> }).findings.map((f) => f.file),
    ).toEqual(['build/out.js']);
  });

  it('skips binary files and files over --max-file-size', () => {
    const token = `ghp_${alnum(36)}`;
    writeFileSync(
      join(dir, 'blob.bin'),
      Buffer.concat([Buffer.from([0, 1, 2, 0]), Buffer.from(`T=${token}\n`)]),
    );
    writeFileSync(join(dir, 'big.txt'), `${'x'.repeat(2048)}\nT=${token}\n`);
    expect(run(['scan', '.', '--max-file-size', '1k']).code).toBe(0);
    expect(run(['scan', '.', '--max-file-size', '1m']).code).toBe(1);
  });

  it('a worker pool finds the same as a single thread', () => {
    for (let i = 0; i < 20; i++)
      writeFileSync(join(dir, `f${i}.env`), i % 5 === 0 ? `T=ghp_${alnum(36)}\n` : 'x=1\n');
    const single = run(['scan', '.', '--format', 'json', '--workers', '0']);
    const pooled = run(['scan', '.', '--format', 'json', '--workers', '2']);
    expect(single.code).toBe(1);
    expect(pooled.stdout).toBe(single.stdout);
    expect((JSON.parse(pooled.stdout) as { findings: unknown[] }).findings).toHaveLength(4);
  });

  it('scans stdin with -', () => {
    const res = run(
      ['scan', '-', '--format', 'json'],
      `token: xoxb-${digits(11)}-${digits(12)}-${alnum(24)}\n`,
    );
    expect(res.code).toBe(1);
    expect(res.stdout).toContain('"file": "<stdin>"');
  });

  it('a written baseline silences known findings until a new secret appears', () => {
    writeFileSync(join(dir, 'a.env'), `T=ghp_${alnum(36)}\n`);
    const baseline = join(dir, 'baseline.json');
    expect(run(['scan', '.', '--write-baseline', baseline]).code).toBe(1);
    expect(run(['scan', '.', '--baseline', baseline]).code).toBe(0);
    writeFileSync(join(dir, 'b.env'), `U=ghp_${alnum(36)}\n`);
    expect(run(['scan', '.', '--baseline', baseline]).code).toBe(1);
    expect(readFileSync(baseline, 'utf8')).not.toContain('ghp_');
  });

  it('writes SARIF to a file with -o', () => {
    writeFileSync(join(dir, 'a.env'), `T=ghp_${alnum(36)}\n`);
    const out = join(dir, 'out.sarif');
    expect(run(['scan', 'a.env', '--format', 'sarif', '-o', out]).code).toBe(1);
    expect((JSON.parse(readFileSync(out, 'utf8')) as { version: string }).version).toBe('2.1.0');
  });
});

describe('keywarden hook install (CLI)', () => {
  it('installs a pre-commit hook that blocks a staged secret, and refuses to overwrite a foreign hook without --force', () => {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' });
    git('init', '-q');
    const hook = join(dir, '.git/hooks/pre-commit');
    writeFileSync(hook, '#!/bin/sh\necho mine\n', { mode: 0o755 });
    const refused = run(['hook', 'install']);
    expect(refused.code).toBe(1);
    expect(readFileSync(hook, 'utf8')).toContain('echo mine');
    const forced = run(['hook', 'install', '--force']);
    expect(forced.code).toBe(0);
    expect(readFileSync(hook, 'utf8')).toContain('keywarden scan --staged');
    expect(existsSync(`${hook}.keywarden-backup`)).toBe(true);
    expect(statSync(hook).mode & 0o111).not.toBe(0);
    expect(run(['hook', 'install']).stdout).toContain('unchanged');
  });
});

describe('keywarden scan with a vault in the data dir (CLI)', () => {
  it('names a leaked registered key and the lockdown command to run', async () => {
    const { openStore } = await import('../../src/store/db.js');
    const { initVault, openVault } = await import('../../src/vault/vault.js');
    const { createKeyRegistry } = await import('../../src/keys/index.js');
    const dataDir = join(dir, 'data');
    const passphrase = `pass-${alnum(20)}`;
    const registered = alnum(64);
    const store = await openStore(dataDir);
    try {
      await initVault(store, { kind: 'passphrase', passphrase });
      const vault = openVault(store);
      await vault.unseal({ kind: 'passphrase', passphrase });
      await createKeyRegistry(store, vault).add(
        { label: 'prod-binance', exchange: 'binance', environment: 'prod' },
        { apiKey: registered, secret: alnum(64) },
      );
      vault.seal();
    } finally {
      await store.close();
    }
    mkdirSync(join(dir, 'repo'));
    writeFileSync(
      join(dir, 'repo/a.env'),
      `BINANCE_API_KEY=${registered}\nBINANCE_API_SECRET=${alnum(64)}\n`,
    );
    writeFileSync(join(dir, 'repo/b.env'), `BINANCE_API_KEY=${alnum(64)}\nBINANCE_API_SECRET=${alnum(64)}\n`);
    writeFileSync(join(dir, 'pass.txt'), `${passphrase}\n`);

    const hinted = run(['--data-dir', dataDir, 'scan', 'repo']);
    expect(hinted.code).toBe(1);
    expect(hinted.stderr).toContain('--passphrase-file');

    const linked = run(['--data-dir', dataDir, 'scan', 'repo', '--passphrase-file', join(dir, 'pass.txt')]);
    expect(linked.code).toBe(1);
    expect(linked.stdout).toContain(
      'registered key prod-binance leaked: run `keywarden lockdown --key prod-binance`',
    );
    expect(linked.stdout.match(/registered key/g)).toHaveLength(1);
  });
});
