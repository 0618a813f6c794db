import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { type ExchangeId, isExchangeId, KeywardenError } from '../core/index.js';
import type { Credential } from '../exchanges/index.js';
import { ADAPTERS } from '../exchanges/index.js';
import type { Environment, KeyRecord, KeyRegistry } from '../keys/index.js';
import {
  adviceFor,
  detectEgressIp,
  ipRestrictionWords,
  parseCredentialJson,
  permissionWords,
  verifyKeys,
} from '../keys/index.js';
import {
  destroyExpiredCredentials,
  type RotationState,
  rotateKey,
  rotationState,
} from '../rotation/index.js';
import { action, CliError, describeError, printTable, resolveDataDir } from './cli-kit.js';
import { COMMANDS } from './commands.js';
import { type CliRoot, sourceFlags, withRoot } from './root.js';
import { readSecretLine, readStdin } from './secret-input.js';
import type { SourceFlags } from './vault-open.js';

/** Where a credential comes from: never argv. */
interface SecretFlags {
  stdin?: boolean;
  fromEnv?: string;
  fromFile?: string;
}

interface AddOpts extends SourceFlags, SecretFlags {
  label: string;
  env: string;
  owner?: string;
  notes?: string;
  json?: boolean;
}

async function readCredential(opts: SecretFlags, exchange: string): Promise<Credential> {
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
  if (isExchangeId(exchange) && ADAPTERS[exchange]?.credentialFields.includes('password'))
    cred.password = await readSecretLine('Passphrase: ');
  return cred;
}

const DAY_MS = 86_400_000;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The rotation column: where a key stands against the policy for its environment. */
export function rotationWords(state: RotationState, now: number): string {
  switch (state.status) {
    case 'none':
      return '-';
    case 'ok':
      return `due ${day(state.dueAt)}`;
    case 'due_soon':
      return `due in ${Math.max(0, Math.ceil((state.dueAt - now) / DAY_MS))}d (${day(state.dueAt)})`;
    case 'overdue':
      return `OVERDUE ${Math.floor((now - state.dueAt) / DAY_MS)}d (since ${day(state.dueAt)})`;
  }
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

const configOption = (c: Command) =>
  c.option('--config <file>', 'keywarden.yaml (default ./keywarden.yaml if present, or KEYWARDEN_CONFIG)');

export interface KeyVerifyOptions extends SourceFlags {
  all?: boolean;
  json?: boolean;
  config?: string;
}

/** Runs `fn` on the key registry of an unsealed vault, sealing it and closing the store however `fn` ends. */
const withKeyRegistry = (
  dataDir: string,
  flags: SourceFlags,
  fn: (keys: KeyRegistry) => Promise<void>,
): Promise<void> => withRoot({ dataDir, flags: sourceFlags(flags) }, async (root) => fn(await root.keys()));

/** The root of `key verify` / `key rotate`: keywarden.yaml read first, so a bad one fails before the vault opens. */
function checkingRoot<T>(
  dataDir: string,
  opts: SourceFlags & { config?: string },
  fn: (root: CliRoot) => Promise<T>,
): Promise<T> {
  return withRoot({ dataDir, flags: sourceFlags(opts), configPath: opts.config }, async (root) => {
    root.config();
    return fn(root);
  });
}

/** Wrap a command so any failure exits 2 (its documented "could not run" code), not 1 ("flagged"). */
function errorsExit2<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      throw new CliError(describeError(err).message, 2);
    }
  };
}

/**
 * `key verify`: introspect each key through its exchange adapter, record the check, raise
 * `key_over_permissive`, print permissions, IP restriction, flags and the fix for each flag.
 * Returns the exit code: 0 clean, 1 a key is flagged, 2 a key could not be checked.
 */
export async function runKeyVerify(
  dataDir: string,
  label: string | undefined,
  opts: KeyVerifyOptions,
  out: (text: string) => void = (t) => process.stdout.write(t),
): Promise<number> {
  if ((label === undefined) === (opts.all !== true)) throw new CliError('give one key LABEL or --all', 2);
  return checkingRoot(dataDir, opts, async (root) => {
    const config = root.config();
    const keysRegistry = await root.keys();
    const audit = await root.audit();
    const store = await root.store();
    const access = await root.exchanges();
    const alerts = await root.monitor();
    await destroyExpiredCredentials({ store, audit });
    let keys: KeyRecord[];
    if (label !== undefined) {
      const k = await keysRegistry.get(label);
      if (!k) throw new CliError(`no key "${label.slice(0, 64)}"`, 2);
      if (k.status !== 'active') throw new CliError(`key ${k.label} is retired`, 2);
      keys = [k];
    } else keys = await keysRegistry.list();
    const checks = await verifyKeys(
      { keys: keysRegistry, access, checks: await root.keyChecks(), audit, monitor: alerts.monitor },
      keys,
    );
    const egressIp = config.lifecycle.egressIp ?? detectEgressIp();
    const results = keys.map((k, i) => {
      const c = checks[i] as (typeof checks)[number];
      const r = c.introspection;
      return {
        label: k.label,
        keyId: k.id,
        exchange: k.exchange,
        environment: k.environment,
        version: c.keyVersion,
        checkedAt: c.checkedAt,
        live: r.available,
        ...(r.available
          ? {
              permissions: {
                read: r.canRead,
                trade: r.canTrade,
                withdraw: r.canWithdraw,
                transfer: r.canTransfer,
              },
              ipRestricted: r.ipRestricted,
              ...(r.ipList ? { ipList: r.ipList } : {}),
            }
          : { reason: r.reason }),
        flags: c.flags,
        advice: adviceFor(c, egressIp),
        text: { permissions: permissionWords(r), ip: ipRestrictionWords(r) },
      };
    });
    if (opts.json) out(`${JSON.stringify(results.map(({ text: _t, ...r }) => r))}\n`);
    else {
      for (const r of results) {
        out(`${r.label}  (${r.exchange}, ${r.environment}, version ${r.version})\n`);
        out(`  permissions     ${r.text.permissions}\n`);
        out(`  IP restriction  ${r.text.ip}\n`);
        out(`  flags           ${r.flags.length > 0 ? r.flags.join(', ') : 'none'}\n`);
        r.advice.forEach((a, i) => {
          out(`  ${i === 0 ? 'advice' : ''.padEnd(6)}          ${a}\n`);
        });
      }
      const flagged = results.filter((r) => r.flags.length > 0).length;
      out(`${results.length} key${results.length === 1 ? '' : 's'} checked, ${flagged} flagged\n`);
    }
    if (checks.some((c) => c.flags.includes('check_failed'))) return 2;
    return checks.some((c) => c.flags.length > 0) ? 1 : 0;
  });
}

const GRACE = /^(\d+)(s|m|h)?$/;
const GRACE_UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000 };

/** `--grace 60s|5m|1h|0`; a bare number is seconds. */
export function parseGrace(value: string): number {
  const m = GRACE.exec(value.trim());
  const ms = m ? Number(m[1]) * (GRACE_UNIT_MS[m[2] ?? 's'] ?? 1_000) : Number.NaN;
  if (!Number.isSafeInteger(ms) || ms > 86_400_000)
    throw new CliError(
      `--grace expects a duration up to 24h like 60s, 5m or 1h, got "${value.slice(0, 20)}"`,
      2,
    );
  return ms;
}

export interface KeyRotateOptions extends SourceFlags, SecretFlags {
  grace?: string;
  verify: boolean;
  /** false (--no-wait): return after the switch; `serve` or a later key command destroys the old credential. */
  wait?: boolean;
  json?: boolean;
  config?: string;
}

/**
 * `key rotate`: new credential in (never from argv) → verified against the exchange → atomic
 * switch → old credential kept for the grace period → destroyed → reminder to delete it on
 * the exchange. Progress goes to stderr with --json (stdout then holds only the result).
 */
export async function runKeyRotate(
  dataDir: string,
  ref: string,
  opts: KeyRotateOptions,
  io: { out: (t: string) => void; err: (t: string) => void } = {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
  },
): Promise<void> {
  const say = opts.json ? io.err : io.out;
  await checkingRoot(dataDir, opts, async (root) => {
    const config = root.config();
    const graceMs =
      opts.grace !== undefined ? parseGrace(opts.grace) : config.lifecycle.rotationGraceSeconds * 1000;
    const ctx = {
      store: await root.store(),
      vault: await root.vault(),
      keys: await root.keys(),
      audit: await root.audit(),
    };
    const access = await root.exchanges();
    const alerts = await root.monitor();
    await destroyExpiredCredentials({ store: ctx.store, audit: ctx.audit });
    const key = await ctx.keys.get(ref);
    if (!key) throw new KeywardenError('not_found', `no key "${ref.slice(0, 64)}"`);
    const credential = await readCredential(opts, key.exchange);
    const result = await rotateKey(
      {
        store: ctx.store,
        vault: ctx.vault,
        keys: ctx.keys,
        access,
        checks: await root.keyChecks(),
        audit: ctx.audit,
        monitor: alerts.monitor,
      },
      key.id,
      credential,
      { graceMs, verify: opts.verify },
    );
    const k = result.key;
    if (result.check) {
      const r = result.check.introspection;
      say(
        `verified the new credential on ${k.exchange}: live; permissions ${permissionWords(r)}; IP restriction ${ipRestrictionWords(r)}\n`,
      );
      const tips = adviceFor(result.check, config.lifecycle.egressIp ?? detectEgressIp());
      for (const tip of tips) say(`  warning: ${tip}\n`);
    } else say('not verified against the exchange (--no-verify)\n');
    say(
      `switched ${k.label} to the new credential …${k.last4} (version ${k.version}): every client of the key signs with it from its next request\n`,
    );
    const wait = result.graceUntil - Date.now();
    const deferred = wait > 0 && opts.wait === false;
    let reminder: string;
    if (deferred) {
      const until = new Date(result.graceUntil).toISOString();
      say(
        `keeping the old credential …${result.previousLast4} until ${until} for requests in flight; a running \`keywarden serve\` destroys it within 10 minutes after that, or the next \`keywarden key verify\` or \`key rotate\` does\n`,
      );
      reminder = `after ${until}, delete the old API key …${result.previousLast4} on ${k.exchange} (its API management page): the exchange accepts it until you do`;
    } else {
      if (wait > 0) {
        say(
          `keeping the old credential …${result.previousLast4} for ${Math.ceil(wait / 1000)}s for requests in flight (--no-wait to return now)\n`,
        );
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
      await destroyExpiredCredentials(
        { store: ctx.store, audit: ctx.audit },
        { keyId: k.id, version: result.previousVersion },
      );
      reminder = `now delete the old API key …${result.previousLast4} on ${k.exchange} (its API management page): keywarden no longer has it, but the exchange still accepts it`;
      say(`old credential …${result.previousLast4} destroyed in keywarden\n`);
    }
    say(`${reminder}\n`);
    if (opts.json)
      io.out(
        `${JSON.stringify({
          label: k.label,
          keyId: k.id,
          exchange: k.exchange,
          version: k.version,
          previousVersion: result.previousVersion,
          last4: k.last4,
          previousLast4: result.previousLast4,
          rotatedAt: k.rotatedAt,
          verified: result.check !== undefined,
          flags: result.check?.flags ?? [],
          graceSeconds: graceMs / 1000,
          previousDestroyed: !deferred,
          ...(deferred ? { previousDestroyAfter: new Date(result.graceUntil).toISOString() } : {}),
          reminder,
        })}\n`,
      );
  });
}

export function register(program: Command): void {
  const dataDir = () => resolveDataDir(program.opts<{ dataDir?: string }>().dataDir);
  const key = program.command('key').description(COMMANDS.key.summary);
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
      await withKeyRegistry(dataDir(), opts, async (registry) => {
        const rec = await registry.add(
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
      });
    }),
  );
  sourceOptions(
    configOption(
      key
        .command('list')
        .description('List registered keys, with where each stands against the rotation policy')
        .option('--all', 'include retired')
        .option('--json', 'JSON output'),
    ),
  ).action(
    action(async (opts: SourceFlags & { all?: boolean; json?: boolean; config?: string }) => {
      await checkingRoot(dataDir(), opts, async (root) => {
        const policy = root.config().lifecycle.rotationDays;
        const keys = await (await root.keys()).list({ includeRetired: opts.all === true });
        const now = Date.now();
        const rows = keys.map((k) => ({ key: k, rotation: rotationState(k, policy, now) }));
        if (opts.json)
          process.stdout.write(`${JSON.stringify(rows.map((r) => ({ ...r.key, rotation: r.rotation })))}\n`);
        else
          printTable(
            rows.map((r) => ({ ...view(r.key), rotation: rotationWords(r.rotation, now) })),
            ['id', 'label', 'exchange', 'env', 'status', 'last4', 'fingerprint', 'rotation'],
          );
      });
    }),
  );
  sourceOptions(
    key.command('show <ref>').description('Show one key (label or id)').option('--json', 'JSON output'),
  ).action(
    action(async (ref: string, opts: SourceFlags & { json?: boolean }) => {
      await withKeyRegistry(dataDir(), opts, async (registry) => {
        const rec = await registry.get(ref);
        if (rec === undefined) throw new KeywardenError('not_found', `No key ${ref}`);
        if (opts.json) process.stdout.write(`${JSON.stringify(rec)}\n`);
        else
          for (const [k, v] of Object.entries({
            ...view(rec),
            fingerprint: rec.fingerprint,
            notes: rec.notes ?? '',
          }))
            process.stdout.write(`${k.padEnd(12)} ${v}\n`);
      });
    }),
  );
  sourceOptions(
    key.command('retire <ref>').description('Retire a key').option('--json', 'JSON output'),
  ).action(
    action(async (ref: string, opts: SourceFlags & { json?: boolean }) => {
      await withKeyRegistry(dataDir(), opts, async (registry) => {
        const rec = await registry.retire(ref);
        process.stdout.write(opts.json ? `${JSON.stringify(rec)}\n` : `retired ${rec.label}\n`);
      });
    }),
  );
  sourceOptions(
    configOption(
      key
        .command('verify [label]')
        .description(
          'Ask the exchange what a key may do; flag withdraw/transfer permission and no IP restriction (exit 0 clean, 1 flagged, 2 error)',
        )
        .option('--all', 'verify every active key')
        .option('--json', 'JSON output'),
    ),
  ).action(
    action(
      errorsExit2(async (label: string | undefined, opts: KeyVerifyOptions) => {
        process.exitCode = await runKeyVerify(dataDir(), label, opts);
      }),
    ),
  );
  sourceOptions(
    configOption(
      key
        .command('rotate <label>')
        .description(
          'Replace a key with a new one from the exchange: verify, switch every client atomically, destroy the old after --grace',
        )
        .option('--stdin', 'read the new credential JSON (apiKey, secret, password, ...) from stdin')
        .option('--from-env <var>', 'read that JSON from an environment variable')
        .option('--from-file <file>', 'read that JSON from a file')
        .option(
          '--grace <duration>',
          'keep the old credential for requests in flight (e.g. 60s, 5m; default lifecycle.rotationGraceSeconds)',
        )
        .option('--no-verify', 'skip checking the new credential against the exchange')
        .option(
          '--no-wait',
          'return after the switch; serve (or the next key verify/rotate) destroys the old credential after --grace',
        )
        .option('--json', 'JSON output'),
    ),
  ).action(
    action(async (label: string, opts: KeyRotateOptions) => {
      await runKeyRotate(dataDir(), label, opts);
    }),
  );
}
