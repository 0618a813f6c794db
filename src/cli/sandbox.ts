/**
 * `keywarden sandbox`: run the embedded exchange emulators, and print their keys in CCXT's
 * credential shape. The sandbox keys are the emulated exchanges' own data (kept in
 * <data-dir>/sandbox/seed.json, mode 0600), never keywarden's vault secrets.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { type ExchangeId, isExchangeId } from '../core/index.js';
import { adapterFor } from '../exchanges/index.js';
import type { SandboxEmulator, SandboxKey } from '../sandbox/index.js';
import { createSandbox, EMULATORS, loadOrCreateSeed, type Sandbox } from '../sandbox/index.js';
import { action, CliError, resolveDataDir } from './cli-kit.js';
import { COMMANDS } from './commands.js';

export const DEFAULT_SANDBOX_PORT = 8788;
export const DEFAULT_SANDBOX_HOST = '127.0.0.1';

/** The CCXT options that point an unmodified CCXT client at `base` (exchanges.md §6.2); the layout is the adapter's. */
export function ccxtOverride(exchange: ExchangeId, base: string): Record<string, unknown> {
  return adapterFor(exchange).ccxtOverride(base);
}

function parsePort(raw: string): number {
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65535)
    throw new CliError(`invalid --port "${raw.slice(0, 20)}" (0-65535)`, 2);
  return port;
}

function seedDir(cmd: Command): string {
  const { dataDir } = cmd.optsWithGlobals<{ dataDir?: string }>();
  return join(resolveDataDir(dataDir), 'sandbox');
}

export interface StartedSandbox {
  sandbox: Sandbox;
  url: string;
}

/** Load (or create) the seed and listen; the composition root for `keywarden sandbox` and `serve --sandbox`. */
export async function startSandbox(options: {
  dir: string;
  port: number;
  host: string;
  emulators?: readonly SandboxEmulator[];
}): Promise<StartedSandbox> {
  const emulators = options.emulators ?? EMULATORS;
  const seed = loadOrCreateSeed(options.dir, emulators);
  const served = new Set(emulators.map((e) => e.exchange as string));
  const sandbox = createSandbox({ emulators, keys: seed.keys.filter((k) => served.has(k.exchange)) });
  try {
    return { sandbox, url: await sandbox.listen(options.port, options.host) };
  } catch (err) {
    const code = err instanceof Error && 'code' in err ? String(err.code) : '';
    if (code === 'EADDRINUSE')
      throw new CliError(`port ${options.port} on ${options.host} is already in use`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
      throw new CliError(`cannot listen on ${options.host}`);
    throw err;
  }
}

/** One key as a CCXT constructor config, with the sandbox base URL. */
export function keyView(key: SandboxKey, origin: string) {
  const baseUrl = `${origin}/${key.exchange}`;
  const { apiKey, secret, password, uid } = key.credential;
  const credential = {
    apiKey,
    secret,
    ...(password !== undefined ? { password } : {}),
    ...(uid !== undefined ? { uid } : {}),
  };
  return {
    exchange: key.exchange,
    name: key.name,
    permissions: (['read', 'trade', 'withdraw', 'transfer'] as const).filter((p) => key.permissions[p]),
    ...(key.ipAllow ? { ipAllow: key.ipAllow } : {}),
    baseUrl,
    ccxt: { ...credential, ...ccxtOverride(key.exchange, baseUrl) },
  };
}

export function register(program: Command): void {
  const sandbox = program
    .command('sandbox')
    .description(COMMANDS.sandbox.summary)
    .option('--port <port>', 'port to listen on', String(DEFAULT_SANDBOX_PORT))
    .option('--host <host>', 'address to listen on', DEFAULT_SANDBOX_HOST)
    .action(
      action(async (_opts: unknown, cmd: Command) => {
        const { port, host } = cmd.optsWithGlobals<{ port: string; host: string }>();
        const { sandbox: running, url } = await startSandbox({
          dir: seedDir(cmd),
          port: parsePort(port),
          host,
        });
        const names = EMULATORS.map((e) => e.exchange).join(', ');
        process.stdout.write(`keywarden sandbox listening on ${url} (${names})\n`);
        for (const e of EMULATORS) process.stdout.write(`  ${e.exchange.padEnd(9)} ${url}/${e.exchange}\n`);
        process.stdout.write('keys: keywarden sandbox keys [--json] [--exchange X]\n');
        const stop = () => {
          running.close().then(
            () => process.exit(0),
            () => process.exit(1),
          );
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      }),
    );

  sandbox
    .command('keys')
    .description('print the sandbox keys as CCXT configs (apiKey, secret, password, urls override)')
    .option('--json', 'print JSON')
    .option('--exchange <id>', 'only this exchange')
    .action(
      action((_opts: unknown, cmd: Command) => {
        const o = cmd.optsWithGlobals<{ json?: boolean; exchange?: string; port: string; host: string }>();
        if (o.exchange !== undefined && !isExchangeId(o.exchange)) {
          throw new CliError(`unknown exchange "${o.exchange.slice(0, 20)}"`, 2);
        }
        const emulators = EMULATORS.filter((e) => o.exchange === undefined || e.exchange === o.exchange);
        if (emulators.length === 0) throw new CliError(`the sandbox has no ${o.exchange} emulator`, 2);
        const seed = loadOrCreateSeed(seedDir(cmd), EMULATORS);
        const wanted = new Set(emulators.map((e) => e.exchange as string));
        const port = parsePort(o.port);
        const origin = `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${port}`;
        const views = seed.keys.filter((k) => wanted.has(k.exchange)).map((k) => keyView(k, origin));
        if (o.json) {
          process.stdout.write(`${JSON.stringify(views, null, 2)}\n`);
          return;
        }
        for (const v of views) {
          process.stdout.write(
            `${v.exchange} ${v.name} (${v.permissions.join(',')}${v.ipAllow ? `; only from ${v.ipAllow.join(',')}` : ''})\n`,
          );
          process.stdout.write(`  new ccxt.${v.exchange}(${JSON.stringify(v.ccxt)})\n`);
        }
      }),
    );
}
