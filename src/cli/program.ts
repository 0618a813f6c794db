import { Command, Help } from 'commander';
import { VERSION } from '../core/index.js';
import { COMMANDS, type CommandName } from './commands.js';

type Register = (program: Command) => void;

/**
 * Command groups by top-level command name. Each group lives in its own file under src/cli/
 * and exports `register(program)`. They load lazily: a `keywarden scan` in a pre-commit hook
 * must not pay for importing the gateway, the sinks and SMTP (measured: ~0.4 s of startup).
 */
const GROUPS: ReadonlyArray<{ names: readonly CommandName[]; load: () => Promise<{ register: Register }> }> =
  [
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
    { names: ['operator', 'admin'], load: () => import('./operator.js') },
    { names: ['approvals'], load: () => import('./approvals.js') },
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
 * when they name a known command (or `help COMMAND`) only that group is loaded. Otherwise (no
 * command, --help, --version, a typo) the commands are listed from the COMMANDS table without
 * loading any group; commander's "did you mean" suggestions work from those names too.
 */
export async function buildProgram(args: readonly string[] = []): Promise<Command> {
  const program = rootCommand();
  const wanted = requestedCommand(args);
  const topic = wanted === 'help' ? requestedCommand(args.slice(args.indexOf('help') + 1)) : wanted;
  const match = GROUPS.find((g) => topic !== undefined && (g.names as readonly string[]).includes(topic));
  if (match) {
    (await match.load()).register(program);
    return program;
  }
  const terms = new Map<string, string>();
  for (const [name, { term, summary }] of Object.entries(COMMANDS)) {
    program.command(name).description(summary);
    terms.set(name, term);
  }
  program.configureHelp({
    subcommandTerm: (cmd) => terms.get(cmd.name()) ?? defaultTerm(cmd),
  });
  return program;
}

/** Every command group loaded and registered: the whole command tree (tests walk it). */
export async function buildFullProgram(): Promise<Command> {
  const program = rootCommand();
  for (const m of await Promise.all(GROUPS.map((g) => g.load()))) m.register(program);
  return program;
}

function rootCommand(): Command {
  return new Command('keywarden')
    .description('Vault and signing gateway for crypto-exchange API keys')
    .version(VERSION, '-V, --version', 'print the version')
    .option('--data-dir <dir>', 'data directory (default ./.keywarden or KEYWARDEN_DATA_DIR)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
}

/** Commander's own term for a command listed in help (the built-in `help` command). */
function defaultTerm(cmd: Command): string {
  return new Help().subcommandTerm(cmd);
}
