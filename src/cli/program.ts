import { Command } from 'commander';

/**
 * The `keywarden` command. Each command group lives in its own file under src/cli/ and
 * exports `register(program)`; this file only composes them.
 */
export function buildProgram(): Command {
  const program = new Command('keywarden')
    .description('Vault and signing gateway for crypto-exchange API keys')
    .option('--data-dir <dir>', 'data directory (default ./.keywarden or KEYWARDEN_DATA_DIR)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  // command groups register here
  return program;
}
