import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { loadCheckpointSigner, openStoreAuditLog, publicKeyFingerprint } from '../audit/index.js';
import { loadConfig } from '../config/index.js';
import { LOCAL_ACTOR, systemClock } from '../core/index.js';
import { createOperators } from '../operators/index.js';
import type { AnyStore } from '../store/index.js';
import { openConfiguredStore } from '../store/index.js';
import { initVault, openVault, type Vault } from '../vault/index.js';
import { action, resolveDataDir } from './cli-kit.js';
import { COMMANDS } from './commands.js';
import { enrolmentText } from './operator.js';
import { masterKeySource } from './vault-open.js';

/**
 * The first owner's name: `--owner NAME`; else, only when stdin is a terminal, asked (empty
 * skips); never asked of a script. `--no-owner` skips the question.
 */
async function ownerName(opts: { owner?: string | boolean }): Promise<string | undefined> {
  if (typeof opts.owner === 'string') return opts.owner;
  if (opts.owner === false || !process.stdin.isTTY) return undefined;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(
      'Create the first owner account of the admin API now? Owner name (empty to skip): ',
    );
    return answer.trim() === '' ? undefined : answer.trim();
  } finally {
    rl.close();
  }
}

/** `operator add NAME --role owner`, on the vault init has just opened: prints the one-time enrolment. */
async function addOwner(store: AnyStore, vault: Vault, name: string): Promise<string> {
  const audit = await openStoreAuditLog(store, vault);
  try {
    const operators = createOperators({ db: store.db, vault, audit, clock: systemClock });
    return enrolmentText(await operators.add({ name, role: 'owner' }, LOCAL_ACTOR));
  } finally {
    await audit.close();
  }
}

export function register(program: Command): void {
  program
    .command('init')
    .description(COMMANDS.init.summary)
    .option('--passphrase-file <file>', 'read the passphrase from a file')
    .option('--key-file <file>', 'use a base64 32-byte master key file')
    .option(
      '--owner <name>',
      'also create the first owner of the admin API and print its one-time enrolment code',
    )
    .option('--no-owner', 'do not offer to create the first owner')
    .option(
      '--config <file>',
      'keywarden.yaml, for store.url (default ./keywarden.yaml if present, or KEYWARDEN_CONFIG)',
    )
    .action(
      action(
        async (opts: {
          passphraseFile?: string;
          keyFile?: string;
          owner?: string | boolean;
          config?: string;
        }) => {
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
            let owner = '';
            try {
              fingerprint = publicKeyFingerprint((await loadCheckpointSigner(store, vault)).publicKeyPem);
              process.stdout.write(
                `vault created in ${store.dialect === 'sqlite' ? store.dataDir : 'the PostgreSQL store (store.url)'}\n` +
                  `audit checkpoint key fingerprint: ${fingerprint}\n` +
                  "pin it outside this host's data directory, in keywarden.yaml:\n" +
                  `  audit:\n    checkpointKeyFingerprint: ${fingerprint}\n`,
              );
              // Operators live in the store (either engine): on PostgreSQL every admin API of
              // every instance knows the owner made here.
              const name = await ownerName(opts);
              if (name !== undefined) owner = await addOwner(store, vault, name);
            } finally {
              vault.seal();
            }
            process.stdout.write(owner);
          } finally {
            await store.close();
          }
        },
      ),
    );
}
