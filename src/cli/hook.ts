import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { action, CliError } from './cli-kit.js';
import { COMMANDS } from './commands.js';

const MARKER = '# keywarden pre-commit hook';

export const PRE_COMMIT_HOOK = `#!/bin/sh
${MARKER} (installed by \`keywarden hook install\`)
# Blocks the commit when staged changes contain a secret. Allow a line with a
# \`keywarden:allow\` comment, or record accepted findings with --write-baseline.
if command -v keywarden >/dev/null 2>&1; then
  exec keywarden scan --staged --no-progress
fi
exec npx --no-install keywarden scan --staged --no-progress
`;

/** Where git keeps hooks for the repository at `cwd` (honours core.hooksPath and worktrees). */
function hooksDir(cwd: string): string {
  const res = spawnSync('git', ['rev-parse', '--git-path', 'hooks'], { cwd, encoding: 'utf8' });
  if (res.status !== 0) throw new CliError('not inside a git repository');
  const dir = res.stdout.trim();
  return isAbsolute(dir) ? dir : resolve(cwd, dir);
}

export function installHook(
  cwd: string,
  force: boolean,
): { path: string; status: 'installed' | 'unchanged' | 'replaced' } {
  const dir = hooksDir(cwd);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'pre-commit');
  let status: 'installed' | 'unchanged' | 'replaced' = 'installed';
  if (existsSync(path)) {
    const current = readFileSync(path, 'utf8');
    if (current === PRE_COMMIT_HOOK) return { path, status: 'unchanged' };
    if (!force && !current.includes(MARKER)) {
      throw new CliError(
        `${path} exists and is not keywarden's; use --force to replace it (a backup is kept)`,
      );
    }
    if (!current.includes(MARKER)) writeFileSync(`${path}.keywarden-backup`, current, { mode: 0o755 });
    status = 'replaced';
  }
  writeFileSync(path, PRE_COMMIT_HOOK, { mode: 0o755 });
  chmodSync(path, 0o755);
  return { path, status };
}

export function register(program: Command): void {
  const hook = program.command('hook').description(COMMANDS.hook.summary);
  hook
    .command('install')
    .description('Install a pre-commit hook running `keywarden scan --staged`')
    .option('--force', 'replace an existing pre-commit hook (kept as pre-commit.keywarden-backup)')
    .option('--repo <dir>', 'repository directory', '.')
    .action(
      action((flags: { force?: boolean; repo: string }) => {
        const { path, status } = installHook(resolve(flags.repo), flags.force === true);
        process.stdout.write(`pre-commit hook ${status}: ${path}\n`);
      }),
    );
}
