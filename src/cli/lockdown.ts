/**
 * `keywarden lockdown [--key LABEL | --client NAME | --all] [--cancel-orders] [--reason TEXT] [--hours N]`
 * and `keywarden unlock [--key | --client | --all | --id ID] --reason TEXT`.
 * The freeze comes first and holds even if what follows (cancelling orders, the alert, the
 * report) fails; those failures are printed as warnings.
 */
import type { Command } from 'commander';
import { KeywardenError, shellArg } from '../core/index.js';
import type { LockdownRecord, LockdownScope, LockdownService } from '../lockdown/index.js';
import { action, CliError, printTable, resolveDataDir } from './cli-kit.js';
import { COMMANDS } from './commands.js';
import { cliActor, sourceFlags, withRoot } from './root.js';
import type { SourceFlags } from './vault-open.js';

interface ScopeFlags {
  key?: string;
  client?: string;
  all?: boolean;
}

export interface LockdownOptions extends ScopeFlags, SourceFlags {
  cancelOrders?: boolean;
  reason?: string;
  hours?: string;
  json?: boolean;
  list?: boolean;
  config?: string;
}

export interface UnlockOptions extends ScopeFlags, SourceFlags {
  id?: string;
  config?: string;
  reason?: string;
  json?: boolean;
}

/** Exactly one of --key, --client, --all (or, for unlock, --id). */
export function scopeFrom(flags: ScopeFlags, extra: { id?: string } = {}): LockdownScope | { id: string } {
  const given = [
    flags.key !== undefined ? 'key' : '',
    flags.client !== undefined ? 'client' : '',
    flags.all ? 'all' : '',
    extra.id !== undefined ? 'id' : '',
  ].filter(Boolean);
  const choices = `--key LABEL, --client NAME or --all${'id' in extra ? ' (or --id ID)' : ''}`;
  if (given.length === 0) throw new CliError(`nothing selected: pass ${choices}`, 2);
  if (given.length > 1)
    throw new CliError(`choose one of ${choices}, not ${given.map((g) => `--${g}`).join(' and ')}`, 2);
  if (flags.key !== undefined) {
    if (flags.key.trim() === '') throw new CliError('--key needs a key label or id', 2);
    return { kind: 'key', ref: flags.key };
  }
  if (flags.client !== undefined) {
    if (flags.client.trim() === '') throw new CliError('--client needs a client name or id', 2);
    return { kind: 'client', ref: flags.client };
  }
  if (extra.id !== undefined) return { id: extra.id };
  return { kind: 'all' };
}

function parseHours(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || !(n >= 1 && n <= 2160))
    throw new CliError('--hours expects a whole number from 1 to 2160', 2);
  return n;
}

function scopeWords(l: LockdownRecord): string {
  return l.scope === 'all' ? 'all clients' : `${l.scope} ${l.target?.label ?? '?'}`;
}

function unlockHint(l: LockdownRecord): string {
  const which = l.scope === 'all' ? '--all' : `--${l.scope} ${shellArg(l.target?.label ?? '')}`;
  return `keywarden unlock ${which} --reason '…'`;
}

function publicRecord(l: LockdownRecord) {
  return {
    id: l.id,
    scope: l.scope,
    ...(l.target ? { target: l.target } : {}),
    reason: l.reason,
    actor: l.actor,
    startedAt: l.startedAt,
    ...(l.endedAt !== undefined ? { endedAt: l.endedAt, unlockReason: l.unlockReason } : {}),
    clients: l.clients.map((c) => c.name),
    frozen: l.frozen,
    alreadyFrozen: l.alreadyFrozen,
    ...(l.cancel ? { cancelOrders: l.cancel } : {}),
    ...(l.reportPath ? { report: l.reportPath } : {}),
  };
}

/** The root of a lockdown command: keywarden.yaml read first (exchanges, sinks, audit anchoring). */
function lockdownRoot<T>(
  dataDir: string,
  flags: SourceFlags & { config?: string },
  withExchanges: boolean,
  fn: (service: LockdownService) => Promise<T>,
): Promise<T> {
  return withRoot(
    {
      dataDir,
      flags: sourceFlags(flags),
      configPath: flags.config,
      actor: cliActor(),
      anchorAudit: true,
    },
    async (root) => {
      root.config();
      return fn(await root.lockdown({ withExchanges }));
    },
  );
}

function warn(lines: string[]): void {
  for (const w of lines) process.stderr.write(`keywarden: warning: ${w}\n`);
}

export async function runLockdown(dataDir: string, opts: LockdownOptions): Promise<void> {
  if (opts.list) {
    await lockdownRoot(dataDir, opts, false, async (service) => {
      const all = await service.list();
      if (opts.json) process.stdout.write(`${JSON.stringify(all.map(publicRecord), null, 2)}\n`);
      else
        printTable(
          all.map((l) => ({
            id: l.id,
            state: l.endedAt === undefined ? 'ACTIVE' : 'ended',
            scope: scopeWords(l),
            started: new Date(l.startedAt).toISOString(),
            frozen: l.frozen.length,
            reason: l.reason.slice(0, 60),
          })),
          ['id', 'state', 'scope', 'started', 'frozen', 'reason'],
        );
    });
    return;
  }
  const scope = scopeFrom(opts) as LockdownScope;
  const hours = parseHours(opts.hours);
  await lockdownRoot(dataDir, opts, opts.cancelOrders === true, async (service) => {
    const { lockdown: l, warnings } = await service.lockdown({
      scope,
      ...(opts.reason !== undefined ? { reason: opts.reason } : {}),
      cancelOrders: opts.cancelOrders === true,
      ...(hours !== undefined ? { reportHours: hours } : {}),
    });
    if (opts.json) process.stdout.write(`${JSON.stringify({ ...publicRecord(l), warnings }, null, 2)}\n`);
    else {
      const lines = [
        `lockdown ${l.id} of ${scopeWords(l)}: ${l.frozen.length} client(s) frozen${l.frozen.length > 0 ? `: ${l.frozen.join(', ')}` : ''}`,
      ];
      if (l.alreadyFrozen.length > 0)
        lines.push(`  already frozen (left as they are): ${l.alreadyFrozen.join(', ')}`);
      if (l.clients.length === 0) lines.push('  no client uses this scope');
      for (const c of l.cancel ?? [])
        lines.push(
          `  open orders of ${c.keyLabel} (${c.exchange}): ${
            c.error
              ? `not cancelled (${c.error})`
              : `${c.cancelled} cancelled${c.failed.length > 0 ? `, ${c.failed.length} not cancelled` : ''}`
          }`,
        );
      if (l.reportPath) lines.push(`incident report: ${l.reportPath}`);
      lines.push(`lift it with: ${unlockHint(l)}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    warn(warnings);
  });
}

export async function runUnlock(dataDir: string, opts: UnlockOptions): Promise<void> {
  const selection = scopeFrom(opts, { id: opts.id });
  if (opts.reason === undefined || opts.reason.trim() === '')
    throw new CliError('unlock needs --reason TEXT (it is recorded in the audit log)', 2);
  const reason = opts.reason;
  await lockdownRoot(dataDir, opts, false, async (service) => {
    const r = await service.unlock(
      'id' in selection ? { id: selection.id, reason } : { scope: selection, reason },
    );
    if (opts.json)
      process.stdout.write(
        `${JSON.stringify(
          {
            ended: r.ended.map((l) => l.id),
            unfrozen: r.unfrozen,
            handedOver: r.handedOver,
            skipped: r.skipped,
            warnings: r.warnings,
          },
          null,
          2,
        )}\n`,
      );
    else {
      const lines = r.ended.map((l) => `lockdown ${l.id} of ${scopeWords(l)} lifted`);
      lines.push(`  unfrozen: ${r.unfrozen.length > 0 ? r.unfrozen.join(', ') : 'none'}`);
      for (const h of r.handedOver)
        lines.push(`  ${h.name} stays frozen: lockdown ${h.lockdownId} still covers it`);
      if (r.skipped.length > 0)
        lines.push(`  left as they are (revoked or unfrozen meanwhile): ${r.skipped.join(', ')}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    warn(r.warnings);
  });
}

/** Map a not-found from the service to a usage-style exit (2), like other "bad input" errors. */
function usage<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      if (err instanceof KeywardenError && err.code === 'not_found') throw new CliError(err.message, 2);
      throw err;
    }
  };
}

export function register(program: Command): void {
  const secrets = (cmd: Command) =>
    cmd
      .option('--passphrase-file <file>', 'read the vault passphrase from a file')
      .option('--key-file <file>', 'use a base64 32-byte master key file');

  secrets(
    program
      .command('lockdown')
      .description(COMMANDS.lockdown.summary)
      .option('--key <label>', 'every client of this exchange key (label or id)')
      .option('--client <name>', 'this one client (name or id)')
      .option('--all', 'every client')
      .option('--cancel-orders', 'also cancel every open order on the exchange with the real key')
      .option('--reason <text>', 'why (recorded in the audit log, the alert and the report)')
      .option('--hours <n>', 'hours of audit trail in the incident report (default 24)')
      .option('--list', 'list lockdowns (active and ended) instead')
      .option('--config <file>', 'keywarden.yaml (exchanges, alert sinks)')
      .option('--json', 'JSON output'),
  ).action(
    action(
      usage(async (opts: LockdownOptions, cmd: Command) => {
        const { dataDir } = cmd.optsWithGlobals<{ dataDir?: string }>();
        await runLockdown(resolveDataDir(dataDir), opts);
      }),
    ),
  );

  secrets(
    program
      .command('unlock')
      .description(COMMANDS.unlock.summary)
      .option('--key <label>', 'the lockdown of this key')
      .option('--client <name>', 'the lockdown of this client')
      .option('--all', 'the lockdown of all clients')
      .option('--id <id>', 'one lockdown by id (see lockdown --list)')
      .option('--reason <text>', 'why it is safe now (required; recorded in the audit log)')
      .option('--config <file>', 'keywarden.yaml (store.url, alert sinks)')
      .option('--json', 'JSON output'),
  ).action(
    action(
      usage(async (opts: UnlockOptions, cmd: Command) => {
        const { dataDir } = cmd.optsWithGlobals<{ dataDir?: string }>();
        await runUnlock(resolveDataDir(dataDir), opts);
      }),
    ),
  );
}
