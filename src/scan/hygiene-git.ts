import { execFileSync } from 'node:child_process';
import { KeywardenError } from '../core/index.js';

/** Runs git (argv array, never a shell) in `cwd` and returns its stdout. */
function git(cwd: string, args: string[], input?: string): string {
  try {
    return execFileSync('git', ['-c', 'core.quotepath=false', ...args], {
      cwd,
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(input !== undefined ? { input } : {}),
    });
  } catch (err) {
    const status = (err as { status?: number }).status;
    // check-ignore exits 1 when nothing is ignored: an answer, not a failure.
    if (args[0] === 'check-ignore' && status === 1) return '';
    const stderr = String((err as { stderr?: unknown }).stderr ?? '').split('\n')[0];
    throw new KeywardenError('invalid_input', `git ${args[0]} failed: ${stderr || 'git not found'}`);
  }
}

const nulSplit = (text: string) => text.split('\0').filter((s) => s !== '');

/** What the hygiene checks read from one repository. */
export interface RepoView {
  root: string;
  tracked: string[];
  /** Untracked files that no ignore rule covers. */
  untracked: string[];
  /** Of `paths`, those an ignore rule covers (tracked or not). */
  ignored(paths: readonly string[]): Set<string>;
  /** Every path ever added in any commit, with the oldest commit that added it. */
  added(): Map<string, string>;
}

export function openRepo(path: string): RepoView {
  let root: string;
  try {
    root = git(path, ['rev-parse', '--show-toplevel']).trim();
  } catch {
    throw new KeywardenError('invalid_input', `${path.slice(0, 200)} is not inside a git repository`);
  }
  return {
    root,
    tracked: nulSplit(git(root, ['ls-files', '-z'])),
    untracked: nulSplit(git(root, ['ls-files', '-z', '--others', '--exclude-standard'])),
    ignored(paths) {
      if (paths.length === 0) return new Set();
      return new Set(
        nulSplit(git(root, ['check-ignore', '--no-index', '--stdin', '-z'], `${paths.join('\0')}\0`)),
      );
    },
    added() {
      const out = new Map<string, string>();
      // Newest first: the last commit seen for a path is the oldest that added it.
      let commit = '';
      const log = git(root, ['log', '--all', '--diff-filter=A', '--name-only', '--format=%x01%H']);
      for (const line of log.split('\n')) {
        if (line.startsWith('\u0001')) commit = line.slice(1);
        else if (line !== '') out.set(line, commit);
      }
      return out;
    },
  };
}
