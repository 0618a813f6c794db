import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** keywarden.yaml with one HMAC-signed webhook sink (secret from $KW_HOOK_SECRET), delivering at once. */
export function webhookConfig(url: string, options: { name?: string; minSeverity?: string } = {}): string {
  return [
    'monitor:',
    '  sinks:',
    '    - type: webhook',
    `      name: ${options.name ?? 'oncall'}`,
    `      url: ${url}`,
    '      secret: { env: KW_HOOK_SECRET }',
    `      minSeverity: ${options.minSeverity ?? 'info'}`,
    '      groupWaitMs: 0',
    '',
  ].join('\n');
}

/** A key that `keywarden sandbox keys` seeded in `dataDir` (e.g. binance `trade`). */
export function sandboxSeedKey(
  dataDir: string,
  exchange: string,
  name: string,
): { apiKey: string; secret: string } & Record<string, string> {
  const seed = JSON.parse(readFileSync(join(dataDir, 'sandbox', 'seed.json'), 'utf8')) as {
    keys: Array<{
      exchange: string;
      name: string;
      credential: { apiKey: string; secret: string } & Record<string, string>;
    }>;
  };
  const key = seed.keys.find((k) => k.exchange === exchange && k.name === name);
  if (!key) throw new Error(`no sandbox key ${exchange}/${name}`);
  return key.credential;
}

/**
 * `keywarden init`, `sandbox keys`, then `key add binance --label LABEL` with the sandbox's
 * binance `trade` key on stdin (as an operator would), in the data dir `env` points at.
 * Returns that key's credential.
 */
export function initWithSandboxKey(
  main: string,
  env: NodeJS.ProcessEnv,
  dataDir: string,
  label: string,
): { apiKey: string; secret: string } {
  const cli = (...args: string[]) =>
    execFileSync(process.execPath, [main, ...args], { env, encoding: 'utf8' });
  cli('init');
  cli('sandbox', 'keys', '--json');
  const credential = sandboxSeedKey(dataDir, 'binance', 'trade');
  execFileSync(process.execPath, [main, 'key', 'add', 'binance', '--label', label, '--stdin'], {
    env,
    input: JSON.stringify(credential),
  });
  return credential;
}
