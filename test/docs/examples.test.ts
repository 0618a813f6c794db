/**
 * The command examples in README.md and docs/*.md that are marked `<!-- check -->` run, as
 * written, against the built CLI and the built-in sandbox: one fresh directory per page (a git
 * repository, the page's data dir `./.keywarden`, a `keywarden sandbox` started in it, the
 * sandbox keys as `<exchange>-<name>.json`, a copy of examples/), a master key in
 * KEYWARDEN_MASTER_KEY and every exchange's base URL pointed at the sandbox. Nothing else from
 * the user's environment reaches the commands (a user's KEYWARDEN_* must not matter).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkedSteps, type Step } from './markdown.js';

const ROOT = join(import.meta.dirname, '../..');
const MAIN = join(ROOT, 'dist/cli/main.js');

interface Run {
  code: number | null;
  out: string;
}

function run(file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

/** `keywarden sandbox --port 0` in the page's data dir; resolves with each exchange's base URL. */
function startSandbox(
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; origin: string; bases: Map<string, string> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, 'sandbox', '--port', '0'], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (!out.includes('keys: ')) return;
      const origin = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      const bases = new Map(
        [...out.matchAll(/^ {2}(\w+)\s+(http:\/\/\S+)$/gm)].map((m) => [m[1] ?? '', m[2] ?? '']),
      );
      if (origin && bases.size > 0) resolve({ child, origin, bases });
      else reject(new Error(`unexpected sandbox banner: ${out}`));
    });
    child.once('exit', (code) => reject(new Error(`sandbox exited early (${code}): ${out}`)));
  });
}

interface Page {
  name: string;
  steps: Step[];
}

function pages(): Page[] {
  const files = [
    'README.md',
    ...readdirSync(join(ROOT, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ];
  return files
    .map((name) => ({ name, steps: checkedSteps(readFileSync(join(ROOT, name), 'utf8')) }))
    .filter((p) => p.steps.length > 0);
}

const PAGES = pages();

it('finds checked examples in the docs (the convention is in use)', () => {
  const commands = PAGES.flatMap((p) => p.steps.flatMap((s) => (s.kind === 'run' ? s.commands : [])));
  expect(PAGES.map((p) => p.name)).toEqual(expect.arrayContaining(['docs/cli.md', 'docs/operations.md']));
  expect(commands.length).toBeGreaterThan(40);
});

for (const page of PAGES) {
  describe(`${page.name}: checked examples`, () => {
    let root: string;
    let work: string;
    let env: NodeJS.ProcessEnv;
    let sandbox: ChildProcess | undefined;
    /** Exchange secrets the vault holds; no command but `sandbox keys` may print one. */
    const secrets: string[] = [];

    beforeAll(async () => {
      if (!existsSync(MAIN)) throw new Error('run npm run build first');
      root = mkdtempSync(join(tmpdir(), 'kw-docs-'));
      work = join(root, 'work');
      const bin = join(root, 'bin');
      mkdirSync(work);
      mkdirSync(bin);
      writeFileSync(join(bin, 'keywarden'), `#!/bin/sh\nexec "${process.execPath}" "${MAIN}" "$@"\n`);
      chmodSync(join(bin, 'keywarden'), 0o755);
      env = {
        PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
        HOME: root,
        KEYWARDEN_MASTER_KEY: randomBytes(32).toString('base64'),
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_AUTHOR_NAME: 'docs',
        GIT_AUTHOR_EMAIL: 'docs@example.invalid',
        GIT_COMMITTER_NAME: 'docs',
        GIT_COMMITTER_EMAIL: 'docs@example.invalid',
      };
      expect((await run('git', ['init', '-q'], work, env)).code).toBe(0);
      const started = await startSandbox(work, env);
      sandbox = started.child;
      for (const [exchange, base] of started.bases)
        env[`KEYWARDEN_${exchange.toUpperCase()}_BASE_URL`] = base;
      const port = new URL(started.origin).port;
      const keys = await run(
        process.execPath,
        [MAIN, 'sandbox', 'keys', '--json', '--port', port],
        work,
        env,
      );
      expect(keys.code).toBe(0);
      for (const key of JSON.parse(keys.out) as Array<{
        exchange: string;
        name: string;
        ccxt: Record<string, unknown>;
      }>) {
        const { apiKey, secret, password, uid } = key.ccxt;
        writeFileSync(
          join(work, `${key.exchange}-${key.name}.json`),
          `${JSON.stringify({ apiKey, secret, password, uid })}\n`,
        );
        if (typeof secret === 'string') secrets.push(secret);
      }
      cpSync(join(ROOT, 'examples'), join(work, 'examples'), { recursive: true });
    }, 60_000);

    afterAll(() => {
      if (sandbox?.exitCode === null) sandbox.kill('SIGTERM');
      if (root) rmSync(root, { recursive: true, force: true });
    });

    for (const step of page.steps) {
      if (step.kind === 'file') {
        it(`line ${step.line}: writes ${step.name}`, () => {
          writeFileSync(join(work, step.name), step.content);
        });
        continue;
      }
      it(`line ${step.line}: ${step.commands[0]?.text ?? ''}`, async () => {
        let output = '';
        for (const command of step.commands) {
          const result = await run('/bin/sh', ['-c', command.text], work, env);
          const where = `${page.name}:${command.line}: ${command.text}\n${result.out}`;
          expect(result.code, where).toBe(command.exitCode);
          if (!/\bsandbox keys\b|^cat /.test(command.text))
            for (const secret of secrets)
              expect(result.out.includes(secret), `${where}\nprints a secret`).toBe(false);
          output += result.out;
        }
        for (const text of step.expect) expect(output, `${page.name}:${step.line}`).toContain(text);
      }, 300_000);
    }
  });
}
