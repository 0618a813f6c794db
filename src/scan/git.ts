import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { KeywardenError } from '../core/index.js';

/** The lines one commit (or the index) added to one file, with their line numbers in the new file. */
export interface AddedChunk {
  file: string;
  commit?: string;
  author?: string;
  date?: string;
  text: string;
  /** lineNumbers[i] is the new-file line of the chunk's (i+1)th line. */
  lineNumbers: number[];
}

const COMMIT_MARK = '\u0001';

/** `git log -p` over the whole history: every commit's added lines, streamed. */
export function historyArgs(): string[] {
  return [
    '-c',
    'core.quotepath=false',
    'log',
    '--all',
    '-p',
    '-U0',
    '--no-color',
    '--no-ext-diff',
    '--no-renames',
    '--diff-filter=AMC',
    `--format=${COMMIT_MARK}%H%x00%an <%ae>%x00%aI`,
  ];
}

export function stagedArgs(): string[] {
  return [
    '-c',
    'core.quotepath=false',
    'diff',
    '--cached',
    '-U0',
    '--no-color',
    '--no-ext-diff',
    '--no-renames',
    '--diff-filter=AMC',
  ];
}

/**
 * Runs git (argv array, never a shell) and yields added-line chunks as they stream in, so
 * memory stays bounded by the largest single file diff.
 */
export async function* addedChunks(args: string[], cwd: string): AsyncGenerator<AddedChunk> {
  const child = spawn('git', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    if (stderr.length < 2000) stderr += d;
  });
  const exited = new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
  const lines = createInterface({ input: child.stdout, crlfDelay: Number.POSITIVE_INFINITY });

  let commit: { commit: string; author: string; date: string } | undefined;
  let file: string | undefined;
  let inHunk = false;
  let nextLine = 0;
  let added: string[] = [];
  let numbers: number[] = [];
  const flush = (): AddedChunk | undefined => {
    const chunk =
      file !== undefined && added.length > 0
        ? { file, ...(commit ?? {}), text: added.join('\n'), lineNumbers: numbers }
        : undefined;
    added = [];
    numbers = [];
    return chunk;
  };

  for await (const line of lines) {
    if (line.startsWith(COMMIT_MARK)) {
      const chunk = flush();
      if (chunk) yield chunk;
      const [hash = '', author = '', date = ''] = line.slice(1).split('\u0000');
      commit = { commit: hash, author, date };
      file = undefined;
      inHunk = false;
    } else if (line.startsWith('diff --git ')) {
      const chunk = flush();
      if (chunk) yield chunk;
      file = undefined;
      inHunk = false;
    } else if (!inHunk && line.startsWith('+++ ')) {
      const target = line.slice(4);
      file = target === '/dev/null' ? undefined : target.replace(/^b\//, '');
    } else if (line.startsWith('@@ ')) {
      const m = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
      nextLine = m ? Number(m[1]) : 0;
      inHunk = true;
    } else if (inHunk && line.startsWith('+')) {
      added.push(line.slice(1));
      numbers.push(nextLine++);
    } else if (inHunk && line.startsWith(' ')) {
      nextLine++;
    }
  }
  const last = flush();
  if (last) yield last;
  const code = await exited;
  if (code !== 0) {
    throw new KeywardenError('invalid_input', `git failed: ${stderr.split('\n')[0] || `exit ${code}`}`);
  }
}
