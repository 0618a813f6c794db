import type { Command } from 'commander';
import { loadConfig } from '../config/index.js';
import { KeywardenError } from '../core/index.js';
import { openConfiguredStore } from '../store/index.js';
import type { MasterKeySource } from '../vault/index.js';
import { rotateMaster, vaultExists } from '../vault/index.js';
import { action, resolveDataDir } from './cli-kit.js';
import { COMMANDS } from './commands.js';
import { readSecretLine } from './secret-input.js';
import { masterKeySource } from './vault-open.js';

interface RotateOpts {
  passphraseFile?: string;
  keyFile?: string;
  newPassphraseFile?: string;
  newKeyFile?: string;
  config?: string;
}

/** New key: KEYWARDEN_NEW_MASTER_KEY, --new-passphrase-file, --new-key-file, else a prompt. */
async function newSource(opts: RotateOpts): Promise<MasterKeySource> {
  if (process.env.KEYWARDEN_NEW_MASTER_KEY) return { kind: 'env', variable: 'KEYWARDEN_NEW_MASTER_KEY' };
  if (opts.newPassphraseFile !== undefined || opts.newKeyFile !== undefined)
    return masterKeySource({ passphraseFile: opts.newPassphraseFile, keyFile: opts.newKeyFile }, {});
  if (!process.stdin.isTTY)
    throw new KeywardenError(
      'invalid_input',
      'No new master key: set KEYWARDEN_NEW_MASTER_KEY or pass --new-passphrase-file/--new-key-file',
    );
  return { kind: 'passphrase', passphrase: await readSecretLine('New passphrase: ') };
}

export function register(program: Command): void {
  const vault = program.command('vault').description(COMMANDS.vault.summary);
  vault
    .command('rotate-master')
    .description('Re-wrap every data key under a new master key (one transaction)')
    .option('--passphrase-file <file>', 'current passphrase file')
    .option('--key-file <file>', 'current master key file')
    .option('--new-passphrase-file <file>', 'new passphrase file')
    .option('--new-key-file <file>', 'new master key file')
    .option(
      '--config <file>',
      'keywarden.yaml, for `store.url` (default ./keywarden.yaml if present, or KEYWARDEN_CONFIG)',
    )
    .action(
      action(async (opts: RotateOpts) => {
        // SQLite in the data directory, or the PostgreSQL store every gateway shares (store.url /
        // KEYWARDEN_STORE_URL): the rotation is one transaction on either.
        const url = loadConfig(opts.config !== undefined ? { path: opts.config } : {}).store.url;
        const store = await openConfiguredStore(
          resolveDataDir(program.opts<{ dataDir?: string }>().dataDir),
          url,
        );
        try {
          if (!(await vaultExists(store))) throw new KeywardenError('vault_not_initialized');
          const oldSrc = await masterKeySource({
            passphraseFile: opts.passphraseFile,
            keyFile: opts.keyFile,
          });
          const n = await rotateMaster(store, oldSrc, await newSource(opts));
          process.stdout.write(`re-wrapped ${n} data keys under the new master key\n`);
        } finally {
          await store.close();
        }
      }),
    );
}
