import type { Command } from 'commander';
import { openStore } from '../store/db.js';
import { initVault } from '../vault/vault.js';
import { action, resolveDataDir } from './cli-kit.js';
import { COMMANDS } from './commands.js';
import { masterKeySource } from './vault-open.js';

export function register(program: Command): void {
  program
    .command('init')
    .description(COMMANDS.init.summary)
    .option('--passphrase-file <file>', 'read the passphrase from a file')
    .option('--key-file <file>', 'use a base64 32-byte master key file')
    .action(
      action(async (opts: { passphraseFile?: string; keyFile?: string }) => {
        const store = await openStore(resolveDataDir(program.opts<{ dataDir?: string }>().dataDir));
        try {
          await initVault(store, await masterKeySource(opts));
          process.stdout.write(`vault created in ${store.dataDir}\n`);
        } finally {
          await store.close();
        }
      }),
    );
}
