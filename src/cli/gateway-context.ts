/**
 * The store, vault, key registry and audit log as `serve` opens them: sealed unless a
 * master-key source is given at start (the one-shot commands open theirs through root.ts).
 */
import { readFileSync } from 'node:fs';
import { type AuditAnchoring, createDeferredAuditLog } from '../audit/index.js';
import { KeywardenError } from '../core/index.js';
import type { KeyRegistry } from '../keys/index.js';
import { createKeyRegistry } from '../keys/index.js';
import { type AnyStore, openConfiguredStore } from '../store/index.js';
import type { MasterKeySource, Vault } from '../vault/index.js';
import { openVault, vaultExists } from '../vault/index.js';

export interface ServeContext {
  store: AnyStore;
  vault: Vault;
  keys: KeyRegistry;
  audit: ReturnType<typeof createDeferredAuditLog>;
  unseal(source: MasterKeySource): Promise<void>;
  close(): Promise<void>;
}

/** A source given without prompting (the server never prompts): env key, passphrase file. */
function startupSource(
  passphraseFile: string | undefined,
  env: NodeJS.ProcessEnv,
): MasterKeySource | undefined {
  if (env.KEYWARDEN_MASTER_KEY) return { kind: 'env', variable: 'KEYWARDEN_MASTER_KEY' };
  const file = env.KEYWARDEN_PASSPHRASE_FILE ?? passphraseFile;
  if (file === undefined) return undefined;
  try {
    return { kind: 'passphrase', passphrase: readFileSync(file, 'utf8').replace(/\r?\n$/, '') };
  } catch {
    throw new KeywardenError('invalid_input', `Cannot read passphrase file ${file}`);
  }
}

/** For `serve`: sealed unless a master-key source is available at start; `unseal` later opens the audit log. */
export async function openServeContext(
  dataDir: string,
  opts: { passphraseFile?: string; storeUrl?: string | undefined },
  env: NodeJS.ProcessEnv = process.env,
  anchoring: AuditAnchoring = {},
): Promise<ServeContext> {
  const store = await openConfiguredStore(dataDir, opts.storeUrl);
  if (!(await vaultExists(store))) {
    await store.close();
    throw new KeywardenError('vault_not_initialized');
  }
  const vault = openVault(store);
  const audit = createDeferredAuditLog(store, vault, anchoring);
  const unseal = async (source: MasterKeySource) => {
    await vault.unseal(source);
    await audit.open();
  };
  try {
    const source = startupSource(opts.passphraseFile, env);
    if (source) await unseal(source);
  } catch (err) {
    await store.close();
    throw err;
  }
  return {
    store,
    vault,
    keys: createKeyRegistry(store, vault),
    audit,
    unseal,
    async close() {
      await audit.close();
      vault.seal();
      await store.close();
    },
  };
}
