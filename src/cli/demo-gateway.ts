/**
 * The gateway part of `npm start`: the sandbox exchange and the gateway in-process, one issued
 * client, and a short scripted CCXT bot showing allowed orders and two denials, then the audit
 * trail and its verification. Everything listens on 127.0.0.1 port 0 and is closed after.
 */
import type { AuditLogHandle } from '../audit/index.js';
import { openAuditLog, queryAudit, verifyAuditLog } from '../audit/index.js';
import type { ClientService, IssuedClient } from '../clients/index.js';
import { parseConfig } from '../config/index.js';
import type { ExchangeId } from '../core/index.js';
import { buildGatewayStack, storeBackedState } from '../gateway/index.js';
import type { KeyRecord } from '../keys/index.js';
import type { Policy } from '../policy/index.js';
import { createSandbox, EMULATORS, type Sandbox } from '../sandbox/index.js';
import { formatRecord } from './audit.js';
import type { DemoContext, DemoStep } from './demo.js';
import { clientServiceFor } from './root.js';
import { ccxtOverride } from './sandbox.js';

const POLICY: Policy = {
  mode: 'enforce',
  actions: ['public', 'read', 'trade', 'cancel'],
  symbols: { allow: ['BTC/USDT', 'ETH/USDT'] },
  maxOrderNotional: 5_000,
  priceBandPercent: 5,
};

/** The part of a CCXT exchange class the demo bot calls. */
export interface CcxtLike {
  fetchBalance(): Promise<Record<string, { total?: number } | undefined>>;
  createOrder(s: string, t: string, side: string, amount: number, price?: number): Promise<{ id: string }>;
  cancelOrder(id: string, symbol: string): Promise<unknown>;
  withdraw(code: string, amount: number, address: string): Promise<unknown>;
}

/** What the gateway, alert and lockdown steps share: one sandbox exchange, its key, one issued bot. */
export interface DemoExchange {
  exchange: ExchangeId;
  sandbox: Sandbox;
  /** The sandbox's withdraw-capable key, registered in the vault. */
  key: KeyRecord;
  audit: AuditLogHandle;
  clients: ClientService;
  bot: IssuedClient;
  /** keywarden.yaml's `exchanges:` section pointing at the sandbox. */
  exchangesConfig: Record<string, { baseUrl: string }>;
  /** A CCXT client for the bot pointed at a gateway; undefined when ccxt is not installed. */
  connectBot(gatewayUrl: string): CcxtLike | undefined;
}

async function loadCcxt(): Promise<Record<string, unknown> | undefined> {
  try {
    return ((await import('ccxt')) as { default: Record<string, unknown> }).default;
  } catch {
    return undefined;
  }
}

/** Opened once per demo run (through `ctx.use`) and closed when the demo ends. */
export async function openDemoExchange(ctx: DemoContext): Promise<DemoExchange> {
  const { say } = ctx;
  const exchange: ExchangeId = 'binance';
  const seedKeys = EMULATORS.flatMap((e) => e.generateKeys());
  const sandbox = createSandbox({ emulators: EMULATORS, keys: seedKeys });
  await sandbox.listen(0, '127.0.0.1');
  ctx.defer(() => sandbox.close());
  const full = seedKeys.find((k) => k.exchange === exchange && k.name === 'full');
  if (!full) throw new Error('sandbox has no binance key');
  const key = await ctx.keys.add(
    { label: 'demo-sandbox-binance', exchange, environment: 'dev', owner: 'demo' },
    full.credential,
  );
  say(
    `sandbox exchange on ${sandbox.baseUrl(exchange)}; its withdraw-capable key registered as ${key.label}`,
  );
  const audit = openAuditLog(ctx.store, ctx.vault);
  ctx.defer(() => audit.close());
  const clients = clientServiceFor({ store: ctx.store, vault: ctx.vault, keys: ctx.keys, audit }, 'demo');
  const bot = await clients.add({ name: 'demo-bot', key: key.label, policy: POLICY, environment: 'dev' });
  say(
    `client demo-bot issued: apiKey ${bot.credential.apiKey.slice(0, 12)}… (the bot never sees the exchange secret)`,
  );
  say(`policy: ${JSON.stringify(POLICY)}`);
  const ccxt = await loadCcxt();
  const Binance = ccxt?.binance as (new (o: Record<string, unknown>) => CcxtLike) | undefined;
  return {
    exchange,
    sandbox,
    key,
    audit,
    clients,
    bot,
    exchangesConfig: { [exchange]: { baseUrl: sandbox.baseUrl(exchange) } },
    connectBot: (gatewayUrl) =>
      Binance &&
      new Binance({
        apiKey: bot.credential.apiKey,
        secret: bot.credential.secret,
        ...ccxtOverride(exchange, `${gatewayUrl}/${exchange}`),
        enableRateLimit: false,
      }),
  };
}

export const NO_CCXT =
  'ccxt is not installed (it is a devDependency): run `npm install` in the repository to see the bot';

/** The first line of a denial as the bot sees it, without CCXT's request dump. */
export function denialText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return /keywarden denied \[[^\]]+\]: [^"]*/.exec(text)?.[0] ?? text.split('\n')[0] ?? '';
}

/** Run one bot call and print `✓ label: result` or `✗ label: denial`. */
export function botStep(say: (line: string) => void) {
  return async (label: string, fn: () => Promise<string>): Promise<boolean> => {
    try {
      say(`  ✓ ${label}: ${await fn()}`);
      return true;
    } catch (err) {
      say(`  ✗ ${label}: ${denialText(err)}`);
      return false;
    }
  };
}

async function gatewayDemo(ctx: DemoContext): Promise<void> {
  const { say } = ctx;
  const ex = await ctx.use(openDemoExchange);
  const stack = buildGatewayStack({
    config: parseConfig({ exchanges: ex.exchangesConfig }),
    vault: ctx.vault,
    keys: ctx.keys,
    clients: ex.clients,
    audit: ex.audit,
    // Nonce sequences (shared with CLI processes), policy usage and client nonces, all in the store.
    ...storeBackedState(ctx.store.sqlite),
  });
  try {
    const url = await stack.listen('127.0.0.1', 0);
    say(`gateway on ${url}`);
    const bot = ex.connectBot(url);
    if (!bot) {
      say(NO_CCXT);
      return;
    }
    const step = botStep(say);
    say('an unmodified CCXT binance client, pointed at the gateway:');
    await step('fetchBalance', async () => `USDT ${(await bot.fetchBalance()).USDT?.total}`);
    let orderId = '';
    await step('limit buy 0.01 BTC/USDT @ 59000', async () => {
      orderId = (await bot.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 59000)).id;
      return `order ${orderId}`;
    });
    await step(
      'market buy 0.2 ETH/USDT',
      async () => `order ${(await bot.createOrder('ETH/USDT', 'market', 'buy', 0.2)).id}`,
    );
    await step('cancel the limit order', async () => {
      await bot.cancelOrder(orderId, 'BTC/USDT');
      return 'canceled';
    });
    await step(
      'limit buy 1 SOL/USDT (not on the allow-list)',
      async () => (await bot.createOrder('SOL/USDT', 'limit', 'buy', 1, 150)).id,
    );
    await step(
      'limit buy 0.01 BTC/USDT @ 40000 (33% under the market)',
      async () => (await bot.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 40000)).id,
    );
    const forwarded = ex.sandbox.log
      .filter((l) => /withdraw|\/order$/.test(l.path))
      .map((l) => `${l.method} ${l.path}`);
    say(`the exchange received these order calls (denials never reached it): ${forwarded.join(', ')}`);
    // Outcome records are appended after the answer; let them land, then sign a checkpoint.
    await new Promise((r) => setTimeout(r, 20));
    await ex.audit.checkpoint();
    say('audit trail (requests and decisions):');
    for (const r of queryAudit(ctx.store.sqlite).filter((r) => r.kind === 'request' && r.action !== 'public'))
      say(`  ${formatRecord(r)}`);
    const verified = verifyAuditLog(ctx.store.sqlite);
    say(
      `audit verify: ${verified.ok ? 'OK' : 'FAILED'} (${verified.records} records, hash-chained, signed checkpoints)`,
    );
  } finally {
    await stack.close();
  }
}

export const GATEWAY_DEMO_STEPS: DemoStep[] = [
  { title: 'The signing gateway: a CCXT bot trading through keywarden', run: gatewayDemo },
];
