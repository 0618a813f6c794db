import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { isExchangeId, KeywardenError } from '../core/index.js';
import type { Classification } from '../exchanges/index.js';
import { ADAPTERS } from '../exchanges/index.js';
import type { Decision, Policy } from '../policy/index.js';
import { DEFAULT_SLIPPAGE_PERCENT, explainRequest, formatAmount, parsePolicy } from '../policy/index.js';
import { action, CliError } from './cli-kit.js';
import { COMMANDS } from './commands.js';

async function readPolicyFile(path: string): Promise<Policy> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new CliError(`cannot read policy file ${path}`, 2);
  }
  try {
    return parsePolicy(text);
  } catch (err) {
    throw new CliError(`${path}: ${err instanceof Error ? err.message : 'invalid policy'}`, 2);
  }
}

/** The normalised policy as the lines `policy check` prints. */
export function summarisePolicy(policy: Policy): string[] {
  const lines = [`mode: ${policy.mode}`, `actions: ${policy.actions.join(', ')}`];
  if (policy.symbols?.allow) lines.push(`symbols.allow: ${policy.symbols.allow.join(', ')}`);
  if (policy.symbols?.deny) lines.push(`symbols.deny: ${policy.symbols.deny.join(', ')}`);
  const num = (name: string, v: number | undefined) => {
    if (v !== undefined) lines.push(`${name}: ${formatAmount(v)}`);
  };
  num('maxOrderNotional', policy.maxOrderNotional);
  num('maxDailyNotional', policy.maxDailyNotional);
  num('maxOrdersPerMinute', policy.maxOrdersPerMinute);
  num('priceBandPercent', policy.priceBandPercent);
  if (policy.tradingHours) {
    const { start, end, days } = policy.tradingHours;
    lines.push(`tradingHours: ${start}-${end} UTC${days ? ` days ${days.join(',')}` : ''}`);
  }
  if (policy.withdrawals) {
    lines.push(`withdrawals.addresses: ${policy.withdrawals.addresses.length} allow-listed`);
    for (const [coin, cap] of Object.entries(policy.withdrawals.dailyCap ?? {}))
      lines.push(`withdrawals.dailyCap.${coin}: ${formatAmount(cap)}`);
    if (policy.withdrawals.approval) lines.push('withdrawals.approval: held for a second person');
  }
  return lines;
}

export interface ExplainOptions {
  policy: string;
  exchange: string;
  method: string;
  path: string;
  query?: string;
  body?: string;
  clientEnv: string;
  keyEnv: string;
  price: string[];
  slippage?: string;
  now?: string;
  json?: boolean;
}

function parseSlippage(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0 || n > 100)
    throw new CliError(`--slippage expects a percentage between 0 and 100, got ${text}`, 2);
  return n;
}

function parsePrices(pairs: string[]): Record<string, number> {
  const prices: Record<string, number> = {};
  for (const pair of pairs) {
    const at = pair.lastIndexOf('=');
    const value = Number(pair.slice(at + 1));
    if (at <= 0 || !Number.isFinite(value) || value <= 0)
      throw new CliError(`--price expects SYMBOL=PRICE, got ${pair}`, 2);
    prices[pair.slice(0, at).toUpperCase()] = value;
  }
  return prices;
}

export async function explain(
  options: ExplainOptions,
): Promise<{ classification: Classification; decision: Decision; heldForApproval?: true }> {
  const policy = await readPolicyFile(options.policy);
  const adapter = isExchangeId(options.exchange) ? ADAPTERS[options.exchange] : undefined;
  if (!adapter) throw new CliError(`unknown exchange ${options.exchange}`, 2);
  const now = options.now === undefined ? Date.now() : Date.parse(options.now);
  if (!Number.isFinite(now)) throw new CliError(`--now expects an ISO time, got ${options.now}`, 2);
  try {
    return explainRequest(policy, adapter, {
      method: options.method,
      path: options.path,
      ...(options.query !== undefined ? { query: options.query } : {}),
      ...(options.body !== undefined ? { body: options.body } : {}),
      clientEnvironment: options.clientEnv,
      keyEnvironment: options.keyEnv,
      prices: parsePrices(options.price),
      slippagePercent:
        options.slippage === undefined ? DEFAULT_SLIPPAGE_PERCENT : parseSlippage(options.slippage),
      now,
    });
  } catch (err) {
    if (err instanceof KeywardenError && err.code === 'invalid_input') throw new CliError(err.message, 2);
    throw err;
  }
}

/** The parsed intent, order by order: the fields the policy used, the notional and where its price came from. */
function describeOrders(classification: Classification, decision: Decision): string {
  const priced = decision.priced ?? [];
  return classification.orders
    .map((o, i) => {
      const head = [o.amend ? 'amend' : undefined, o.side ?? 'side unknown', o.type, o.symbol ?? o.rawSymbol]
        .filter((x) => x !== undefined)
        .join(' ');
      const fields = [
        `market ${o.market ?? 'spot'}`,
        o.quantity !== undefined ? `quantity ${o.quantity}${o.contracts ? ' contracts' : ''}` : undefined,
        o.quoteQuantity !== undefined ? `quote size ${o.quoteQuantity}` : undefined,
        ...(o.prices ?? []).map((p) => `${p.field} ${p.value}`),
        o.leverage !== undefined ? `leverage ${o.leverage}` : undefined,
      ].filter((x) => x !== undefined);
      const p = priced[i];
      const notional =
        p?.notional !== undefined
          ? `notional ${formatAmount(p.notional)} from ${p.basis}`
          : `notional unknown (${p?.basis ?? 'not priced'})`;
      return `order ${i + 1}: ${head}\n  ${fields.join(', ')}\n  ${notional}\n`;
    })
    .join('');
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function register(program: Command): void {
  const policy = program.command('policy').description(COMMANDS.policy.summary);
  policy
    .command('check <file>')
    .description('validate a policy file (YAML or JSON) and print it normalised')
    .option('--json', 'print the normalised policy as JSON')
    .action(
      action(async (file: string, opts: { json?: boolean }) => {
        const parsed = await readPolicyFile(file);
        if (opts.json) process.stdout.write(`${JSON.stringify(parsed, null, 2)}\n`);
        else
          process.stdout.write(
            `${file}: valid\n${summarisePolicy(parsed)
              .map((l) => `  ${l}`)
              .join('\n')}\n`,
          );
      }),
    );
  policy
    .command('explain')
    .description('classify a request and show the decision and the rule that made it')
    .requiredOption('--policy <file>', 'policy file')
    .requiredOption('--exchange <id>', 'exchange id')
    .requiredOption('--method <method>', 'HTTP method')
    .requiredOption('--path <path>', 'exchange path, e.g. /api/v3/order')
    .option('--query <query>', 'raw query string')
    .option('--body <body>', 'raw body')
    .option('--client-env <env>', 'client environment tag', 'prod')
    .option('--key-env <env>', 'exchange key environment tag', 'prod')
    .option('--price <symbol=price>', 'market price (repeatable)', collect, [])
    .option(
      '--slippage <percent>',
      `market orders count at the price plus this margin (default ${DEFAULT_SLIPPAGE_PERCENT})`,
    )
    .option('--now <iso>', 'evaluate at this time instead of now')
    .option('--json', 'print JSON')
    .action(
      action(async (opts: ExplainOptions) => {
        const { classification, decision, heldForApproval } = await explain(opts);
        if (opts.json) {
          process.stdout.write(
            `${JSON.stringify({ classification, decision, ...(heldForApproval ? { heldForApproval } : {}) })}\n`,
          );
          return;
        }
        process.stdout.write(`request: ${classification.action} ${classification.endpoint}\n`);
        if (classification.rejected !== undefined) {
          process.stdout.write(
            `decision: DENY\nrule: request_rejected\nreason: ${classification.rejected}\n`,
          );
          return;
        }
        process.stdout.write(describeOrders(classification, decision));
        if (!decision.allowed)
          process.stdout.write(`decision: DENY\nrule: ${decision.rule}\nreason: ${decision.message}\n`);
        else if (decision.wouldDeny)
          process.stdout.write(
            `decision: ALLOW (monitor mode; would deny)\nrule: ${decision.wouldDeny.rule}\nreason: ${decision.wouldDeny.message}\n`,
          );
        else process.stdout.write('decision: ALLOW\n');
        if (heldForApproval)
          process.stdout.write(
            'held: waits for a second person (withdrawals.approval), then is sent once, freshly signed\n',
          );
      }),
    );
}
