/**
 * Repository hygiene end to end on real git repositories made here: every check fires where it
 * should, with its fix; the printed fix commands, run as printed, clear their findings; a clean
 * repository (the same shapes done right) gets none. Secret values are random, made at run time.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkHygiene, formatHygieneText } from '../../src/scan/hygiene.js';
import type { HygieneFinding } from '../../src/scan/hygiene-types.js';

const MAIN = join(import.meta.dirname, '../../dist/cli/main.js');
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const alnum = (n: number) => Array.from(randomBytes(n), (b) => ALNUM[b % ALNUM.length]).join('');

const repos: string[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) rmSync(r, { recursive: true, force: true });
});

function makeRepo(): {
  dir: string;
  git: (...args: string[]) => string;
  write: (path: string, text: string) => void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'kw-hygiene-'));
  repos.push(dir);
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'Dev');
  git('config', 'user.email', 'dev@example.test');
  git('config', 'commit.gpgsign', 'false');
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  return { dir, git, write };
}

const privatePem = () =>
  generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const publicPem = () =>
  generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();

const where = (f: HygieneFinding) => `${f.check} ${f.file}${f.line !== undefined ? `:${f.line}` : ''}`;

describe('repository hygiene', () => {
  it('a clean repository gets no finding', () => {
    const { dir, git, write } = makeRepo();
    write('.gitignore', 'node_modules/\n.env\n.env.*\n!.env.example\n');
    write('.env.example', 'BINANCE_API_KEY=\nBINANCE_API_SECRET=\n');
    write('.env', `BINANCE_API_KEY=${alnum(64)}\n`);
    write('.env.local', `BINANCE_API_SECRET=${alnum(64)}\n`);
    write(
      '.github/workflows/deploy.yml',
      `on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    env:\n      NODE_ENV: production\n      BINANCE_API_SECRET: \${{ secrets.BINANCE_API_SECRET }}\n      TOKEN_FORMAT: access_token\n    steps:\n      - uses: docker/login-action@v3\n        with:\n          username: deploy-bot\n          password: \${{ secrets.REGISTRY_PASSWORD }}\n`,
    );
    write('.gitlab-ci.yml', 'variables:\n  DEPLOY_TOKEN: $CI_DEPLOY_TOKEN\n  GIT_DEPTH: "10"\n');
    write(
      '.circleci/config.yml',
      'version: 2.1\njobs:\n  test:\n    environment:\n      SECRET_NAME: prod/api\n',
    );
    write(
      'docker-compose.yml',
      `services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: \${POSTGRES_PASSWORD}\n      POSTGRES_USER: app\n  app:\n    environment:\n      - API_SECRET=\${API_SECRET}\n`,
    );
    write(
      'Dockerfile',
      'FROM node:20\nARG NPM_TOKEN\nENV NODE_ENV=production\nENV KEY_PATH=/run/secrets/key\n',
    );
    write('certs/ca.pem', publicPem());
    git('add', '.');
    git('commit', '-q', '-m', 'init');
    const report = checkHygiene(dir);
    expect(report.findings.map(where)).toEqual([]);
    expect(formatHygieneText(report)).toMatch(/^No hygiene findings/);
  });

  it('every check fires where it should, with its fix, and the printed fixes clear the tree checks', () => {
    const { dir, git, write } = makeRepo();
    const secrets: string[] = [];
    const secret = (n: number) => {
      const v = alnum(n);
      secrets.push(v);
      return v;
    };
    write('README.md', '# bot\n');
    write('.env.production', `BINANCE_API_SECRET=${secret(64)}\n`);
    git('add', '.');
    git('commit', '-q', '-m', 'init');
    const leaking = git('rev-parse', 'HEAD');
    git('rm', '-q', '.env.production');
    git('commit', '-q', '-m', 'remove env');

    write('.env', `BINANCE_API_KEY=${secret(64)}\n`);
    write(
      '.github/workflows/deploy.yml',
      `on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    env:\n      BINANCE_API_SECRET: ${secret(40)}\n    steps:\n      - uses: docker/login-action@v3\n        with:\n          username: deploy-bot\n          password: ${secret(20)}\n      - run: curl -H "Authorization: Bearer kw_${secret(30)}" https://example.test\n`,
    );
    write('.gitlab-ci.yml', `variables:\n  DEPLOY_TOKEN: ${secret(24)}\n`);
    write(
      '.circleci/config.yml',
      `version: 2.1\njobs:\n  test:\n    environment:\n      SLACK_WEBHOOK_SECRET: ${secret(30)}\n`,
    );
    write(
      'docker-compose.yml',
      `services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: ${secret(16)}\n  app:\n    environment:\n      - API_SECRET=${secret(32)}\n    command: ["node", "bot.js", "--token-file", "x"]\n`,
    );
    write(
      'Dockerfile',
      `FROM node:20\nARG NPM_TOKEN=npm_${secret(36)}\nENV API_TOKEN=${secret(32)} LOG=info\n`,
    );
    write('tls/server.key', privatePem());
    write('tls/private.pem', privatePem());
    write(
      `keystore/UTC--2024-05-01T10-00-00.000000000Z--${randomBytes(20).toString('hex')}`,
      '{"version":3}\n',
    );
    git('add', '.');
    git('commit', '-q', '-m', 'deploy');
    // Not added: a new .env next to the code.
    write('config/.env.local', `OKX_PASSPHRASE=${secret(12)}\n`);

    const report = checkHygiene(dir);
    expect(report.findings.map(where).sort()).toEqual(
      [
        'env-tracked .env',
        'env-not-ignored config/.env.local',
        'env-in-history .env.production',
        'ci-secret-literal .github/workflows/deploy.yml:6',
        'ci-secret-literal .github/workflows/deploy.yml:11',
        'ci-secret-literal .github/workflows/deploy.yml:12',
        'ci-secret-literal .gitlab-ci.yml:2',
        'ci-secret-literal .circleci/config.yml:5',
        'compose-secret-literal docker-compose.yml:5',
        'compose-secret-literal docker-compose.yml:8',
        'dockerfile-secret Dockerfile:2',
        'dockerfile-secret Dockerfile:3',
        'key-material-tracked tls/server.key',
        'key-material-tracked tls/private.pem',
        `key-material-tracked keystore/UTC--2024-05-01T10-00-00.000000000Z--${report.findings.find((f) => f.file.startsWith('keystore/'))?.file.slice(-40)}`,
      ].sort(),
    );
    const one = (check: string, file: string) => {
      const f = report.findings.find((x) => x.check === check && x.file === file);
      if (!f) throw new Error(`no ${check} for ${file}`);
      return f;
    };
    expect(one('env-tracked', '.env').fix.commands).toEqual([
      'git rm --cached .env',
      "printf '%s\\n' .env '.env.*' '!.env.example' >> .gitignore",
    ]);
    expect(one('env-in-history', '.env.production').commit).toBe(leaking);
    expect(one('env-in-history', '.env.production').fix.commands[0]).toBe(
      'git filter-repo --invert-paths --path .env.production',
    );
    const ci = report.findings.filter((f) => f.file === '.github/workflows/deploy.yml');
    expect(ci.map((f) => f.name)).toEqual(['BINANCE_API_SECRET', 'password', 'keywarden-client-credential']);
    expect(ci[0]?.fix.commands).toEqual(['gh secret set BINANCE_API_SECRET']);
    expect(one('ci-secret-literal', '.gitlab-ci.yml').fix.action).toMatch(/Settings → CI\/CD → Variables/);
    expect(one('ci-secret-literal', '.circleci/config.yml').fix.action).toMatch(/Environment Variables/);
    expect(one('key-material-tracked', 'tls/server.key').fix.gitignore).toEqual(['*.key']);
    const docker = report.findings.filter((f) => f.check === 'dockerfile-secret');
    expect(docker.map((f) => f.name)).toEqual(['NPM_TOKEN', 'API_TOKEN']);
    expect(docker[0]?.fix.commands).toEqual(['docker build --secret id=npm_token,env=NPM_TOKEN .']);
    // Names, never values.
    const text = `${JSON.stringify(report)}\n${formatHygieneText(report)}`;
    expect(secrets.length).toBeGreaterThan(10);
    for (const value of secrets) expect(text).not.toContain(value);

    // Run the tree fixes exactly as printed; their findings go, the others stay.
    const tree = report.findings.filter((f) =>
      ['env-tracked', 'env-not-ignored', 'key-material-tracked'].includes(f.check),
    );
    for (const f of tree) for (const c of f.fix.commands) execFileSync('sh', ['-c', c], { cwd: dir });
    const after = checkHygiene(dir).findings.map((f) => f.check);
    expect(after).not.toContain('env-tracked');
    expect(after).not.toContain('env-not-ignored');
    expect(after).not.toContain('key-material-tracked');
    expect(after).toContain('env-in-history');
    expect(after).toContain('ci-secret-literal');
  });

  it('keywarden scan --hygiene: exit 1 with findings (json), 0 when clean, 2 outside a repository', () => {
    const { dir, git, write } = makeRepo();
    write('.env', `BINANCE_API_KEY=${alnum(64)}\n`);
    git('add', '.');
    git('commit', '-q', '-m', 'init');
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [MAIN, 'scan', '--hygiene', ...args], { encoding: 'utf8' });
    const dirty = run(dir, '--format', 'json');
    expect(dirty.status).toBe(1);
    expect((JSON.parse(dirty.stdout) as { findings: HygieneFinding[] }).findings.map((f) => f.check)).toEqual(
      ['env-tracked'],
    );
    git('rm', '-q', '--cached', '.env');
    writeFileSync(join(dir, '.gitignore'), '.env\n');
    git('add', '.gitignore');
    git('commit', '-q', '-m', 'untrack env');
    unlinkSync(join(dir, '.env'));
    // Clean now except history: the committed .env is still there.
    const history = run(dir);
    expect(history.status).toBe(1);
    expect(history.stdout).toMatch(/env-in-history/);
    // Listed in .keywardenignore (fake leaks kept on purpose): left out.
    writeFileSync(join(dir, '.keywardenignore'), '.env\n');
    expect(run(dir).status).toBe(0);
    unlinkSync(join(dir, '.keywardenignore'));

    const clean = makeRepo();
    clean.write('README.md', '# ok\n');
    clean.git('add', '.');
    clean.git('commit', '-q', '-m', 'init');
    const ok = run(clean.dir);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^No hygiene findings/);

    const outside = mkdtempSync(join(tmpdir(), 'kw-hygiene-norepo-'));
    repos.push(outside);
    const bad = run(outside);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/not inside a git repository/);
    expect(run(dir, '--format', 'sarif').status).toBe(2);
  });
});
