import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scanGit, scanTree } from '../../src/scan/scanner.js';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const alnum = (n: number) => Array.from(randomBytes(n), (b) => ALNUM[b % ALNUM.length]).join('');

let repo: string;
const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();

beforeEach(() => {
  repo = mkdtempSync(join(tmpdir(), 'kw-scan-git-'));
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'Leaky Dev');
  git('config', 'user.email', 'leaky@example.test');
  git('config', 'commit.gpgsign', 'false');
});
afterEach(() => rmSync(repo, { recursive: true, force: true }));

describe('git history scan', () => {
  it('finds a secret added in one commit and deleted in the next, with its commit, author, date and line', async () => {
    writeFileSync(join(repo, 'README.md'), '# bot\n');
    git('add', '.');
    git('commit', '-q', '-m', 'init');
    const key = alnum(64);
    writeFileSync(
      join(repo, 'config.env'),
      `LOG=info\nBINANCE_API_KEY=${key}\nBINANCE_API_SECRET=${alnum(64)}\n`,
    );
    git('add', '.');
    git('commit', '-q', '-m', 'add config');
    const leaking = git('rev-parse', 'HEAD');
    writeFileSync(join(repo, 'config.env'), 'LOG=info\n');
    git('add', '.');
    git('commit', '-q', '-m', 'remove keys');

    // The working tree is clean now...
    expect((await scanTree(repo, { maxFileBytes: 1e6, gitignore: true, workers: 0 })).findings).toEqual([]);
    // ...but history still holds the pair.
    const findings = await scanGit(repo, 'history');
    expect(findings).toHaveLength(1);
    const f = findings[0];
    expect(f?.ruleId).toBe('binance-credentials');
    expect(f?.commit).toBe(leaking);
    expect(f?.file).toBe('config.env');
    expect(f?.line).toBe(2);
    expect(f?.author).toBe('Leaky Dev <leaky@example.test>');
    expect(f?.date).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(f?.redacted).toBe(`${key.slice(0, 4)}…${key.slice(-4)}`);
  });

  it('--staged sees only what is staged, at its line in the new file', async () => {
    writeFileSync(join(repo, 'a.txt'), 'one\ntwo\n');
    git('add', '.');
    git('commit', '-q', '-m', 'init');
    const token = `ghp_${alnum(36)}`;
    writeFileSync(join(repo, 'a.txt'), `one\ntwo\nTOKEN=${token}\n`);
    expect(await scanGit(repo, 'staged')).toEqual([]);
    git('add', 'a.txt');
    const staged = await scanGit(repo, 'staged');
    expect(staged.map((f) => [f.ruleId, f.file, f.line, f.commit])).toEqual([
      ['github-token', 'a.txt', 3, undefined],
    ]);
  });

  it('fails with a typed error outside a repository', async () => {
    const notRepo = mkdtempSync(join(tmpdir(), 'kw-scan-norepo-'));
    try {
      await expect(scanGit(notRepo, 'history')).rejects.toMatchObject({ code: 'invalid_input' });
    } finally {
      rmSync(notRepo, { recursive: true, force: true });
    }
  });
});
