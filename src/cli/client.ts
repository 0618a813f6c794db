/**
 * `keywarden client add|list|show|set-ip|set-policy|set-third-party|freeze|unfreeze|reroll|revoke`: client credentials bound to one
 * registered exchange key and one policy. The credential is printed once, at issue time.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  type ClientRecord,
  type ClientService,
  type IssuedClient,
  isDay,
  isThirdPartyPurpose,
  THIRD_PARTY_PURPOSES,
  type ThirdParty,
} from '../clients/index.js';
import { isCidr, loadConfig } from '../config/index.js';
import type { ExchangeId } from '../core/index.js';
import { KeywardenError } from '../core/index.js';
import type { Credential } from '../exchanges/index.js';
import { ENVIRONMENTS, type Environment } from '../keys/index.js';
import { defaultPolicy, type Policy, parsePolicy } from '../policy/index.js';
import { action, CliError, printTable, resolveDataDir } from './cli-kit.js';
import { COMMANDS } from './commands.js';
import { cliActor, type RootOptions, sourceFlags, withRoot } from './root.js';
import { ccxtOverride } from './sandbox.js';

const DURATION = /^(\d+)(m|h|d)$/;
const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(value: string, flag: string): number {
  const m = DURATION.exec(value);
  if (!m)
    throw new CliError(`${flag} expects a duration like 30m, 12h or 90d, got "${value.slice(0, 20)}"`, 2);
  return Number(m[1]) * (UNIT_MS[m[2] ?? 'd'] ?? 0);
}

/** The one object a bot can use as is: CCXT credential fields, the bearer token, and the urls override. */
export function botConfig(
  exchange: ExchangeId,
  credential: Credential,
  token: string,
  gatewayUrl: string,
): Record<string, unknown> {
  const override = ccxtOverride(exchange, `${gatewayUrl.replace(/\/+$/, '')}/${exchange}`);
  return {
    apiKey: credential.apiKey,
    secret: credential.secret,
    ...(credential.password !== undefined ? { password: credential.password } : {}),
    token,
    ...override,
  };
}

function gatewayUrlFrom(flag: string | undefined, configPath: string | undefined): string {
  if (flag) return flag;
  const config = loadConfig(configPath ? { path: configPath } : {});
  const listen = config.server.listen.replace(/^0\.0\.0\.0:/, '127.0.0.1:').replace(/^:/, '127.0.0.1:');
  return `${config.server.tls ? 'https' : 'http'}://${listen}`;
}

function row(c: ClientRecord): Record<string, unknown> {
  return {
    name: c.name,
    id: c.id,
    exchange: c.exchange,
    key: c.keyId,
    env: c.environment,
    status: c.status,
    expires: c.expiresAt ? new Date(c.expiresAt).toISOString() : '-',
    ips: c.ipAllow.join(',') || 'any',
    credentials: c.apiKeyIds.length,
  };
}

function printIssued(issued: IssuedClient, gatewayUrl: string, json: boolean | undefined): void {
  const bot = botConfig(issued.client.exchange, issued.credential, issued.token, gatewayUrl);
  const { apiKey: _a, secret: _s, password: _p, token: _t, ...override } = bot;
  if (json) {
    process.stdout.write(`${JSON.stringify(bot, null, 2)}\n`);
    return;
  }
  const lines = [
    `client ${issued.client.name} (${issued.client.id}) for ${issued.client.exchange}; shown once, store it now:`,
    `  apiKey:   ${issued.credential.apiKey}`,
    `  secret:   ${issued.credential.secret.includes('\n') ? `\n${issued.credential.secret}` : issued.credential.secret}`,
    ...(issued.credential.password !== undefined ? [`  password: ${issued.credential.password}`] : []),
    `  token:    ${issued.token}   (Authorization: Bearer …, token mode)`,
    `  ccxt:     ${JSON.stringify(override)}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** The third-party flags of `client add --third-party` and `client set-third-party`. */
interface ThirdPartyFlags {
  vendor?: string;
  purpose?: string;
  contact?: string;
  reviewBy?: string;
  vendorIp?: string[];
}

function addThirdPartyOptions(command: Command): Command {
  return command
    .option('--vendor <name>', 'third party: the vendor (e.g. Koinly)')
    .option(
      '--purpose <purpose>',
      `third party: what it needs the key for: ${THIRD_PARTY_PURPOSES.join(', ')}`,
    )
    .option('--contact <contact>', 'third party: who to call at the vendor (e-mail or URL)')
    .option('--review-by <date>', 'third party: next review of the integration, YYYY-MM-DD')
    .option('--vendor-ip <cidr...>', "third party: the vendor's published source addresses (CIDR)");
}

/** Flags over `base` (the stored record when setting later); every field must end up present. */
function thirdPartyFrom(flags: ThirdPartyFlags, base?: ThirdParty): ThirdParty {
  const merged = {
    vendor: flags.vendor ?? base?.vendor,
    purpose: flags.purpose ?? base?.purpose,
    contact: flags.contact ?? base?.contact,
    reviewBy: flags.reviewBy ?? base?.reviewBy,
    vendorIps: flags.vendorIp ?? base?.vendorIps,
  };
  const missing = (['vendor', 'purpose', 'contact', 'reviewBy'] as const).filter(
    (k) => merged[k] === undefined,
  );
  if (missing.length > 0)
    throw new CliError(
      `a third-party client needs ${missing.map((k) => (k === 'reviewBy' ? '--review-by' : `--${k}`)).join(', ')}`,
      2,
    );
  const { vendor = '', purpose = '', contact = '', reviewBy = '', vendorIps } = merged;
  if (!isThirdPartyPurpose(purpose))
    throw new CliError(`--purpose must be one of ${THIRD_PARTY_PURPOSES.join(', ')}`, 2);
  if (!isDay(reviewBy))
    throw new CliError(`--review-by expects a date like 2026-06-30, got "${reviewBy.slice(0, 20)}"`, 2);
  const bad = (vendorIps ?? []).find((c) => !isCidr(c));
  if (bad !== undefined)
    throw new CliError(`--vendor-ip "${bad.slice(0, 50)}" is not an IP address or CIDR block`, 2);
  return { vendor, purpose, contact, reviewBy, ...(vendorIps && vendorIps.length > 0 ? { vendorIps } : {}) };
}

const hasThirdPartyFlags = (f: ThirdPartyFlags) =>
  f.vendor !== undefined ||
  f.purpose !== undefined ||
  f.contact !== undefined ||
  f.reviewBy !== undefined ||
  f.vendorIp !== undefined;

function readPolicy(file: string): Policy {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new CliError(`cannot read policy file ${file.slice(0, 200)}`, 2);
  }
  return parsePolicy(text);
}

/** The root of one client command: the data dir and master-key flags it was given, `keywarden.yaml` for alerts. */
function rootFor(cmd: Command, configPath?: string): RootOptions {
  const { dataDir, ...flags } = cmd.optsWithGlobals<{
    dataDir?: string;
    passphraseFile?: string;
    keyFile?: string;
  }>();
  return {
    dataDir: resolveDataDir(dataDir),
    flags: sourceFlags(flags),
    configPath,
    actor: cliActor(),
  };
}

/** Run `fn` on the client service of the command's data dir. */
const withClients = <T>(cmd: Command, fn: (clients: ClientService) => Promise<T>): Promise<T> =>
  withRoot(rootFor(cmd), async (root) => fn(await root.clients()));

/**
 * The client service whose freeze, revoke, set-ip and set-policy also raise their alert (to the
 * sinks of `configPath`/KEYWARDEN_CONFIG and the audit log) once the change is committed.
 */
const withAlertingClients = <T>(
  cmd: Command,
  configPath: string | undefined,
  fn: (clients: ClientService) => Promise<T>,
): Promise<T> =>
  withRoot(rootFor(cmd, configPath), async (root) => {
    root.config();
    return fn(await root.alertingClients());
  });

export function register(program: Command): void {
  const client = program.command('client').description(COMMANDS.client.summary);
  const sub = (name: string) =>
    client
      .command(name)
      .option('--passphrase-file <file>', 'read the vault passphrase from a file')
      .option('--key-file <file>', 'use a base64 32-byte master key file');

  addThirdPartyOptions(sub('add'))
    .description('issue a client bound to one exchange key and one policy (credential shown once)')
    .option(
      '--third-party',
      'mark it as a third-party integration (needs --vendor, --purpose, --contact, --review-by)',
    )
    .requiredOption('--key <label>', 'registered exchange key (label or id)')
    .requiredOption('--name <name>', 'client name')
    .option('--policy <file>', 'policy file (YAML or JSON); default: the built-in least-privilege policy')
    .option('--ip <cidr...>', 'allowed source addresses (CIDR, IPv4 or IPv6)')
    .option('--env <env>', 'environment tag: prod, test or dev (default: the key’s)')
    .option('--expires <duration>', 'expiry, e.g. 90d')
    .option('--rate <perSecond>', 'requests per second for this client (0 = unlimited)')
    .option('--gateway-url <url>', 'gateway URL for the printed CCXT urls (default from keywarden.yaml)')
    .option('--config <file>', 'keywarden.yaml')
    .option('--json', 'print one JSON object a bot can use as is')
    .action(
      action(async (opts: Record<string, string | string[] | boolean | undefined>, cmd: Command) => {
        const str = (k: string) => (typeof opts[k] === 'string' ? (opts[k] as string) : undefined);
        const ips = Array.isArray(opts.ip) ? opts.ip : [];
        const bad = ips.find((c) => !isCidr(c));
        if (bad) throw new CliError(`--ip "${bad.slice(0, 50)}" is not an IP address or CIDR block`, 2);
        const env = str('env');
        if (env !== undefined && !(ENVIRONMENTS as readonly string[]).includes(env))
          throw new CliError(`--env must be one of ${ENVIRONMENTS.join(', ')}`, 2);
        const rateText = str('rate');
        const rate = rateText === undefined ? undefined : Number(rateText);
        if (rate !== undefined && (!Number.isFinite(rate) || rate < 0))
          throw new CliError('--rate expects a number >= 0', 2);
        const policyFile = str('policy');
        const policy = policyFile ? readPolicy(policyFile) : defaultPolicy();
        const expires = str('expires');
        const gatewayUrl = gatewayUrlFrom(str('gatewayUrl'), str('config'));
        const tpFlags = opts as ThirdPartyFlags;
        if (opts.thirdParty !== true && hasThirdPartyFlags(tpFlags))
          throw new CliError(
            '--vendor, --purpose, --contact, --review-by and --vendor-ip need --third-party',
            2,
          );
        const thirdParty = opts.thirdParty === true ? thirdPartyFrom(tpFlags) : undefined;
        const issued = await withClients(cmd, (clients) =>
          clients.add({
            name: str('name') ?? '',
            key: str('key') ?? '',
            policy,
            ipAllow: ips,
            ...(env ? { environment: env as Environment } : {}),
            ...(expires ? { expiresAt: Date.now() + parseDuration(expires, '--expires') } : {}),
            ...(rate !== undefined ? { ratePerSecond: rate } : {}),
            ...(thirdParty ? { thirdParty } : {}),
          }),
        );
        printIssued(issued, gatewayUrl, opts.json === true);
      }),
    );

  sub('list')
    .description('list clients')
    .option('--json', 'JSON output')
    .action(
      action(async (opts: { json?: boolean }, cmd: Command) => {
        const list = await withClients(cmd, (c) => c.list());
        if (opts.json) process.stdout.write(`${JSON.stringify(list.map(publicView), null, 2)}\n`);
        else
          printTable(list.map(row), [
            'name',
            'id',
            'exchange',
            'env',
            'status',
            'expires',
            'ips',
            'credentials',
          ]);
      }),
    );

  sub('show <name>')
    .description('show one client (never its secret)')
    .option('--json', 'JSON output')
    .action(
      action(async (name: string, opts: { json?: boolean }, cmd: Command) => {
        const c = await withClients(cmd, (s) => s.get(name));
        if (!c) throw new KeywardenError('not_found', `no client "${name.slice(0, 64)}"`);
        if (opts.json) process.stdout.write(`${JSON.stringify(publicView(c), null, 2)}\n`);
        else
          process.stdout.write(
            `${Object.entries({
              ...row(c),
              policy: JSON.stringify(c.policy),
              apiKeys: c.apiKeyIds.join(', '),
              ...(c.thirdParty
                ? {
                    thirdParty: `${c.thirdParty.vendor} (${c.thirdParty.purpose}), contact ${c.thirdParty.contact}, review by ${c.thirdParty.reviewBy}${c.thirdParty.vendorIps ? `, vendor IPs ${c.thirdParty.vendorIps.join(', ')}` : ''}`,
                  }
                : {}),
            })
              .map(([k, v]) => `${k.padEnd(12)} ${String(v)}`)
              .join('\n')}\n`,
          );
      }),
    );

  sub('set-ip <name> <cidr...>')
    .description(
      'replace a client’s source-IP allow-list (applies on its next request; raises client.changed)',
    )
    .option('--config <file>', 'keywarden.yaml (alert sinks)')
    .option('--json', 'JSON output')
    .action(
      action(
        async (name: string, cidrs: string[], opts: { json?: boolean; config?: string }, cmd: Command) => {
          const bad = cidrs.find((c) => !isCidr(c));
          if (bad !== undefined)
            throw new CliError(`"${bad.slice(0, 50)}" is not an IP address or CIDR block`, 2);
          const c = await withAlertingClients(cmd, opts.config, (s) => s.setIpAllow(name, cidrs));
          if (opts.json) process.stdout.write(`${JSON.stringify(publicView(c))}\n`);
          else process.stdout.write(`client ${c.name}: allowed from ${c.ipAllow.join(', ')}\n`);
        },
      ),
    );

  sub('set-policy <name>')
    .description('replace a client’s policy (applies on its next request; raises client.changed)')
    .option('--policy <file>', 'policy file (YAML or JSON)')
    .option('--default', 'the built-in least-privilege policy')
    .option('--config <file>', 'keywarden.yaml (alert sinks)')
    .option('--json', 'JSON output')
    .action(
      action(
        async (
          name: string,
          opts: { policy?: string; default?: boolean; json?: boolean; config?: string },
          cmd: Command,
        ) => {
          if ((opts.policy === undefined) === (opts.default !== true))
            throw new CliError('give exactly one of --policy <file> or --default', 2);
          const policy = opts.policy !== undefined ? readPolicy(opts.policy) : defaultPolicy();
          const c = await withAlertingClients(cmd, opts.config, (s) => s.setPolicy(name, policy));
          if (opts.json) process.stdout.write(`${JSON.stringify(publicView(c))}\n`);
          else
            process.stdout.write(
              `client ${c.name}: policy ${c.policy.mode}, actions ${c.policy.actions.join(', ')}\n`,
            );
        },
      ),
    );

  for (const [verb, describe] of [
    ['freeze', 'stop a client at its next request (reversible)'],
    ['unfreeze', 'let a frozen client through again'],
    ['revoke', 'revoke a client for good'],
  ] as const) {
    sub(`${verb} <name>`)
      .description(describe)
      .option('--config <file>', 'keywarden.yaml (alert sinks for freeze/revoke)')
      .option('--json', 'JSON output')
      .action(
        action(async (name: string, opts: { json?: boolean; config?: string }, cmd: Command) => {
          // A freeze or revoke is an alert too: sinks and the audit log hear of it.
          const c =
            verb === 'unfreeze'
              ? await withClients(cmd, (s) => s.unfreeze(name))
              : await withAlertingClients(cmd, opts.config, (s) => s[verb](name));
          if (opts.json) process.stdout.write(`${JSON.stringify(publicView(c))}\n`);
          else process.stdout.write(`client ${c.name}: ${c.status}\n`);
        }),
      );
  }

  addThirdPartyOptions(sub('set-third-party <name>'))
    .description(
      'mark a client as a third-party integration, or change its vendor, purpose, contact, review date or addresses (--clear: one of our own bots again)',
    )
    .option('--clear', 'the client is not a third-party integration')
    .option('--json', 'JSON output')
    .action(
      action(
        async (name: string, opts: ThirdPartyFlags & { clear?: boolean; json?: boolean }, cmd: Command) => {
          if (opts.clear && hasThirdPartyFlags(opts))
            throw new CliError('--clear takes no other third-party flag', 2);
          if (!opts.clear && !hasThirdPartyFlags(opts))
            throw new CliError(
              'give --vendor, --purpose, --contact, --review-by or --vendor-ip (or --clear)',
              2,
            );
          const c = await withClients(cmd, async (s) => {
            const current = await s.get(name);
            if (!current) throw new KeywardenError('not_found', `no client "${name.slice(0, 64)}"`);
            return s.setThirdParty(name, opts.clear ? undefined : thirdPartyFrom(opts, current.thirdParty));
          });
          if (opts.json) process.stdout.write(`${JSON.stringify(publicView(c))}\n`);
          else
            process.stdout.write(
              c.thirdParty
                ? `client ${c.name}: third party ${c.thirdParty.vendor} (${c.thirdParty.purpose}), review by ${c.thirdParty.reviewBy}\n`
                : `client ${c.name}: not a third-party integration\n`,
            );
        },
      ),
    );

  sub('reroll <name>')
    .description('issue new credentials; the old ones keep working for --grace (default: revoked now)')
    .option('--grace <duration>', 'grace period for the old credentials, e.g. 1h')
    .option('--gateway-url <url>', 'gateway URL for the printed CCXT urls')
    .option('--config <file>', 'keywarden.yaml')
    .option('--json', 'print one JSON object a bot can use as is')
    .action(
      action(
        async (
          name: string,
          opts: { grace?: string; gatewayUrl?: string; config?: string; json?: boolean },
          cmd: Command,
        ) => {
          const grace = opts.grace ? parseDuration(opts.grace, '--grace') : 0;
          const gatewayUrl = gatewayUrlFrom(opts.gatewayUrl, opts.config);
          const issued = await withClients(cmd, (s) => s.reroll(name, grace));
          printIssued(issued, gatewayUrl, opts.json);
        },
      ),
    );
}

function publicView(c: ClientRecord) {
  return { ...c, expiresAt: c.expiresAt ? new Date(c.expiresAt).toISOString() : undefined };
}
