import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { type ExchangeId, isExchangeId, KeywardenError, VERSION } from '../core/index.js';
import type { KeyRecord } from '../keys/index.js';
import type { SystemEvent } from '../monitor/index.js';
import type { Finding } from '../scan/index.js';
import type { Vault } from '../vault/index.js';
import { CliError, describeError, resolveDataDir } from './cli-kit.js';
import { COMMANDS } from './commands.js';

// The scanner, its baseline (zod) and the exchange adapters load only when `scan` runs, so a
// pre-commit hook does not pay for modules it does not use.

interface ScanFlags {
  git?: boolean;
  hygiene?: boolean;
  staged?: boolean;
  format: string;
  output?: string;
  gitignore: boolean;
  maxFileSize: string;
  baseline?: string;
  writeBaseline?: string;
  verify?: boolean;
  verifyBaseUrl: string[];
  verifyTimeout: string;
  workers?: string;
  progress: boolean;
  passphraseFile?: string;
  keyFile?: string;
  config?: string;
  /** The program-wide --data-dir, merged in by the action. */
  dataDir?: string;
}

function parseSize(text: string): number {
  const m = /^(\d+)([kmg]?)b?$/i.exec(text.trim());
  if (!m) throw new CliError(`--max-file-size: expected bytes like 2m or 500k, got ${text}`, 2);
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m[2] ?? '').toLowerCase()] ?? 1;
  return Number(m[1]) * unit;
}

function parseBaseUrls(items: string[]): Partial<Record<ExchangeId, string>> {
  const out: Partial<Record<ExchangeId, string>> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    const id = item.slice(0, eq);
    const url = item.slice(eq + 1);
    if (eq < 1 || !isExchangeId(id) || !/^https?:\/\//.test(url)) {
      throw new CliError(`--verify-base-url: expected <exchange>=<http(s) url>, got ${item}`, 2);
    }
    out[id] = url;
  }
  return out;
}

/** A progress line on stderr, only when stderr is a terminal. */
function progressPrinter(enabled: boolean): {
  update: (done: number, total: number, bytes: number) => void;
  end: () => void;
} {
  if (!enabled || !process.stderr.isTTY) return { update: () => {}, end: () => {} };
  let last = 0;
  return {
    update: (done, total, bytes) => {
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      const width = 30;
      const filled = total > 0 ? Math.round((done / total) * width) : 0;
      process.stderr.write(
        `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} files ${(bytes / 1e6).toFixed(1)} MB`,
      );
    },
    end: () => process.stderr.write('\r\u001b[K'),
  };
}

/**
 * Marks findings whose api-key id is a key registered in this data dir's vault, and raises a
 * critical `key.leaked` alert for each such key (to the configured sinks and the audit log). The
 * vault keeps only keyed fingerprints of api-key ids, and fingerprinting needs the unsealed
 * vault, so this runs only with a master-key source given (never a prompt: a pre-commit hook must
 * not stop to ask); without one a present vault earns a one-line hint.
 */
async function linkVault(flags: ScanFlags, findings: Finding[]): Promise<void> {
  const { existsSync } = await import('node:fs');
  const { join } = await import('node:path');
  const dataDir = resolveDataDir(flags.dataDir);
  // No data dir, no vault: skip loading the store (SQLite, Kysely, migrations: ~0.1 s).
  if (!existsSync(dataDir)) return;
  const { DB_FILE, openStore } = await import('../store/index.js');
  if (!existsSync(join(dataDir, DB_FILE))) return;
  const source = {
    ...(flags.passphraseFile !== undefined ? { passphraseFile: flags.passphraseFile } : {}),
    ...(flags.keyFile !== undefined ? { keyFile: flags.keyFile } : {}),
  };
  const { masterKeySourceGiven } = await import('./vault-open.js');
  if (!masterKeySourceGiven(source)) {
    // Only the hint needs to know whether a vault is there.
    const { vaultExists } = await import('../vault/index.js');
    const store = await openStore(dataDir);
    try {
      if (await vaultExists(store))
        process.stderr.write(
          'keywarden: a vault exists in the data dir; pass --passphrase-file or --key-file to check findings against registered keys\n',
        );
    } finally {
      await store.close();
    }
    return;
  }
  const { createCliRoot } = await import('./root.js');
  const { linkRegisteredKeys } = await import('../scan/index.js');
  const root = createCliRoot({ dataDir, flags: source, configPath: flags.config });
  try {
    root.config();
    let keys: KeyRecord[];
    let vault: Vault;
    try {
      vault = await root.vault();
      await root.audit();
      keys = await (await root.keys()).list({ includeRetired: true });
    } catch (err) {
      // A store without a vault has no registered keys to link.
      if (err instanceof KeywardenError && err.code === 'vault_not_initialized') return;
      throw err;
    }
    if (linkRegisteredKeys(findings, (id) => vault.fingerprint(id), keys) === 0) return;
    const alerts = await root.monitor();
    for (const event of leakEvents(findings)) alerts.raise(event);
  } finally {
    await root.close();
  }
}

/** One `leaked_key_found` event per registered key found, naming where (never the secret). */
function leakEvents(findings: readonly Finding[]): Array<Omit<SystemEvent, 'type' | 'at'>> {
  const byKey = new Map<string, Finding[]>();
  for (const f of findings) {
    if (f.registeredKey === undefined) continue;
    byKey.set(f.registeredKey, [...(byKey.get(f.registeredKey) ?? []), f]);
  }
  return [...byKey].map(([label, found]) => {
    const places = found.map(
      (f) => `${f.file}:${f.line}${f.commit ? ` (commit ${f.commit.slice(0, 12)})` : ''}`,
    );
    return {
      kind: 'leaked_key_found',
      keyLabel: label,
      message: `registered key ${label} leaked: found by the scanner in ${places.slice(0, 5).join(', ')}${places.length > 5 ? ` and ${places.length - 5} more` : ''}; run: keywarden lockdown --key ${label}`,
      detail: {
        places: found
          .slice(0, 20)
          .map((f) => ({ file: f.file, line: f.line, ruleId: f.ruleId, commit: f.commit })),
        fingerprints: found.slice(0, 20).map((f) => f.fingerprint),
        lockdownCommand: `keywarden lockdown --key ${label}`,
      },
    };
  });
}

/** `scan --hygiene`: the repository checks (exit 1 with findings, like a leak). */
async function runHygiene(target: string, flags: ScanFlags): Promise<number> {
  if (flags.format !== 'text' && flags.format !== 'json')
    throw new CliError('--hygiene: --format text or json', 2);
  if (flags.git || flags.staged || flags.baseline || flags.writeBaseline || flags.verify)
    throw new CliError('--hygiene takes none of --git, --staged, --baseline, --write-baseline, --verify', 2);
  if (target === '-') throw new CliError('--hygiene needs a repository path, not stdin', 2);
  const { checkHygiene, formatHygieneText } = await import('../scan/index.js');
  const report = checkHygiene(resolve(target));
  const text = flags.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatHygieneText(report);
  if (flags.output) writeFileSync(flags.output, text);
  else process.stdout.write(text);
  return report.findings.length > 0 ? 1 : 0;
}

async function runScan(target: string, flags: ScanFlags): Promise<number> {
  if (flags.hygiene) return runHygiene(target, flags);
  if (!['text', 'json', 'sarif'].includes(flags.format))
    throw new CliError(`--format: text, json or sarif`, 2);
  const { scanGit, scanTree } = await import('../scan/index.js');
  const { scanText } = await import('../scan/index.js');
  const { formatJson, formatSarif, formatText } = await import('../scan/index.js');
  const baselines = flags.baseline || flags.writeBaseline ? await import('../scan/index.js') : undefined;
  const baseline = flags.baseline && baselines ? baselines.readBaseline(flags.baseline) : undefined;
  const fingerprintKey = baseline?.salt;
  const keyOpt = fingerprintKey ? { fingerprintKey } : {};
  const progress = progressPrinter(flags.progress);
  let findings: Finding[];
  if (flags.git || flags.staged) {
    findings = await scanGit(
      resolve(target === '-' ? '.' : target),
      flags.staged ? 'staged' : 'history',
      keyOpt,
    );
  } else if (target === '-') {
    findings = scanText(readFileSync(0, 'utf8'), { file: '<stdin>', ...keyOpt });
  } else {
    const workers = flags.workers === undefined ? undefined : Number(flags.workers);
    if (workers !== undefined && (!Number.isInteger(workers) || workers < 0 || workers > 64)) {
      throw new CliError('--workers: a whole number from 0 to 64', 2);
    }
    const result = await scanTree(resolve(target), {
      maxFileBytes: parseSize(flags.maxFileSize),
      gitignore: flags.gitignore,
      ...(workers === undefined ? {} : { workers }),
      ...keyOpt,
      onProgress: progress.update,
    });
    findings = result.findings;
  }
  progress.end();

  if (flags.writeBaseline && baselines) {
    baselines.writeBaseline(flags.writeBaseline, baselines.buildBaseline(findings, fingerprintKey));
    process.stderr.write(
      `keywarden: wrote ${findings.length} finding(s) to baseline ${flags.writeBaseline}\n`,
    );
  }
  if (baseline && baselines) findings = baselines.filterBaseline(findings, baseline);

  if (flags.verify) {
    const { ADAPTERS } = await import('../exchanges/index.js');
    const { verifyFindings } = await import('../scan/index.js');
    await verifyFindings(findings, {
      adapters: ADAPTERS,
      baseUrls: parseBaseUrls(flags.verifyBaseUrl),
      timeoutMs: Number(flags.verifyTimeout) || 10_000,
    });
  }
  if (findings.length > 0) await linkVault(flags, findings);

  const text =
    flags.format === 'json'
      ? formatJson(findings)
      : flags.format === 'sarif'
        ? formatSarif(findings, VERSION)
        : formatText(findings);
  if (flags.output) writeFileSync(flags.output, text);
  else process.stdout.write(text);
  return findings.length > 0 ? 1 : 0;
}

export function register(program: Command): void {
  program
    .command('scan')
    .description(COMMANDS.scan.summary)
    .argument('[path]', 'directory or file to scan, or - for stdin', '.')
    .option('--git', 'scan every commit in the repository history (added lines)')
    .option('--staged', 'scan only staged changes (for pre-commit hooks)')
    .option(
      '--hygiene',
      'check the git repository at PATH instead: .env files tracked, unignored or in history, literal secrets in CI, compose and Dockerfiles, key files tracked (text or json)',
    )
    .option('--format <format>', 'text, json or sarif', 'text')
    .option('-o, --output <file>', 'write the report to a file')
    .option('--no-gitignore', 'do not honour .gitignore files')
    .option('--max-file-size <size>', 'skip files larger than this', '2m')
    .option('--baseline <file>', 'ignore findings recorded in this baseline')
    .option('--write-baseline <file>', 'record the current findings as a baseline')
    .option('--verify', 'check exchange keys with one read-only introspection call (off by default)')
    .option(
      '--verify-base-url <exchange=url>',
      'base URL per exchange for --verify (repeatable)',
      (v: string, prev: string[]) => [...prev, v],
      [] as string[],
    )
    .option('--verify-timeout <ms>', 'timeout per verification request', '10000')
    .option(
      '--workers <n>',
      'scanning threads, this one included (default: one per core, up to 8, for trees of 32 MB or more; 0 or 1: one thread)',
    )
    .option('--no-progress', 'no progress bar on stderr')
    .option('--passphrase-file <file>', "unseal the data dir's vault to flag leaked registered keys")
    .option('--key-file <file>', 'or unseal it with a master key file')
    .option('--config <file>', 'keywarden.yaml (alert sinks for a leaked registered key)')
    .action(async (target: string, flags: ScanFlags, command: Command) => {
      try {
        const dataDir = command.optsWithGlobals<{ dataDir?: string }>().dataDir;
        process.exitCode = await runScan(target, { ...flags, ...(dataDir ? { dataDir } : {}) });
      } catch (err) {
        // Exit 2 means "the scan could not run", distinct from 1 = "secrets found".
        process.stderr.write(`keywarden: ${describeError(err).message.split('\n')[0]}\n`);
        process.exitCode = 2;
      }
    });
}
