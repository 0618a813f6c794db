/**
 * `keywarden posture`: the hygiene report over every active key and live client (DESIGN
 * capability 9) as a table, JSON or one self-contained HTML file. Exit 0 whatever the score,
 * unless `--fail-under` asks for a CI gate.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { KeywardenConfig } from '../config/index.js';
import { shellArg } from '../core/index.js';
import { detectEgressIp } from '../keys/index.js';
import {
  buildPostureReport,
  collectPostureData,
  type MonitorView,
  type PostureInput,
  type PostureReport,
  type PostureSources,
  renderPostureHtml,
  renderPostureTable,
} from '../posture/index.js';
import { checkHygiene } from '../scan/index.js';
import { action, CliError, resolveDataDir } from './cli-kit.js';
import { COMMANDS } from './commands.js';
import { sourceFlags, withRoot } from './root.js';
import type { SourceFlags } from './vault-open.js';

export const FORMATS = ['table', 'json', 'html'] as const;
export type PostureFormat = (typeof FORMATS)[number];

export interface PostureOptions extends SourceFlags {
  format?: string;
  json?: boolean;
  out?: string;
  failUnder?: string;
  config?: string;
  /** A git repository to add the hygiene checks of (`--repo PATH`). */
  repo?: string;
}

export interface PostureDeps {
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

/**
 * The posture report over the stored keys, clients, checks and operators and the config: what
 * `keywarden posture` prints and `GET /api/v1/posture` answers.
 */
export async function postureReportOf(input: {
  config: KeywardenConfig;
  sources: PostureSources;
  now: number;
  egressIp?: string;
  cli?: string;
  configPath?: string;
  repository?: PostureInput['repository'];
}): Promise<PostureReport> {
  const { config } = input;
  const data = await collectPostureData(input.sources);
  const { mfaCoverage } = await import('../operators/index.js');
  const operators = await mfaCoverage(input.sources.db);
  return buildPostureReport({
    ...data,
    ...(operators ? { operators } : {}),
    now: input.now,
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
    ...(input.egressIp !== undefined ? { egressIp: input.egressIp } : {}),
    cli: input.cli ?? 'keywarden',
    ...(input.configPath !== undefined ? { configPath: input.configPath } : {}),
    ...(input.repository ? { repository: input.repository } : {}),
  });
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
  const out = deps.out ?? ((t: string) => process.stdout.write(t));
  const err = deps.err ?? ((l: string) => process.stderr.write(`${l}\n`));
  const report = await withRoot(
    { dataDir, flags: sourceFlags(opts), configPath: opts.config, anchorAudit: true },
    async (root) => {
      const config = root.config();
      const egressIp = config.lifecycle.egressIp ?? (deps.egressIp ?? detectEgressIp)();
      // Before the vault opens: a wrong path fails at once, with git's one-line reason.
      const repository = opts.repo !== undefined ? checkHygiene(resolve(opts.repo)) : undefined;
      const store = await root.store();
      return postureReportOf({
        config,
        sources: {
          keys: await root.keys(),
          clients: await root.clients(),
          checks: await root.keyChecks(),
          db: store.db,
        },
        now: (deps.now ?? Date.now)(),
        ...(egressIp !== undefined ? { egressIp } : {}),
        cli: explicitDataDir ? `keywarden --data-dir ${shellArg(dataDir)}` : 'keywarden',
        ...(opts.config !== undefined ? { configPath: opts.config } : {}),
        ...(repository ? { repository } : {}),
      });
    },
  );
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
    .option('--repo <path>', 'add the hygiene checks of this git repository (as `keywarden scan --hygiene`)')
    .option('--fail-under <score>', 'exit 1 when the overall score is below this (0-100)')
    .option('--config <file>', 'keywarden.yaml (default ./keywarden.yaml or KEYWARDEN_CONFIG)')
    .option('--passphrase-file <file>', 'read the vault passphrase from a file')
    .option('--key-file <file>', 'use a base64 32-byte master key file')
    .action(
      action(async (opts: PostureOptions) => {
        const flag = program.opts<{ dataDir?: string }>().dataDir;
        const code = await runPosture(resolveDataDir(flag), flag !== undefined, opts, {});
        if (code !== 0) process.exitCode = code;
      }),
    );
}
