import { Command } from 'commander';

type Register = (program: Command) => void;

/**
 * Command groups by top-level command name. Each group lives in its own file under src/cli/
 * and exports `register(program)`. They load lazily: a `keywarden scan` in a pre-commit hook
 * must not pay for importing the gateway, the sinks and SMTP (measured: ~0.4 s of startup).
 */
const GROUPS: ReadonlyArray<{ names: readonly string[]; load: () => Promise<{ register: Register }> }> = [
  { names: ['init'], load: () => import('./init.js') },
  { names: ['unseal'], load: () => import('./unseal.js') },
  { names: ['vault'], load: () => import('./vault.js') },
  { names: ['key'], load: () => import('./key.js') },
  { names: ['serve'], load: () => import('./serve.js') },
  { names: ['client'], load: () => import('./client.js') },
  { names: ['demo'], load: () => import('./demo.js') },
  { names: ['policy'], load: () => import('./policy.js') },
  { names: ['audit'], load: () => import('./audit.js') },
  { names: ['scan'], load: () => import('./scan.js') },
  { names: ['hook'], load: () => import('./hook.js') },
  { names: ['alerts'], load: () => import('./alerts.js') },
  { names: ['sandbox'], load: () => import('./sandbox.js') },
  { names: ['lockdown', 'unlock'], load: () => import('./lockdown.js') },
  { names: ['posture'], load: () => import('./posture.js') },
];

/** The first argument that is not a global option (or its value): the command the user asked for. */
function requestedCommand(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--data-dir') {
      i++;
      continue;
    }
    if (arg.startsWith('-')) continue;
    return arg;
  }
  return undefined;
}

/**
 * The `keywarden` command. `args` are the user's arguments (argv without node and the script):
 * when they name a known command only that group is loaded; otherwise (help, typos) all are,
 * so help and "unknown command" suggestions stay complete.
 */
export async function buildProgram(args: readonly string[] = []): Promise<Command> {
  const program = new Command('keywarden')
    .description('Vault and signing gateway for crypto-exchange API keys')
    .option('--data-dir <dir>', 'data directory (default ./.keywarden or KEYWARDEN_DATA_DIR)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  const wanted = requestedCommand(args);
  const match = GROUPS.find((g) => wanted !== undefined && g.names.includes(wanted));
  const groups = match ? [match] : GROUPS;
  const modules = await Promise.all(groups.map((g) => g.load()));
  for (const m of modules) m.register(program);
  return program;
}
