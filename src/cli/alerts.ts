import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { parse } from 'yaml';
import { KeywardenError } from '../core/index.js';
import {
  buildSinks,
  describeConfigError,
  type MonitorConfig,
  monitorConfigSchema,
  sendTestAlert,
} from '../monitor/index.js';
import { action, CliError } from './cli-kit.js';
import { COMMANDS } from './commands.js';

/** `--config`, else KEYWARDEN_CONFIG, else ./keywarden.yaml. */
export function resolveConfigPath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(flag ?? env.KEYWARDEN_CONFIG ?? 'keywarden.yaml');
}

/** Read only the `monitor:` section of keywarden.yaml (the rest belongs to the main config loader). */
export async function loadMonitorConfig(path: string): Promise<MonitorConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new CliError(`cannot read config file ${path}`);
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch {
    throw new CliError(`config file ${path} is not valid YAML`, 2);
  }
  const section = doc && typeof doc === 'object' && 'monitor' in doc ? doc.monitor : undefined;
  const parsed = monitorConfigSchema.safeParse(section ?? {});
  if (!parsed.success) throw new CliError(`invalid config: ${describeConfigError(parsed.error)}`, 2);
  return parsed.data;
}

export interface AlertsTestOptions {
  config?: string;
  sink?: string;
  json?: boolean;
}

/** Send a test alert through each configured sink (or one) and report one line per sink; exit 1 if any failed. */
export async function runAlertsTest(
  options: AlertsTestOptions,
  io: { env?: NodeJS.ProcessEnv; out?: (line: string) => void } = {},
): Promise<number> {
  const env = io.env ?? process.env;
  const out = io.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const path = resolveConfigPath(options.config, env);
  const config = await loadMonitorConfig(path);
  const selected = options.sink ? config.sinks.filter((s) => s.name === options.sink) : config.sinks;
  if (options.sink && selected.length === 0)
    throw new CliError(
      `no sink named ${options.sink} in ${path} (configured: ${config.sinks.map((s) => s.name).join(', ') || 'none'})`,
      2,
    );
  if (selected.length === 0) throw new CliError(`no alert sinks configured under monitor.sinks in ${path}`);
  let sinks: ReturnType<typeof buildSinks>;
  try {
    sinks = buildSinks(selected, { env });
  } catch (err) {
    if (err instanceof KeywardenError) throw new CliError(err.message, 2);
    throw err;
  }
  const results = await Promise.all(sinks.map((s) => sendTestAlert(s)));
  await Promise.all(sinks.map((s) => s.sink.close?.()));
  if (options.json) out(JSON.stringify(results));
  else {
    const width = Math.max(...results.map((r) => r.sink.length));
    for (const r of results) out(r.ok ? `ok      ${r.sink}` : `failed  ${r.sink.padEnd(width)}  ${r.reason}`);
  }
  return results.every((r) => r.ok) ? 0 : 1;
}

export function register(program: Command): void {
  const alerts = program.command('alerts').description(COMMANDS.alerts.summary);
  alerts
    .command('test')
    .description('Send a test alert to each configured sink (or one) and report per sink')
    .option('--sink <name>', 'only this sink')
    .option('--config <file>', 'config file (default ./keywarden.yaml or KEYWARDEN_CONFIG)')
    .option('--json', 'output as JSON')
    .action(
      action(async (opts: AlertsTestOptions) => {
        const code = await runAlertsTest(opts);
        if (code !== 0) process.exitCode = code;
      }),
    );
}
