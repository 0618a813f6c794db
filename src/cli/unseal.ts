import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { isLoopback } from '../gateway/index.js';
import type { MasterKeySource } from '../vault/index.js';
import { action, CliError, resolveDataDir } from './cli-kit.js';
import { COMMANDS } from './commands.js';
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

/**
 * The request body for a running gateway: the passphrase, or the master key read here, by this
 * user (the gateway never opens a file a request names). The secret travels in the body only.
 */
export function unsealBody(source: MasterKeySource, env: NodeJS.ProcessEnv = process.env): string {
  if (source.kind === 'passphrase') return JSON.stringify({ passphrase: source.passphrase });
  if (source.kind === 'key') return JSON.stringify({ masterKey: source.base64.trim() });
  if (source.kind === 'env') {
    const value = env[source.variable] ?? '';
    if (value === '') throw new CliError(`${source.variable} is not set`, 2);
    return JSON.stringify({ masterKey: value.trim() });
  }
  let text: string;
  try {
    text = readFileSync(source.path, 'utf8');
  } catch {
    throw new CliError(`cannot read key file ${source.path}`, 2);
  }
  return JSON.stringify({ masterKey: text.trim() });
}

/** `keywarden unseal --url`: send the master key to a running gateway's loopback-only endpoint. */
export async function unsealRemote(url: string, source: MasterKeySource): Promise<void> {
  // The gateway accepts loopback peers only; refusing other hosts here keeps the secret on this machine.
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    throw new CliError(`--url ${url} is not a URL`, 2);
  }
  if (host !== 'localhost' && !isLoopback(host))
    throw new CliError('--url must name this machine (localhost, 127.0.0.1 or [::1])', 2);
  const body = unsealBody(source);
  let res: Response;
  try {
    res = await fetch(`${url.replace(/\/+$/, '')}/_keywarden/unseal`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
  } catch {
    throw new CliError(`no gateway answering at ${url}`);
  }
  await res.body?.cancel();
  if (res.ok) return;
  const retry = res.headers.get('retry-after');
  throw new CliError(
    res.status === 429 && retry !== null
      ? `unseal failed: too many failed attempts, try again in ${retry} s`
      : `unseal failed (HTTP ${res.status})`,
  );
}
