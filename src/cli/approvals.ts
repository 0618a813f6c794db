/**
 * `keywarden approvals list [--status S] | show <id> | approve <id> | reject <id>`: the local
 * operator's view of the two-person rule. Decisions are attributed to the local operator
 * (LOCAL_ACTOR), who may decide a client's held withdrawal but never a request of its own.
 */
import type { Command } from 'commander';
import {
  APPROVAL_STATUSES,
  type Approval,
  type ApprovalStatus,
  describeRequester,
} from '../approvals/index.js';
import { describeActor, KeywardenError, LOCAL_ACTOR } from '../core/index.js';
import { adminServicesOf } from './admin-root.js';
import { action, CliError, printTable, resolveDataDir } from './cli-kit.js';
import { COMMANDS } from './commands.js';
import { sourceFlags, withRoot } from './root.js';
import type { SourceFlags } from './vault-open.js';

interface Options extends SourceFlags {
  json?: boolean;
  status?: string;
  config?: string;
}

const iso = (ms: number | undefined) => (ms === undefined ? '' : new Date(ms).toISOString());

/** What an approval shows: never its payload's request bytes (the withdrawal address is in the summary's place). */
function view(a: Approval) {
  return {
    id: a.id,
    kind: a.kind,
    status: a.status,
    summary: a.summary,
    requestedBy: describeRequester(a.requestedBy),
    requestedAt: iso(a.requestedAt),
    expiresAt: iso(a.expiresAt),
    ...(a.decidedBy ? { decidedBy: describeActor(a.decidedBy), decidedAt: iso(a.decidedAt) } : {}),
    ...(a.executedAt !== undefined ? { executedAt: iso(a.executedAt) } : {}),
    ...(a.result !== undefined ? { result: a.result } : {}),
  };
}

function run(
  cmd: Command,
  opts: Options,
  fn: (root: Parameters<Parameters<typeof withRoot>[1]>[0]) => Promise<void>,
) {
  const { dataDir } = cmd.optsWithGlobals<{ dataDir?: string }>();
  return withRoot(
    { dataDir: resolveDataDir(dataDir), flags: sourceFlags(opts), configPath: opts.config, actor: 'local' },
    async (root) => {
      try {
        await fn(root);
      } catch (err) {
        if (
          err instanceof KeywardenError &&
          ['not_found', 'approval_self', 'approval_closed'].includes(err.code)
        )
          throw new CliError(err.message, 2);
        throw err;
      }
    },
  );
}

function print(opts: Options, a: Approval): void {
  if (opts.json) process.stdout.write(`${JSON.stringify(view(a), null, 2)}\n`);
  else
    process.stdout.write(
      `${Object.entries(view(a))
        .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join('\n')}\n`,
    );
}

export function register(program: Command): void {
  const group = program.command('approvals').description(COMMANDS.approvals.summary);
  const common = (c: Command) =>
    c
      .option('--passphrase-file <file>', 'read the vault passphrase from a file')
      .option('--key-file <file>', 'use a base64 32-byte master key file')
      .option('--config <file>', 'keywarden.yaml (approvals, alert sinks)')
      .option('--json', 'JSON output');

  common(
    group
      .command('list')
      .description('List approvals, newest first')
      .option('--status <status>', `only this status (${APPROVAL_STATUSES.join(', ')})`),
  ).action(
    action(async (opts: Options, cmd: Command) => {
      const status = opts.status;
      if (status !== undefined && !(APPROVAL_STATUSES as readonly string[]).includes(status))
        throw new CliError(`--status expects one of ${APPROVAL_STATUSES.join(', ')}`, 2);
      await run(cmd, opts, async (root) => {
        const list = await (await root.approvals()).list(status ? { status: status as ApprovalStatus } : {});
        if (opts.json) process.stdout.write(`${JSON.stringify(list.map(view), null, 2)}\n`);
        else if (list.length === 0) process.stdout.write('no approvals\n');
        else printTable(list.map(view), ['id', 'kind', 'status', 'requestedBy', 'expiresAt', 'summary']);
      });
    }),
  );

  common(group.command('show').description('Show one approval').argument('<id>', 'approval id')).action(
    action(async (id: string, opts: Options, cmd: Command) => {
      await run(cmd, opts, async (root) => print(opts, await (await root.approvals()).get(id)));
    }),
  );

  for (const [name, decision] of [
    ['approve', 'approve'],
    ['reject', 'reject'],
  ] as const)
    common(
      group
        .command(name)
        .description(`${name === 'approve' ? 'Approve' : 'Reject'} a pending approval as the local operator`)
        .argument('<id>', 'approval id'),
    ).action(
      action(async (id: string, opts: Options, cmd: Command) => {
        await run(cmd, opts, async (root) =>
          // Through the admin services: an approved admin change (a policy widening, a key
          // rotation, ...) is then applied once, as over the API.
          print(opts, await (await adminServicesOf(root)).approvals.decide(id, decision, LOCAL_ACTOR)),
        );
      }),
    );
}
