/**
 * `keywarden operator add NAME --role ROLE` (local, needs the master key: prints a one-time
 * enrolment code to finish at POST /api/v1/auth/enrol), `keywarden operator list`, and
 * `keywarden admin serve` (the admin API on its own listener, default 127.0.0.1:8790).
 * Changes made here are attributed to LOCAL_ACTOR in the audit log.
 */
import type { Command } from 'commander';
import { adminRoutes, createAdminServer } from '../admin/index.js';
import { parseListen } from '../config/index.js';
import { LOCAL_ACTOR, ROLES, type Role } from '../core/index.js';
import { adminServices } from './admin-root.js';
import { action, CliError, printTable, resolveDataDir } from './cli-kit.js';
import { COMMANDS } from './commands.js';
import { type CliRoot, createCliRoot, sourceFlags, withRoot } from './root.js';
import type { SourceFlags } from './vault-open.js';

interface Common extends SourceFlags {
  json?: boolean;
  config?: string;
}

async function servicesOf(root: CliRoot) {
  return adminServices({
    store: await root.sqliteStore('keywarden operator'),
    vault: await root.vault(),
    keys: await root.keys(),
    audit: await root.audit(),
    monitor: await root.monitor(),
    approvals: root.config().approvals,
  });
}

function roleOf(value: string | undefined): Role {
  const role = (ROLES as readonly string[]).find((r) => r === value);
  if (!role) throw new CliError(`--role must be one of ${ROLES.join(', ')}`, 2);
  return role as Role;
}

/** Add an operator as the local actor; answers the one-time enrolment code. */
export async function addOperator(root: CliRoot, name: string, role: Role) {
  return (await servicesOf(root)).operators.add({ name, role }, LOCAL_ACTOR);
}

export function register(program: Command): void {
  const secrets = (cmd: Command) =>
    cmd
      .option('--passphrase-file <file>', 'read the vault passphrase from a file')
      .option('--key-file <file>', 'use a base64 32-byte master key file')
      .option('--config <file>', 'keywarden.yaml');
  const rootFor = (cmd: Command, opts: Common) => {
    const { dataDir } = cmd.optsWithGlobals<{ dataDir?: string }>();
    return {
      dataDir: resolveDataDir(dataDir),
      flags: sourceFlags(opts),
      ...(opts.config !== undefined ? { configPath: opts.config } : {}),
    };
  };
  const operator = program.command('operator').description(COMMANDS.operator.summary);
  secrets(
    operator
      .command('add <name>')
      .description('Create an operator and print its one-time enrolment code')
      .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
      .option('--json', 'JSON output'),
  ).action(
    action(async (name: string, opts: Common & { role?: string }, cmd: Command) => {
      const role = roleOf(opts.role);
      const made = await withRoot(rootFor(cmd, opts), (root) => addOperator(root, name, role));
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(made, null, 2)}\n`);
        return;
      }
      process.stdout.write(
        `operator ${made.operator.name} (${made.operator.role}) created.\n` +
          `enrolment code (shown once, valid 24 h): ${made.enrolmentCode}\n` +
          'finish with POST /api/v1/auth/enrol on the admin API (docs/admin-api.md)\n',
      );
    }),
  );
  secrets(operator.command('list').description('List operators').option('--json', 'JSON output')).action(
    action(async (opts: Common, cmd: Command) => {
      const list = await withRoot(rootFor(cmd, opts), async (root) =>
        (await servicesOf(root)).operators.list(),
      );
      if (opts.json) process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
      else
        printTable(
          list.map((o) => ({ ...o })),
          ['name', 'role', 'status', 'mfaEnrolled', 'createdBy'],
        );
    }),
  );

  const admin = program.command('admin').description(COMMANDS.admin.summary);
  secrets(
    admin
      .command('serve')
      .description('Serve the admin API (JSON under /api/v1, OpenAPI at /api/v1/openapi.json)')
      .option('--listen <host:port>', 'address to listen on (default 127.0.0.1:8790)'),
  ).action(
    action(async (opts: Common & { listen?: string }, cmd: Command) => {
      const root = createCliRoot(rootFor(cmd, opts));
      const { host, port } = parseListen(opts.listen ?? '127.0.0.1:8790');
      const services = await servicesOf(root);
      const server = createAdminServer({
        services,
        routes: adminRoutes(services),
        tls: root.config().server.tls,
        onError: (err, id) =>
          process.stderr.write(`admin: ${id}: ${err instanceof Error ? err.message : 'error'}\n`),
      });
      const url = await server.listen(port, host);
      process.stdout.write(`keywarden admin API on ${url}/api/v1\n`);
      const stop = async () => {
        await server.close();
        await root.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
    }),
  );
}
