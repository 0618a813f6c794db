/**
 * The response part of `npm start`: the gateway restarted with a monitor whose generic webhook
 * sink points at a local receiver that verifies the HMAC signature; the bot's withdrawal attempt
 * raises a critical alert there; then `keywarden lockdown --cancel-orders` through the real
 * lifecycle service (frozen bot, orders cancelled on the exchange, critical alert, incident
 * report) and `keywarden unlock`. Everything listens on 127.0.0.1 port 0 and is closed after.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { verifyAuditLog } from '../audit/index.js';
import { type KeywardenConfig, parseConfig } from '../config/index.js';
import { buildGatewayStack, storeBackedState } from '../gateway/index.js';
import type { LockdownRecord } from '../lockdown/index.js';
import {
  type MonitorHandle,
  openMonitor,
  SIGNATURE_HEADER,
  signWebhook,
  TIMESTAMP_HEADER,
} from '../monitor/index.js';
import type { DemoContext, DemoStep } from './demo.js';
import {
  botStep,
  type CcxtLike,
  type DemoExchange,
  denialText,
  NO_CCXT,
  openDemoExchange,
} from './demo-gateway.js';
import { startWebhookReceiver, type WebhookReceiver } from './demo-receiver.js';
import { openLockdownService } from './root.js';

/** The sink reads its HMAC secret from the environment, as an operator's keywarden.yaml would. */
const HOOK_ENV = 'KW_DEMO_HOOK_SECRET';
const WITHDRAW_ADDRESS = 'TXYZdemoaddress00000000000000000';
const REPORT_LINES = 7;

export interface MonitoredGateway {
  ex: DemoExchange;
  /** The gateway's URL (127.0.0.1, a free port). */
  url: string;
  receiver: WebhookReceiver;
  config: KeywardenConfig;
  /** The sink secret as the process environment would hold it (never printed). */
  env: Record<string, string>;
  alerts: MonitorHandle;
  bot: CcxtLike | undefined;
  onDeliveryError(sink: string, message: string): void;
  /** Print what reached the receiver since the last call; returns how many. */
  showReceived(): number;
}

/** Shared by the alert and lockdown steps through `ctx.use`. */
export async function openMonitoredGateway(ctx: DemoContext): Promise<MonitoredGateway> {
  const { say } = ctx;
  const ex = await ctx.use(openDemoExchange);
  const secret = randomBytes(32).toString('hex');
  const receiver = await startWebhookReceiver(secret);
  ctx.defer(() => receiver.close());
  let shown = 0;
  const showReceived = () => {
    const fresh = receiver.received.slice(shown);
    shown = receiver.received.length;
    for (const a of fresh) {
      say(
        `  ⇢ webhook receiver: signature verified · ${a.severity} ${a.rule}${a.client ? ` · ${a.client}` : ''}`,
      );
      say(`    ${a.message}`);
    }
    if (fresh.length === 0) say('  ⇢ webhook receiver: nothing arrived');
    return fresh.length;
  };
  say(
    `webhook receiver on ${receiver.url}: verifies x-keywarden-signature (HMAC-SHA256 over timestamp.body) and drops replays`,
  );
  const sink = {
    type: 'webhook',
    name: 'demo-hook',
    url: receiver.url,
    secret: { env: HOOK_ENV },
    minSeverity: 'critical',
    groupWaitMs: 0,
  };
  const config = parseConfig({ exchanges: ex.exchangesConfig, monitor: { sinks: [sink] } });
  const env = { [HOOK_ENV]: secret };
  const onDeliveryError = (name: string, message: string) =>
    say(`  ! alert not delivered to sink ${name}: ${message}`);
  const alerts = openMonitor(config, {
    audit: ex.audit,
    clients: ex.clients,
    env,
    onDeliveryError,
    onError: (context) => say(`  ! ${context} failed`),
  });
  ctx.defer(() => alerts.close());
  const stack = buildGatewayStack({
    config,
    vault: ctx.vault,
    keys: ctx.keys,
    clients: ex.clients,
    audit: ex.audit,
    monitor: alerts.monitor,
    metrics: alerts.metrics,
    // Nonce sequences (shared with CLI processes), policy usage and client nonces, all in the store.
    ...storeBackedState(ctx.store.sqlite),
  });
  ctx.defer(() => stack.close());
  say(`$ keywarden serve --sandbox --config keywarden.yaml   # keywarden.yaml now has a monitor: section`);
  say(
    `  monitor.sinks: [{ type: webhook, name: demo-hook, url: ${receiver.url}, secret: { env: ${HOOK_ENV} }, minSeverity: critical, groupWaitMs: 0 }]`,
  );
  const url = await stack.listen('127.0.0.1', 0);
  say(`gateway restarted with the monitor on ${url}; the bot reconnects with the same credential`);
  return { ex, url, receiver, config, env, alerts, bot: ex.connectBot(url), onDeliveryError, showReceived };
}

/** POST a copy of a delivery to the receiver; returns `status body`. */
async function post(url: string, headers: Record<string, string>, body: string): Promise<string> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body,
  });
  return `${res.status} ${(await res.text()).trim()}`;
}

async function alertDemo(ctx: DemoContext): Promise<void> {
  const { say } = ctx;
  const gw = await ctx.use(openMonitoredGateway);
  const { bot, receiver } = gw;
  if (!bot) {
    say(NO_CCXT);
    return;
  }
  say('the bot tries to move funds (its policy has no withdraw action):');
  await botStep(say)(
    'withdraw 100 USDT',
    async () => `${JSON.stringify(await bot.withdraw('USDT', 100, WITHDRAW_ADDRESS))}`,
  );
  await gw.alerts.flush();
  gw.showReceived();
  const withdrawals = gw.ex.sandbox.log.filter((l) => l.path.includes('withdraw')).length;
  say(`the exchange received ${withdrawals} withdraw call(s); the alert is also an audit record`);
  const copy = receiver.lastDelivery();
  if (copy) {
    const replay = await post(receiver.url, copy.headers, copy.body);
    const forged = await post(
      receiver.url,
      {
        ...copy.headers,
        [SIGNATURE_HEADER]: signWebhook(
          randomBytes(32).toString('hex'),
          Number(copy.headers[TIMESTAMP_HEADER]),
          copy.body,
        ),
      },
      copy.body,
    );
    say(`the same delivery replayed → ${replay}; signed with another secret → ${forged}`);
  }
}

/** The lockdown service as `keywarden lockdown` / `unlock` open it (src/cli/root.ts), in this process. */
function openLockdownCommand(ctx: DemoContext, gw: MonitoredGateway, withExchanges: boolean) {
  return openLockdownService(
    gw.config,
    { store: ctx.store, keys: ctx.keys, audit: gw.ex.audit, actor: 'cli:demo' },
    { withExchanges, monitor: { env: gw.env, onDeliveryError: gw.onDeliveryError, closeGraceMs: 5_000 } },
  );
}

function lockdownLines(l: LockdownRecord, openAfter: number): string[] {
  const lines = [
    `lockdown ${l.id} of key ${l.target?.label ?? '?'}: ${l.frozen.length} client(s) frozen: ${l.frozen.join(', ')}`,
  ];
  for (const c of l.cancel ?? [])
    lines.push(
      `  open orders of ${c.keyLabel} (${c.exchange}): ${c.error ? `not cancelled (${c.error})` : `${c.cancelled} cancelled`}; open on the exchange now: ${openAfter}`,
    );
  return lines;
}

/** The denial in Binance's own error shape, as the bot received it, and the CCXT exception it became. */
function exchangeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const body = /\{"code":[^}]*\}/.exec(err.message)?.[0];
  return body ? `${body} (Binance's error shape; CCXT raised ${err.constructor.name})` : denialText(err);
}

async function lockdownDemo(ctx: DemoContext): Promise<void> {
  const { say } = ctx;
  const gw = await ctx.use(openMonitoredGateway);
  const { bot, ex } = gw;
  if (!bot) {
    say(NO_CCXT);
    return;
  }
  const step = botStep(say);
  say('the bot leaves two limit orders resting on the book:');
  await step(
    'limit buy 0.01 BTC/USDT @ 59000',
    async () => `order ${(await bot.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 59000)).id}`,
  );
  await step(
    'limit buy 0.1 ETH/USDT @ 2950',
    async () => `order ${(await bot.createOrder('ETH/USDT', 'limit', 'buy', 0.1, 2950)).id}`,
  );
  const account = 'main';
  say(`open orders on the exchange: ${ex.sandbox.engine.openOrders(account).length}`);

  const reason = 'withdrawal attempt by demo-bot';
  say(`$ keywarden lockdown --key ${ex.key.label} --cancel-orders --reason '${reason}'`);
  const lock = await openLockdownCommand(ctx, gw, true);
  let lockdown: LockdownRecord;
  try {
    const result = await lock.service.lockdown({
      scope: { kind: 'key', ref: ex.key.label },
      reason,
      cancelOrders: true,
    });
    lockdown = result.lockdown;
    for (const line of lockdownLines(lockdown, ex.sandbox.engine.openOrders(account).length)) say(line);
    for (const w of result.warnings) say(`  warning: ${w}`);
  } finally {
    // Like the CLI process exiting: closing its monitor delivers the alert before we go on.
    await lock.close();
  }
  gw.showReceived();
  if (lockdown.reportPath) {
    say(`incident report: ${lockdown.reportPath}`);
    // Title and the summary table's rows; blank lines and the table's header rule are layout.
    const head = readFileSync(lockdown.reportPath, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '' && !/^[|\s:-]*$/.test(l))
      .slice(0, REPORT_LINES);
    for (const line of head) say(`  │ ${line}`);
    say('  │ …');
  }
  say("the bot's next request (in-flight requests finish, new ones are denied):");
  try {
    await bot.fetchBalance();
    say('  ✓ fetchBalance: accepted (the lockdown did not hold!)');
  } catch (err) {
    say(`  ✗ fetchBalance: ${exchangeError(err)}`);
  }

  const why = 'withdrawal was blocked by policy; key to be rotated';
  say(`$ keywarden unlock --key ${ex.key.label} --reason '${why}'`);
  const unlock = await openLockdownCommand(ctx, gw, false);
  try {
    const r = await unlock.service.unlock({ scope: { kind: 'key', ref: ex.key.label }, reason: why });
    for (const l of r.ended) say(`lockdown ${l.id} of key ${l.target?.label ?? '?'} lifted`);
    say(`  unfrozen: ${r.unfrozen.join(', ') || 'none'}`);
  } finally {
    await unlock.close();
  }
  await step('fetchBalance', async () => `USDT ${(await bot.fetchBalance()).USDT?.total}`);
  await gw.alerts.flush();
  await ex.audit.checkpoint();
  const verified = verifyAuditLog(ctx.store.sqlite);
  say(
    `audit verify: ${verified.ok ? 'OK' : 'FAILED'} (${verified.records} records: alerts, lockdown, cancels and unlock included)`,
  );
}

export const RESPONSE_DEMO_STEPS: DemoStep[] = [
  { title: 'Alerts: a withdrawal attempt, delivered to a signed webhook', run: alertDemo },
  { title: 'Lockdown in one command, and unlock', run: lockdownDemo },
];
