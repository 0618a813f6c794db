import type { Command } from 'commander';
import { checkpointSigner, publicKeyFingerprint } from '../audit/index.js';
import { openStore } from '../store/index.js';
import { initVault, openVault } from '../vault/index.js';
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
          const source = await masterKeySource(opts);
          await initVault(store, source);
          // The audit checkpoint key is made now, so its fingerprint can be pinned outside the
          // store before the first record is written: a pin inside the store is only as good
          // as the store.
          const vault = openVault(store);
          await vault.unseal(source);
          let fingerprint: string;
          try {
            fingerprint = publicKeyFingerprint(checkpointSigner(store, vault).publicKeyPem);
          } finally {
            vault.seal();
          }
          process.stdout.write(
            `vault created in ${store.dataDir}\n` +
              `audit checkpoint key fingerprint: ${fingerprint}\n` +
              "pin it outside this host's data directory, in keywarden.yaml:\n" +
              `  audit:\n    checkpointKeyFingerprint: ${fingerprint}\n`,
          );
        } finally {
          await store.close();
        }
      }),
    );
}
