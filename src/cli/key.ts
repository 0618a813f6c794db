import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { KeywardenError } from '../errors.js';
import type { Credential, ExchangeId } from '../exchanges/adapter.js';
import type { Environment, KeyRecord } from '../lifecycle/key-types.js';
import { createKeyRegistry, parseCredentialJson } from '../lifecycle/keys.js';
import { action, printTable, resolveDataDir } from './cli-kit.js';
import { readSecretLine, readStdin } from './secret-input.js';
import { openUnsealed, type SourceFlags } from './vault-open.js';

interface AddOpts extends SourceFlags {
  label: string;
  env: string;
  owner?: string;
  notes?: string;
  stdin?: boolean;
  fromEnv?: string;
  fromFile?: string;
  json?: boolean;
}

async function readCredential(opts: AddOpts, exchange: string): Promise<Credential> {
  if (opts.stdin) return parseCredentialJson(await readStdin());
  if (opts.fromEnv !== undefined) {
    const v = process.env[opts.fromEnv];
    if (v === undefined) throw new KeywardenError('invalid_input', `${opts.fromEnv} is not set`);
    return parseCredentialJson(v);
  }
  if (opts.fromFile !== undefined) {
    try {
      return parseCredentialJson(readFileSync(opts.fromFile, 'utf8'));
    } catch (err) {
      if (err instanceof KeywardenError) throw err;
      throw new KeywardenError('invalid_input', `Cannot read ${opts.fromFile}`);
    }
  }
  if (!process.stdin.isTTY)
    throw new KeywardenError(
      'invalid_input',
      'No secret source: use --stdin, --from-env VAR or --from-file F',
    );
  const cred: Credential = {
    apiKey: await readSecretLine('API key: '),
    secret: await readSecretLine('Secret: '),
  };
  if (exchange === 'okx') cred.password = await readSecretLine('Passphrase: ');
  return cred;
}

const view = (k: KeyRecord) => ({
  id: k.id,
  label: k.label,
  exchange: k.exchange,
  env: k.environment,
  owner: k.owner ?? '',
  status: k.status,
  last4: `…${k.last4}`,
  fingerprint: k.fingerprint.slice(0, 16),
  created: new Date(k.createdAt).toISOString(),
});

const sourceOptions = (c: Command) =>
  c
    .option('--passphrase-file <file>', 'read the vault passphrase from a file')
    .option('--key-file <file>', 'use a base64 32-byte master key file');

export function register(program: Command): void {
  const dataDir = () => resolveDataDir(program.opts<{ dataDir?: string }>().dataDir);
  const key = program.command('key').description('Register and manage exchange API keys');
  sourceOptions(
    key
      .command('add <exchange>')
      .description('Register an exchange key (secret from prompt, --stdin, --from-env or --from-file)')
      .requiredOption('--label <label>', 'unique label')
      .option('--env <env>', 'prod|test|dev', 'prod')
      .option('--owner <owner>', 'owner')
      .option('--notes <notes>', 'notes')
      .option('--stdin', 'read one JSON object (apiKey, secret, password, uid, privateKey) from stdin')
      .option('--from-env <var>', 'read that JSON from an environment variable')
      .option('--from-file <file>', 'read that JSON from a file')
      .option('--json', 'JSON output'),
  ).action(
    action(async (exchange: string, opts: AddOpts) => {
      const cred = await readCredential(opts, exchange);
      const { store, vault } = await openUnsealed(dataDir(), opts);
      try {
        const rec = await createKeyRegistry(store, vault).add(
          {
            label: opts.label,
            exchange: exchange as ExchangeId,
            environment: opts.env as Environment,
            ...(opts.owner !== undefined ? { owner: opts.owner } : {}),
            ...(opts.notes !== undefined ? { notes: opts.notes } : {}),
          },
          cred,
        );
        if (opts.json) process.stdout.write(`${JSON.stringify(rec)}\n`);
        else
          process.stdout.write(
            `registered ${rec.label} (${rec.id}) fingerprint ${rec.fingerprint.slice(0, 16)}\n`,
          );
      } finally {
        vault.seal();
        await store.close();
      }
    }),
  );
  sourceOptions(
    key
      .command('list')
      .description('List registered keys')
      .option('--all', 'include retired')
      .option('--json', 'JSON output'),
  ).action(
    action(async (opts: SourceFlags & { all?: boolean; json?: boolean }) => {
      const { store, vault } = await openUnsealed(dataDir(), opts);
      try {
        const keys = await createKeyRegistry(store, vault).list({ includeRetired: opts.all === true });
        if (opts.json) process.stdout.write(`${JSON.stringify(keys)}\n`);
        else printTable(keys.map(view), ['id', 'label', 'exchange', 'env', 'status', 'last4', 'fingerprint']);
      } finally {
        vault.seal();
        await store.close();
      }
    }),
  );
  sourceOptions(
    key.command('show <ref>').description('Show one key (label or id)').option('--json', 'JSON output'),
  ).action(
    action(async (ref: string, opts: SourceFlags & { json?: boolean }) => {
      const { store, vault } = await openUnsealed(dataDir(), opts);
      try {
        const rec = await createKeyRegistry(store, vault).get(ref);
        if (rec === undefined) throw new KeywardenError('not_found', `No key ${ref}`);
        if (opts.json) process.stdout.write(`${JSON.stringify(rec)}\n`);
        else
          for (const [k, v] of Object.entries({
            ...view(rec),
            fingerprint: rec.fingerprint,
            notes: rec.notes ?? '',
          }))
            process.stdout.write(`${k.padEnd(12)} ${v}\n`);
      } finally {
        vault.seal();
        await store.close();
      }
    }),
  );
  sourceOptions(
    key.command('retire <ref>').description('Retire a key').option('--json', 'JSON output'),
  ).action(
    action(async (ref: string, opts: SourceFlags & { json?: boolean }) => {
      const { store, vault } = await openUnsealed(dataDir(), opts);
      try {
        const rec = await createKeyRegistry(store, vault).retire(ref);
        process.stdout.write(opts.json ? `${JSON.stringify(rec)}\n` : `retired ${rec.label}\n`);
      } finally {
        vault.seal();
        await store.close();
      }
    }),
  );
}
