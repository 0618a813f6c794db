import type { Command } from 'commander';
import { loadCheckpointSigner, publicKeyFingerprint } from '../audit/index.js';
import { loadConfig } from '../config/index.js';
import { openConfiguredStore } from '../store/index.js';
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
    .option(
      '--config <file>',
      'keywarden.yaml, for store.url (default ./keywarden.yaml if present, or KEYWARDEN_CONFIG)',
    )
    .action(
      action(async (opts: { passphraseFile?: string; keyFile?: string; config?: string }) => {
        // `store.url` / KEYWARDEN_STORE_URL: the vault is created in that PostgreSQL store.
        const url = loadConfig(opts.config ? { path: opts.config } : {}).store.url;
        const store = await openConfiguredStore(
          resolveDataDir(program.opts<{ dataDir?: string }>().dataDir),
          url,
        );
        try {
          const source = await masterKeySource({
            ...(opts.passphraseFile !== undefined ? { passphraseFile: opts.passphraseFile } : {}),
            ...(opts.keyFile !== undefined ? { keyFile: opts.keyFile } : {}),
          });
          await initVault(store, source);
          // The audit checkpoint key is made now, so its fingerprint can be pinned outside the
          // store before the first record is written: a pin inside the store is only as good
          // as the store.
          const vault = openVault(store);
          await vault.unseal(source);
          let fingerprint: string;
          try {
            fingerprint = publicKeyFingerprint((await loadCheckpointSigner(store, vault)).publicKeyPem);
          } finally {
            vault.seal();
          }
          process.stdout.write(
            `vault created in ${store.dialect === 'sqlite' ? store.dataDir : 'the PostgreSQL store (store.url)'}\n` +
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
