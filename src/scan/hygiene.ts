/**
 * Repository hygiene checks: `.env` files tracked, unignored or in history; secrets as literals
 * in CI configuration, docker-compose `environment:` and Dockerfile `ENV`/`ARG`; key material
 * tracked. Each finding carries its exact fix. Values are read to decide, never reported.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument, visit } from 'yaml';
import { shellArg } from '../core/index.js';
import { shannonEntropy } from './entropy.js';
import { loadIgnore } from './files.js';
import { openRepo, type RepoView } from './hygiene-git.js';
import type { HygieneFinding, HygieneFix, HygieneReport } from './hygiene-types.js';
import { PLACEHOLDERS } from './rules/helpers.js';
import { scanText } from './scan-text.js';

const ENV_TEMPLATE = /\.(?:example|sample|template|dist|defaults|tpl|schema)$/i;

/** `.env` or `.env.<anything>`, except templates meant to be committed (`.env.example`). */
export function isEnvFile(path: string): boolean {
  const name = basename(path);
  return (name === '.env' || name.startsWith('.env.')) && !ENV_TEMPLATE.test(name);
}

// Not .asc/.gpg: those are as often public keys and signatures (SHA256SUMS.asc).
const KEY_EXTENSIONS = /\.(?:pem|key|p12|pfx|jks|keystore|ppk)$/i;
const SSH_KEYS = new Set(['id_rsa', 'id_dsa', 'id_ecdsa', 'id_ed25519']);
/** geth/clef keystore file names: `UTC--2024-05-01T10-00-00.000000000Z--<address>`. */
const GETH_KEYSTORE = /^UTC--\d{4}-\d{2}-\d{2}T/;

/** Key material by name; a `.pem` only when it holds a private key (certificates are public). */
function isKeyMaterial(root: string, path: string): boolean {
  const name = basename(path);
  if (SSH_KEYS.has(name) || GETH_KEYSTORE.test(name)) return true;
  if (!KEY_EXTENSIONS.test(name)) return false;
  if (!/\.pem$/i.test(name)) return true;
  const full = join(root, path);
  if (!existsSync(full)) return true;
  return readFileSync(full, 'utf8').includes('PRIVATE KEY');
}

const SECRET_NAME =
  /secret|token|passw(?:or)?d|passphrase|api[_-]?key|apikey|private[_-]?key|access[_-]?key|signing[_-]?key|credential|webhook|dsn/i;
/** Names that contain a secret word but hold something else (`token_format`, `SECRET_NAME`, `KEY_PATH`). */
const NOT_SECRET =
  /(?:^|[_-])(?:cache|path|paths|dir|file|files|name|names|url|uri|region|user|username|id|type|format|public|expiry|expires|ttl|length|header|enabled|version|mode)$/i;

/** A literal that could be a secret: not a reference to a variable or store, not a placeholder. */
export function isSecretLiteral(name: string, value: string): boolean {
  if (!SECRET_NAME.test(name) || NOT_SECRET.test(name)) return false;
  const v = value.trim();
  if (v.length < 8 || v.includes('$')) return false;
  if (/^(?:true|false|yes|no|null|\d+)$/i.test(v) || PLACEHOLDERS.some((p) => p.test(v))) return false;
  return /\d/.test(v) || shannonEntropy(v) >= 3;
}

type Ci = 'github' | 'gitlab' | 'circleci';

function ciOf(path: string): Ci | undefined {
  if (/^\.github\/workflows\/[^/]+\.ya?ml$/.test(path)) return 'github';
  if (path === '.gitlab-ci.yml' || /(?:^|\/)\.gitlab-ci\.ya?ml$/.test(path)) return 'gitlab';
  if (path === '.circleci/config.yml') return 'circleci';
  return undefined;
}

const isCompose = (path: string) => /^(?:docker-)?compose(?:\.[\w.-]+)?\.ya?ml$/.test(basename(path));
const isDockerfile = (path: string) => /^(?:Dockerfile(?:\..+)?|.+\.dockerfile)$/i.test(basename(path));

const q = shellArg;
const ROTATE = 'rotate the secret: the old value stays in the history of every clone';
const ROTATE_FILE = 'rotate every secret in it: the old values stay in the history of every clone';

function ciFix(ci: Ci, name: string): HygieneFix {
  switch (ci) {
    case 'github':
      return {
        action: `store it as an Actions secret (the command prompts for the value), reference it as \${{ secrets.${name} }} instead of the literal, and ${ROTATE}`,
        commands: [`gh secret set ${q(name)}`],
      };
    case 'gitlab':
      return {
        action: `GitLab → Settings → CI/CD → Variables → add ${name} (masked, protected); delete the literal (jobs read it as $${name}), and ${ROTATE}`,
        commands: [],
      };
    case 'circleci':
      return {
        action: `CircleCI → Project Settings → Environment Variables (or an organisation context) → add ${name}; delete the literal (jobs read it as $${name}), and ${ROTATE}`,
        commands: [],
      };
  }
}

interface Literal {
  name: string;
  line: number;
}

/** Secret-named keys with literal values anywhere in a YAML file (env, variables, with, environment). */
function yamlLiterals(text: string, within?: (path: readonly unknown[]) => boolean): Literal[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false });
  const out: Literal[] = [];
  const lineOf = (node: Node) => lineCounter.linePos(node.range?.[0] ?? 0).line;
  visit(doc, {
    Pair(_key, pair, path) {
      if (within && !within(path)) return;
      if (isScalar(pair.key) && isScalar(pair.value) && typeof pair.value.value === 'string') {
        const name = String(pair.key.value);
        if (isSecretLiteral(name, pair.value.value)) out.push({ name, line: lineOf(pair.key) });
      }
    },
    Seq(_key, seq, path) {
      // compose `environment: ["NAME=value"]`
      if (within && !within(path)) return;
      for (const item of seq.items) {
        if (!isScalar(item) || typeof item.value !== 'string') continue;
        const eq = item.value.indexOf('=');
        if (eq > 0 && isSecretLiteral(item.value.slice(0, eq), item.value.slice(eq + 1)))
          out.push({ name: item.value.slice(0, eq), line: lineOf(item) });
      }
    },
  });
  return out;
}

/** Inside a compose `environment:` block (map or list form). */
function inEnvironment(path: readonly unknown[]): boolean {
  return path.some(
    (p) =>
      isPair(p) && isScalar(p.key) && p.key.value === 'environment' && (isMap(p.value) || isSeq(p.value)),
  );
}

/** `ENV NAME=value …`, `ENV NAME value` and `ARG NAME=value` lines with a secret-named literal. */
function dockerfileLiterals(text: string): Array<Literal & { instruction: string }> {
  const out: Array<Literal & { instruction: string }> = [];
  text.split('\n').forEach((raw, i) => {
    const m = /^\s*(ENV|ARG)\s+(.+)$/i.exec(raw);
    if (!m) return;
    const instruction = (m[1] ?? '').toUpperCase();
    const rest = (m[2] ?? '').trim();
    const pairs = rest.includes('=')
      ? [...rest.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|\S+)/g)].map((p) => [
          p[1] ?? '',
          p[2] ?? '',
        ])
      : [rest.split(/\s+/, 2) as [string, string]];
    for (const [name = '', value = ''] of pairs)
      if (isSecretLiteral(name, value.replace(/^["']|["']$/g, '')))
        out.push({ name, line: i + 1, instruction });
  });
  return out;
}

function read(root: string, path: string): string | undefined {
  try {
    return readFileSync(join(root, path), 'utf8');
  } catch {
    return undefined;
  }
}

const ENV_IGNORE = ['.env', '.env.*', '!.env.example'];
const appendIgnore = (lines: readonly string[]) => `printf '%s\\n' ${lines.map(q).join(' ')} >> .gitignore`;

function envChecks(repo: RepoView, out: HygieneFinding[]): void {
  const tracked = repo.tracked.filter(isEnvFile);
  const untracked = repo.untracked.filter(isEnvFile);
  const ignored = repo.ignored(tracked);
  for (const file of tracked) {
    const gitignore = ignored.has(file) ? [] : ENV_IGNORE;
    out.push({
      check: 'env-tracked',
      severity: 'critical',
      file,
      message: `${file} is tracked by git: everyone with the repository has its values`,
      fix: {
        action: `stop tracking it (the file stays on disk)${gitignore.length > 0 ? ', ignore .env files' : ''}, commit, and ${ROTATE_FILE}; to purge it from history, see env-in-history`,
        commands: [`git rm --cached ${q(file)}`, ...(gitignore.length > 0 ? [appendIgnore(gitignore)] : [])],
        ...(gitignore.length > 0 ? { gitignore } : {}),
      },
    });
  }
  for (const file of untracked)
    out.push({
      check: 'env-not-ignored',
      severity: 'high',
      file,
      message: `${file} is not covered by .gitignore: the next \`git add .\` commits it`,
      fix: {
        action: 'ignore .env files (keep a committed .env.example)',
        commands: [appendIgnore(ENV_IGNORE)],
        gitignore: ENV_IGNORE,
      },
    });
  const current = new Set(repo.tracked);
  for (const [file, commit] of repo.added()) {
    if (!isEnvFile(file) || current.has(file)) continue;
    out.push({
      check: 'env-in-history',
      severity: 'critical',
      file,
      commit,
      message: `${file} was committed in ${commit.slice(0, 12)} and is still in the history`,
      fix: {
        action: `${ROTATE_FILE}; then rewrite the history without it and force-push (every collaborator re-clones)`,
        commands: [`git filter-repo --invert-paths --path ${q(file)}`, 'git push --force --all'],
      },
    });
  }
}

/** The `.gitignore` line for a key file: `UTC--*` for geth keystores, `*.ext` by extension, else the name. */
function ignorePattern(name: string): string {
  if (GETH_KEYSTORE.test(name)) return 'UTC--*';
  const ext = KEY_EXTENSIONS.exec(name)?.[0];
  return ext === undefined ? name : `*${ext}`;
}

function keyMaterialChecks(repo: RepoView, out: HygieneFinding[]): void {
  for (const file of repo.tracked.filter((f) => isKeyMaterial(repo.root, f))) {
    const name = basename(file);
    const pattern = ignorePattern(name);
    out.push({
      check: 'key-material-tracked',
      severity: 'critical',
      file,
      message: `${file} looks like key material and is tracked by git`,
      fix: {
        action: `stop tracking it, ignore ${pattern}, commit, and replace the key if it was ever in use (it stays in the history)`,
        commands: [`git rm --cached ${q(file)}`, appendIgnore([pattern])],
        gitignore: [pattern],
      },
    });
  }
}

function configChecks(repo: RepoView, out: HygieneFinding[]): void {
  const candidates = [...new Set([...repo.tracked, ...repo.untracked])].sort();
  for (const file of candidates) {
    const ci = ciOf(file);
    const compose = !ci && isCompose(file);
    const docker = !ci && !compose && isDockerfile(file);
    if (!ci && !compose && !docker) continue;
    const text = read(repo.root, file);
    if (text === undefined) continue;
    if (ci) {
      let literals: Literal[];
      try {
        literals = yamlLiterals(text);
      } catch {
        literals = [];
      }
      // What the leak scanner finds there is a literal secret too, whatever its name.
      const seen = new Set(literals.map((l) => l.line));
      for (const f of scanText(text, { file }))
        if (!seen.has(f.line)) literals.push({ name: f.ruleId, line: f.line });
      for (const l of literals.sort((a, b) => a.line - b.line))
        out.push({
          check: 'ci-secret-literal',
          severity: 'critical',
          file,
          line: l.line,
          name: l.name,
          message: `${file}:${l.line}: ${l.name} is a literal secret in CI configuration`,
          fix: ciFix(ci, /^[A-Za-z_][A-Za-z0-9_]*$/.test(l.name) ? l.name : '<NAME>'),
        });
    } else if (compose) {
      let literals: Literal[];
      try {
        literals = yamlLiterals(text, inEnvironment);
      } catch {
        literals = [];
      }
      for (const l of literals)
        out.push({
          check: 'compose-secret-literal',
          severity: 'high',
          file,
          line: l.line,
          name: l.name,
          message: `${file}:${l.line}: ${l.name} is a literal in a compose environment: block`,
          fix: {
            action: `write ${l.name}: \${${l.name}} (compose reads it from the shell or from a git-ignored .env next to the file), or use compose secrets:; then ${ROTATE}`,
            commands: [],
          },
        });
    } else {
      for (const l of dockerfileLiterals(text))
        out.push({
          check: 'dockerfile-secret',
          severity: 'high',
          file,
          line: l.line,
          name: l.name,
          message: `${file}:${l.line}: ${l.instruction} ${l.name} bakes a secret into every image layer`,
          fix: {
            action: `delete the ${l.instruction} line; pass ${l.name} at run time (docker run -e ${l.name}) or, for a build step, as a build secret (RUN --mount=type=secret,id=${l.name.toLowerCase()}); then ${ROTATE}`,
            commands: [`docker build --secret id=${l.name.toLowerCase()},env=${l.name} .`],
          },
        });
    }
  }
}

/**
 * Every hygiene check over the git repository that holds `path`. Paths the root's
 * `.keywardenignore` lists (gitignore syntax, as for the leak scan) are left out: test fixtures
 * that are fake leaks on purpose.
 */
export function checkHygiene(path: string): HygieneReport {
  const repo = openRepo(path);
  const findings: HygieneFinding[] = [];
  envChecks(repo, findings);
  keyMaterialChecks(repo, findings);
  configChecks(repo, findings);
  const skip = loadIgnore(join(repo.root, '.keywardenignore'));
  return { root: repo.root, findings: skip ? findings.filter((f) => !skip.ignores(f.file)) : findings };
}

/** The text report: one block per finding, its fix under it. */
export function formatHygieneText(report: HygieneReport): string {
  if (report.findings.length === 0) return `No hygiene findings in ${report.root}.\n`;
  const blocks = report.findings.map((f) => {
    const where = `${f.file}${f.line !== undefined ? `:${f.line}` : ''}${f.commit ? ` (commit ${f.commit.slice(0, 12)})` : ''}`;
    return [
      `${where}  ${f.check}  [${f.severity}]`,
      `  ${f.message}`,
      `  fix: ${f.fix.action}`,
      ...f.fix.commands.map((c) => `    $ ${c}`),
      ...(f.fix.gitignore ? [`  .gitignore: ${f.fix.gitignore.join('  ')}`] : []),
    ].join('\n');
  });
  return `${blocks.join('\n')}\n\n${report.findings.length} hygiene finding(s) in ${report.root}.\n`;
}
