import type { Command } from 'commander';
import { KeywardenError } from '../core/index.js';
import { openStore } from '../store/index.js';
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
    .action(
      action(async (opts: RotateOpts) => {
        const store = await openStore(resolveDataDir(program.opts<{ dataDir?: string }>().dataDir));
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
