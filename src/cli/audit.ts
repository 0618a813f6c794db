import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { AuditRecord } from '../audit/index.js';
import {
  type AuditFilter,
  queryAuditStore,
  toCsv,
  toJsonl,
  type VerifyOptions,
  type VerifyResult,
  verifyAuditStore,
} from '../audit/index.js';
import { loadConfig } from '../config/index.js';
import { type AnyStore, openConfiguredStore } from '../store/index.js';
import { action, CliError, resolveDataDir } from './cli-kit.js';
import { COMMANDS } from './commands.js';

interface FilterOptions {
  client?: string;
  key?: string;
  action?: string;
  decision?: string;
  kind?: string;
  since?: string;
  until?: string;
  limit?: string;
}

const DURATION = /^(\d+)(s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** An ISO time, or a duration ago (`15m`, `2h`, `7d`). */
export function parseTime(value: string, now: number = Date.now()): number {
  const d = DURATION.exec(value);
  if (d) return now - Number(d[1]) * (UNIT_MS[d[2] ?? 's'] ?? 1_000);
  const t = Date.parse(value);
  if (!Number.isFinite(t)) throw new CliError(`expected an ISO time or a duration like 2h, got ${value}`, 2);
  return t;
}

function positiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new CliError(`${flag} expects a positive integer, got ${value}`, 2);
  return n;
}

export function toFilter(opts: FilterOptions): AuditFilter {
  const f: AuditFilter = {};
  if (opts.client) f.clientId = opts.client;
  if (opts.key) f.keyId = opts.key;
  if (opts.action) f.action = opts.action;
  if (opts.decision) f.decision = opts.decision;
  if (opts.kind) f.kind = opts.kind;
  if (opts.since) f.since = parseTime(opts.since);
  if (opts.until) f.until = parseTime(opts.until);
  if (opts.limit) f.limit = positiveInt(opts.limit, '--limit');
  return f;
}

/** One human line per record; hashes and HMACs are left to --json. */
export function formatRecord(r: AuditRecord): string {
  const parts = [
    String(r.seq).padStart(6),
    new Date(r.at).toISOString(),
    r.kind,
    r.decision ?? '-',
    r.rule ? `rule=${r.rule}` : '',
    r.clientId ? `client=${r.clientId}` : '',
    r.actor && r.actor !== r.clientId ? `actor=${r.actor}` : '',
    r.keyId ? `key=${r.keyId}` : '',
    r.exchange ?? '',
    r.action ?? '',
    r.symbol ?? '',
    r.side ?? '',
    r.notional !== undefined ? `notional=${r.notional}` : '',
    r.upstreamStatus !== undefined ? `status=${r.upstreamStatus}` : '',
    r.latencyMs !== undefined ? `${r.latencyMs}ms` : '',
    r.message ? `"${r.message}"` : '',
  ];
  return parts.filter((p) => p !== '').join(' ');
}

function print(records: AuditRecord[], json: boolean | undefined): void {
  for (const r of records) process.stdout.write(`${json ? JSON.stringify(r) : formatRecord(r)}\n`);
}

function addFilters(cmd: Command): Command {
  return cmd
    .option('--client <id>', 'client id')
    .option('--key <id>', 'key id')
    .option('--action <action>', 'action (trade, withdraw, ...)')
    .option('--decision <decision>', 'allow, deny or would-deny')
    .option('--kind <kind>', 'request, outcome, admin or alert')
    .option('--since <time>', 'ISO time or duration ago (2h, 7d)')
    .option('--until <time>', 'ISO time or duration ago')
    .option('--limit <n>', 'at most N records');
}

interface VerifyFlags {
  fingerprint?: string;
  anchorFile?: string;
  checkpointEvery?: string;
  config?: string;
  json?: boolean;
}

/** Flags over keywarden.yaml's `audit:` section: the pins `verify` checks the store against. */
function verifyOptions(opts: VerifyFlags): VerifyOptions {
  const audit = loadConfig(opts.config ? { path: opts.config } : {}).audit;
  if (opts.fingerprint !== undefined && !/^[0-9A-Fa-f]{64}$/.test(opts.fingerprint))
    throw new CliError('--fingerprint expects 64 hex characters (as keywarden init printed)', 2);
  const pinned = opts.fingerprint?.toLowerCase() ?? audit.checkpointKeyFingerprint;
  const anchorFile = opts.anchorFile ?? audit.anchorFile;
  return {
    checkpointEvery:
      opts.checkpointEvery !== undefined
        ? positiveInt(opts.checkpointEvery, '--checkpoint-every')
        : audit.checkpointEvery,
    ...(pinned !== undefined ? { pinnedFingerprint: pinned } : {}),
    ...(anchorFile !== undefined ? { anchorFile } : {}),
  };
}

function describeVerified(r: VerifyResult): string {
  return (
    `audit log OK: ${r.records} records, ${r.checkpoints} checkpoints, last seq ${r.lastSeq}` +
    (r.unanchoredTail > 0 ? `; ${r.unanchoredTail} records after the last checkpoint` : '') +
    (r.anchored !== undefined ? `; ${r.anchored} checkpoints match the anchor file` : '')
  );
}

export function register(program: Command): void {
  const withStore = async <T>(fn: (store: AnyStore) => Promise<T> | T, configPath?: string): Promise<T> => {
    const dataDir = resolveDataDir((program.opts() as { dataDir?: string }).dataDir);
    // SQLite in the data directory, or the PostgreSQL store every gateway writes (store.url).
    const url = loadConfig(configPath !== undefined ? { path: configPath } : {}).store.url;
    const store = await openConfiguredStore(dataDir, url);
    try {
      return await fn(store);
    } finally {
      await store.close();
    }
  };

  const audit = program.command('audit').description(COMMANDS.audit.summary);

  audit
    .command('tail')
    .description('show the newest records')
    .option('-n, --lines <n>', 'number of records', '20')
    .option('--follow', 'keep printing new records')
    .option('--json', 'one JSON record per line')
    .action(
      action(async (opts: { lines: string; follow?: boolean; json?: boolean }) => {
        const n = positiveInt(opts.lines, '-n');
        await withStore(async (store) => {
          const last = (await queryAuditStore(store, { limit: n, descending: true })).reverse();
          print(last, opts.json);
          if (!opts.follow) return;
          let afterSeq = last.at(-1)?.seq ?? 0;
          await new Promise<void>((resolve) => {
            const timer = setInterval(() => {
              void queryAuditStore(store, { afterSeq, limit: 1000 }).then((fresh) => {
                print(fresh, opts.json);
                afterSeq = fresh.at(-1)?.seq ?? afterSeq;
              });
            }, 500);
            const stop = () => {
              clearInterval(timer);
              resolve();
            };
            process.once('SIGINT', stop);
            process.once('SIGTERM', stop);
          });
        });
      }),
    );

  addFilters(audit.command('query').description('records matching filters, oldest first'))
    .option('--json', 'one JSON record per line')
    .action(
      action(async (opts: FilterOptions & { json?: boolean }) => {
        const filter = toFilter(opts);
        await withStore(async (store) => print(await queryAuditStore(store, filter), opts.json));
      }),
    );

  audit
    .command('verify')
    .description(
      'check the hash chain, the signed checkpoints, their spacing, the pinned checkpoint key and the anchor file',
    )
    .option(
      '--fingerprint <hex>',
      'checkpoint key fingerprint pinned outside the store (default: audit.checkpointKeyFingerprint)',
    )
    .option('--anchor-file <file>', 'JSONL anchor of checkpoints (default: audit.anchorFile)')
    .option(
      '--checkpoint-every <n>',
      'records per checkpoint the log was written with (default: audit.checkpointEvery)',
    )
    .option('--config <file>', 'keywarden.yaml (default ./keywarden.yaml if present, or KEYWARDEN_CONFIG)')
    .option('--json', 'print the result as JSON')
    .action(
      action(async (opts: VerifyFlags) => {
        const options = verifyOptions(opts);
        const result = await withStore((store) => verifyAuditStore(store, options), opts.config);
        if (opts.json) process.stdout.write(`${JSON.stringify(result)}\n`);
        else if (result.ok) process.stdout.write(`${describeVerified(result)}\n`);
        if (!result.pinnedOutside)
          process.stderr.write(
            'keywarden: warning: no checkpoint key fingerprint pinned outside the store: a rewritten store with its own key would pass. ' +
              `Pin audit.checkpointKeyFingerprint in keywarden.yaml${result.fingerprint ? ` (the store's own pin is ${result.fingerprint})` : ''}\n`,
          );
        if (!result.ok) {
          if (!opts.json)
            process.stderr.write(
              `keywarden: audit log TAMPERED${result.firstBadSeq !== undefined ? ` at seq ${result.firstBadSeq}` : ''}: ${result.problem}\n`,
            );
          process.exitCode = 1;
        }
      }),
    );

  addFilters(audit.command('export').description('export records as JSONL or CSV'))
    .requiredOption('--format <format>', 'jsonl or csv')
    .option('--out <file>', 'write to this file (mode 0600) instead of stdout')
    .action(
      action(async (opts: FilterOptions & { format: string; out?: string }) => {
        if (opts.format !== 'jsonl' && opts.format !== 'csv')
          throw new CliError('--format must be jsonl or csv', 2);
        const filter = toFilter(opts);
        const records = await withStore((store) => queryAuditStore(store, filter));
        const text = opts.format === 'csv' ? toCsv(records) : toJsonl(records);
        if (opts.out) {
          await writeFile(opts.out, text, { mode: 0o600 });
          process.stderr.write(`exported ${records.length} records to ${opts.out}\n`);
        } else process.stdout.write(text);
      }),
    );
}
