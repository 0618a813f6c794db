import type { Command } from 'commander';
import { action, resolveDataDir } from './cli-kit.js';
import { COMMANDS } from './commands.js';
import { unsealRemote } from './serve.js';
import { masterKeySource, openUnsealed } from './vault-open.js';

export function register(program: Command): void {
  program
    .command('unseal')
    .description(COMMANDS.unseal.summary)
    .option('--passphrase-file <file>', 'read the passphrase from a file')
    .option('--key-file <file>', 'use a base64 32-byte master key file')
    .option('--url <gateway>', 'unseal a running gateway on this machine (e.g. http://127.0.0.1:8787)')
    .action(
      action(async (opts: { passphraseFile?: string; keyFile?: string; url?: string }) => {
        if (opts.url !== undefined) {
          await unsealRemote(opts.url, await masterKeySource(opts));
          process.stdout.write(`ok: gateway at ${opts.url} is unsealed\n`);
          return;
        }
        const { store, vault } = await openUnsealed(
          resolveDataDir(program.opts<{ dataDir?: string }>().dataDir),
          opts,
        );
        vault.seal();
        await store.close();
        process.stdout.write('ok: this master key unseals the vault\n');
      }),
    );
}
