import { readFileSync } from 'node:fs';
import { KeywardenError } from '../core/index.js';
import { openStore, type Store } from '../store/index.js';
import type { MasterKeySource, Vault } from '../vault/index.js';
import { openVault, vaultExists } from '../vault/index.js';
import { readSecretLine } from './secret-input.js';

export interface SourceFlags {
  passphraseFile?: string;
  keyFile?: string;
}

/** Whether a master-key source other than the TTY prompt is given (what `masterKeySource` tries first). */
export function masterKeySourceGiven(flags: SourceFlags, env: NodeJS.ProcessEnv = process.env): boolean {
  return (
    Boolean(env.KEYWARDEN_MASTER_KEY) ||
    env.KEYWARDEN_PASSPHRASE_FILE !== undefined ||
    flags.passphraseFile !== undefined ||
    flags.keyFile !== undefined
  );
}

/** KEYWARDEN_MASTER_KEY, KEYWARDEN_PASSPHRASE_FILE, --passphrase-file, --key-file, else a no-echo TTY prompt. */
export async function masterKeySource(
  flags: SourceFlags,
  env: NodeJS.ProcessEnv = process.env,
): Promise<MasterKeySource> {
  if (env.KEYWARDEN_MASTER_KEY) return { kind: 'env', variable: 'KEYWARDEN_MASTER_KEY' };
  const pf = env.KEYWARDEN_PASSPHRASE_FILE ?? flags.passphraseFile;
  if (pf !== undefined) {
    try {
      return { kind: 'passphrase', passphrase: readFileSync(pf, 'utf8').replace(/\r?\n$/, '') };
    } catch {
      throw new KeywardenError('invalid_input', `Cannot read passphrase file ${pf}`);
    }
  }
  if (flags.keyFile !== undefined) return { kind: 'key-file', path: flags.keyFile };
  if (!process.stdin.isTTY)
    throw new KeywardenError(
      'invalid_input',
      'No master key source: set KEYWARDEN_MASTER_KEY or KEYWARDEN_PASSPHRASE_FILE, or pass --passphrase-file/--key-file',
    );
  return { kind: 'passphrase', passphrase: await readSecretLine('Passphrase: ') };
}

/** Open the store and an unsealed vault for a one-shot CLI command; the caller closes the store. */
export async function openUnsealed(
  dataDir: string,
  flags: SourceFlags,
): Promise<{ store: Store; vault: Vault }> {
  const store = await openStore(dataDir);
  try {
    if (!(await vaultExists(store))) throw new KeywardenError('vault_not_initialized');
    const vault = openVault(store);
    await vault.unseal(await masterKeySource(flags));
    return { store, vault };
  } catch (err) {
    await store.close();
    throw err;
  }
}
