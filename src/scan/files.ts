import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, sep } from 'node:path';
import type { Ignore } from 'ignore';

export interface WalkOptions {
  /** Skip files larger than this many bytes. */
  maxFileBytes: number;
  /** Honour .gitignore files (root and nested). */
  gitignore: boolean;
}

export interface FileEntry {
  path: string;
  /** Path relative to the scan root, with `/` separators (what findings report). */
  rel: string;
  size: number;
}

interface Scope {
  dirRel: string;
  rules: Ignore;
}

/**
 * `ignore` is CommonJS: loaded with `require`, and only when an ignore file exists. An ESM
 * `import` of it runs Node's CommonJS export lexer over its 50 KB at every start-up, in every
 * scanning thread (measured: ~40 ms of compiler time per process).
 */
const require = createRequire(import.meta.url);

/** The rules of one ignore file (gitignore syntax), or undefined when there is none. */
export function loadIgnore(file: string): Ignore | undefined {
  if (!existsSync(file)) return undefined;
  const ignore = require('ignore') as () => Ignore;
  return ignore().add(readFileSync(file, 'utf8'));
}

function ignoredBy(scopes: readonly Scope[], rel: string, isDir: boolean): boolean {
  for (const scope of scopes) {
    const inner = scope.dirRel === '' ? rel : rel.slice(scope.dirRel.length + 1);
    if (scope.rules.ignores(isDir ? `${inner}/` : inner)) return true;
  }
  return false;
}

/**
 * Files under `root` worth scanning: .git is skipped, .gitignore (optional) and the root's
 * .keywardenignore are honoured, oversized files are left out.
 */
export function walkFiles(root: string, options: WalkOptions): { files: FileEntry[]; skipped: number } {
  const files: FileEntry[] = [];
  let skipped = 0;
  const rootScopes: Scope[] = [];
  const kwIgnore = loadIgnore(join(root, '.keywardenignore'));
  if (kwIgnore) rootScopes.push({ dirRel: '', rules: kwIgnore });

  // Synchronous on purpose: the scan that follows is synchronous too, and one await per directory
  // left the thread idle between them (~10 ms on the bench corpus).
  const visit = (dir: string, scopes: Scope[]): void => {
    const dirRel = relative(root, dir).split(sep).join('/');
    let here = scopes;
    if (options.gitignore) {
      const gi = loadIgnore(join(dir, '.gitignore'));
      if (gi) here = [...scopes, { dirRel, rules: gi }];
    }
    const entries = readdirSync(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name === '.git') continue;
      const full = join(dir, entry.name);
      const rel = dirRel === '' ? entry.name : `${dirRel}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!ignoredBy(here, rel, true)) visit(full, here);
      } else if (entry.isFile()) {
        if (ignoredBy(here, rel, false)) continue;
        const size = statSync(full).size;
        if (size > options.maxFileBytes) {
          skipped++;
          continue;
        }
        files.push({ path: full, rel, size });
      }
    }
  };
  visit(root, rootScopes);
  return { files, skipped };
}

/** A file is binary when its first 8 KiB hold a NUL byte (the heuristic git uses). */
export function looksBinary(head: Uint8Array): boolean {
  return head.subarray(0, 8192).includes(0);
}

/** Files up to this size are read whole in one call; bigger ones get their head checked first. */
const READ_WHOLE_BYTES = 1024 * 1024;

/** A file's text and the UTF-8 bytes it was decoded from (the keyword pass reads bytes). */
export interface TextFile {
  text: string;
  utf8: Uint8Array;
}

/** Text of a file's bytes, or undefined for binaries. */
function decodeText(bytes: Buffer): TextFile | undefined {
  return looksBinary(bytes) ? undefined : { text: bytes.toString('utf8'), utf8: bytes };
}

/**
 * The file's text, or undefined for binaries. Small files (nearly all source files) are read in
 * one call instead of a head read plus a second open; a big binary still costs only its head.
 */
export function readTextFile(path: string, size = Number.POSITIVE_INFINITY): TextFile | undefined {
  if (size <= READ_WHOLE_BYTES) return decodeText(readFileSync(path));
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(8192);
    const n = readSync(fd, head, 0, head.length, 0);
    if (looksBinary(head.subarray(0, n))) return undefined;
  } finally {
    closeSync(fd);
  }
  return decodeText(readFileSync(path));
}
