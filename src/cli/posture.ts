/**
 * `keywarden posture`: the hygiene report over every active key and live client (DESIGN
 * capability 9) as a table, JSON or one self-contained HTML file. Exit 0 whatever the score,
 * unless `--fail-under` asks for a CI gate.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { type KeywardenConfig, loadConfig } from '../config/config.js';
import { adapterFor } from '../exchanges/index.js';
import { createClientService, createVersionReader } from '../lifecycle/clients.js';
import { detectEgressIp } from '../lifecycle/key-advice.js';
import { createKeyCheckStore } from '../lifecycle/key-checks.js';
import type { KeyCheckStore } from '../lifecycle/lifecycle-types.js';
import { buildPostureReport } from '../lifecycle/posture.js';
import { shellArg } from '../lifecycle/posture-fixes.js';
import { renderPostureHtml } from '../lifecycle/posture-html.js';
import { collectPostureData } from '../lifecycle/posture-inputs.js';
import { renderPostureTable } from '../lifecycle/posture-table.js';
import type { MonitorView, PostureReport } from '../lifecycle/posture-types.js';
import type { Store } from '../store/db.js';
import { action, CliError, cliAnchorWarning, resolveDataDir } from './cli-kit.js';
import { COMMANDS } from './commands.js';
import { openAdminContext } from './gateway-context.js';
import type { SourceFlags } from './vault-open.js';

export const FORMATS = ['table', 'json', 'html'] as const;
export type PostureFormat = (typeof FORMATS)[number];

export interface PostureOptions extends SourceFlags {
  format?: string;
  json?: boolean;
  out?: string;
  failUnder?: string;
  config?: string;
}

export interface PostureDeps {
  /** The verification store over the opened data directory. */
  keyChecks: (store: Store) => Pick<KeyCheckStore, 'latest'>;
  now?: () => number;
  /** The gateway host's public address for IP-restriction fixes (default: a public local interface). */
  egressIp?: () => string | undefined;
  out?: (text: string) => void;
  err?: (line: string) => void;
}

function parseFormat(opts: PostureOptions): PostureFormat {
  const format = opts.json ? 'json' : (opts.format ?? 'table');
  if (!(FORMATS as readonly string[]).includes(format))
    throw new CliError(`--format must be one of ${FORMATS.join(', ')}`, 2);
  return format as PostureFormat;
}

function parseFailUnder(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d{1,3}$/.test(value) || n > 100)
    throw new CliError('--fail-under expects a score from 0 to 100', 2);
  return n;
}

/** The `monitor:` slice posture reads (sink names, types and thresholds; never their secrets). */
export function monitorView(config: KeywardenConfig): MonitorView {
  const { monitor } = config;
  return {
    enabled: monitor.enabled,
    sinks: monitor.sinks.map((s) => ({ name: s.name, type: s.type, minSeverity: s.minSeverity })),
  };
}

export function renderPosture(report: PostureReport, format: PostureFormat): string {
  if (format === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  if (format === 'html') return renderPostureHtml(report);
  return renderPostureTable(report);
}

/** Build and print (or write) the report; returns the exit code. */
export async function runPosture(
  dataDir: string,
  explicitDataDir: boolean,
  opts: PostureOptions,
  deps: PostureDeps,
): Promise<number> {
  const format = parseFormat(opts);
  const failUnder = parseFailUnder(opts.failUnder);
  const config = loadConfig(opts.config ? { path: opts.config } : {});
  const out = deps.out ?? ((t: string) => process.stdout.write(t));
  const err = deps.err ?? ((l: string) => process.stderr.write(`${l}\n`));
  const egressIp = config.lifecycle.egressIp ?? (deps.egressIp ?? detectEgressIp)();
  const ctx = await openAdminContext(dataDir, opts, { audit: config.audit, onAnchorError: cliAnchorWarning });
  let report: PostureReport;
  try {
    const clients = createClientService({
      db: ctx.store.db,
      readVersion: createVersionReader(ctx.store.sqlite),
      vault: ctx.vault,
      keys: ctx.keys,
      audit: ctx.audit,
      adapterFor,
    });
    const data = await collectPostureData({
      keys: ctx.keys,
      clients,
      checks: deps.keyChecks(ctx.store),
      db: ctx.store.db,
    });
    report = buildPostureReport({
      ...data,
      now: (deps.now ?? Date.now)(),
      rotation: config.lifecycle.rotationDays,
      gateway: {
        listen: config.server.listen,
        tls: config.server.tls !== undefined,
        requireClientCert: config.server.tls?.requireClientCert === true,
      },
      monitor: monitorView(config),
      audit: {
        fingerprintPinned: config.audit.checkpointKeyFingerprint !== undefined,
        ...(config.audit.anchorFile !== undefined ? { anchorFile: config.audit.anchorFile } : {}),
      },
      ...(egressIp !== undefined ? { egressIp } : {}),
      cli: explicitDataDir ? `keywarden --data-dir ${shellArg(dataDir)}` : 'keywarden',
      ...(opts.config !== undefined ? { configPath: opts.config } : {}),
    });
  } finally {
    await ctx.close();
  }
  const text = renderPosture(report, format);
  if (opts.out !== undefined) {
    try {
      // A posture report maps the weak spots: readable by the owner only.
      await writeFile(opts.out, text, { mode: 0o600 });
    } catch {
      throw new CliError(`cannot write ${opts.out}`);
    }
    out(`posture score ${report.score}/100 written to ${opts.out}\n`);
  } else out(text);
  if (failUnder !== undefined && report.score < failUnder) {
    err(`keywarden: posture score ${report.score} is below --fail-under ${failUnder}`);
    return 1;
  }
  return 0;
}

export function register(program: Command): void {
  program
    .command('posture')
    .description(COMMANDS.posture.summary)
    .option('--format <format>', 'table, json or html', 'table')
    .option('--json', 'same as --format json')
    .option('--out <file>', 'write the report to a file (mode 0600) instead of stdout')
    .option('--fail-under <score>', 'exit 1 when the overall score is below this (0-100)')
    .option('--config <file>', 'keywarden.yaml (default ./keywarden.yaml or KEYWARDEN_CONFIG)')
    .option('--passphrase-file <file>', 'read the vault passphrase from a file')
    .option('--key-file <file>', 'use a base64 32-byte master key file')
    .action(
      action(async (opts: PostureOptions) => {
        const flag = program.opts<{ dataDir?: string }>().dataDir;
        const code = await runPosture(resolveDataDir(flag), flag !== undefined, opts, {
          keyChecks: createKeyCheckStore,
        });
        if (code !== 0) process.exitCode = code;
      }),
    );
}
