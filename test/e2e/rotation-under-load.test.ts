/**
 * Rotation under load: unmodified CCXT bots (Binance: timestamps; Kraken: strictly increasing
 * nonces per key) trade in a loop through the real gateway while `keywarden key rotate` runs as
 * a separate process on the same data directory. Zero bot requests may fail; the sandbox sees
 * the old key before the switch and only the new key once the command is done; the old envelope
 * is gone after the grace period; the new secret appears in no output and no file.
 */

import { join } from 'node:path';
import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryAudit, verifyAuditLog } from '../../src/audit/index.js';
import { ccxtOverride } from '../../src/cli/sandbox.js';
import { type ClientService, createClientService, createVersionReader } from '../../src/clients/index.js';
import type { ExchangeId } from '../../src/core/index.js';
import type { Credential } from '../../src/exchanges/adapter.js';
import { adapterFor } from '../../src/exchanges/index.js';
import { buildGatewayStack, type GatewayStack } from '../../src/gateway/compose.js';
import { createKeyCheckStore, exchangeAccessFrom, verifyKeys } from '../../src/keys/index.js';
import { rotateKey } from '../../src/rotation/index.js';
import { createNonceSequences } from '../../src/store/nonce-sequence.js';
import { runNode } from '../child.js';
import { startWorld, type World } from '../world.js';

const MAIN = join(import.meta.dirname, '../../dist/cli/main.js');
/** Introspection calls (the rotate command's own checks), told apart from the bots' traffic. */
const INTROSPECTION = new Set(['/sapi/v1/account/apiRestrictions', '/0/private/GetApiKeyInfo']);

interface Bot {
  exchange: ExchangeId;
  ok: number;
  failures: string[];
  done: Promise<void>;
}

// biome-ignore lint/suspicious/noExplicitAny: CCXT exchange classes are loaded by id
type Ccxt = any;

let w: World;
let stack: GatewayStack;
let clients: ClientService;
let url: string;
let stop = false;

function startBot(exchange: ExchangeId, credential: Credential, symbol: string): Bot {
  const Cls = (ccxt as unknown as Record<string, new (o: Record<string, unknown>) => Ccxt>)[exchange];
  if (!Cls) throw new Error(exchange);
  const ex = new Cls({
    ...credential,
    ...ccxtOverride(exchange, `${url}/${exchange}`),
    enableRateLimit: false,
  });
  const bot: Bot = { exchange, ok: 0, failures: [], done: Promise.resolve() };
  bot.done = (async () => {
    await ex.loadMarkets();
    let open: string | undefined;
    for (let i = 0; !stop; i++) {
      try {
        if (i % 4 === 0) await ex.fetchBalance();
        else if (i % 4 === 1) await ex.fetchOpenOrders(symbol);
        else if (i % 4 === 2) open = String((await ex.createOrder(symbol, 'limit', 'buy', 0.001, 30000)).id);
        else if (open !== undefined) {
          await ex.cancelOrder(open, symbol);
          open = undefined;
        } else await ex.fetchBalance();
        bot.ok++;
      } catch (err) {
        bot.failures.push(`${i % 4}: ${err instanceof Error ? err.message.slice(0, 300) : String(err)}`);
      }
    }
  })();
  return bot;
}

function rotate(label: string, credential: Credential) {
  return runNode([MAIN, 'key', 'rotate', label, '--stdin', '--grace', '2s', '--key-file', w.keyFile], {
    cwd: w.dir,
    env: w.cliEnv(),
    input: JSON.stringify(credential),
  });
}

const until = async (cond: () => boolean) => {
  while (!cond()) await new Promise((r) => setTimeout(r, 20));
};

beforeAll(async () => {
  // The bots loop as fast as the sandbox answers, which Kraken's call counter (15, draining
  // 0.33/s), Binance's 100 orders per 10 s and its 6,000 request weight per minute per IP
  // (keywarden's rate budgets and the sandbox's own limit) would refuse; this test is about
  // rotation, so all are lifted.
  w = await startWorld({
    sandboxLimits: { weightPerMinute: 1_000_000 },
    config: {
      rateLimit: { perSecond: 0, burst: 1 },
      rateBudgets: {
        limits: {
          kraken: { 'key-counter': 1_000_000 },
          binance: { 'key-orders-10s': 1_000_000, 'ip-weight-1m': 1_000_000 },
        },
      },
    },
  });
  clients = createClientService({
    db: w.store.db,
    readVersion: createVersionReader(w.store.sqlite),
    vault: w.vault,
    keys: w.keys,
    audit: w.audit,
    adapterFor,
  });
  stack = buildGatewayStack({
    config: w.config,
    vault: w.vault,
    keys: w.keys,
    clients,
    audit: w.audit,
    // As `serve`: the store's per-key nonce sequences, which the `key rotate` process draws from too.
    nonces: createNonceSequences(w.store.sqlite),
  });
  url = await stack.listen('127.0.0.1', 0);
  for (const ex of ['binance', 'kraken'] as const)
    await w.keys.add(
      { label: `${ex}-main`, exchange: ex, environment: 'prod' },
      w.key(ex, 'trade').credential,
    );
  // What `serve`'s schedule does: a recorded check per key, through the gateway's own upstreams and nonces.
  await verifyKeys(
    {
      keys: w.keys,
      access: exchangeAccessFrom(stack.upstreams, stack.gateway.nonceFor),
      checks: createKeyCheckStore(w.store),
    },
    await w.keys.list(),
  );
});
afterAll(async () => {
  stop = true;
  await stack.close();
  await w.close();
});

describe('key rotate under load', () => {
  it('binance and kraken bots see zero failed requests while their keys rotate', async () => {
    const policy = {
      mode: 'enforce' as const,
      actions: ['public' as const, 'read' as const, 'trade' as const, 'cancel' as const],
    };
    const bn = await clients.add({ name: 'bn-bot', key: 'binance-main', policy, ratePerSecond: 0 });
    const kr = await clients.add({ name: 'kr-bot', key: 'kraken-main', policy, ratePerSecond: 0 });
    const bots = [
      startBot('binance', bn.credential, 'BTC/USDT'),
      startBot('kraken', kr.credential, 'BTC/USD'),
    ];
    await until(() => bots.every((b) => b.ok >= 20 || b.failures.length > 0));

    const oldKeys = {
      binance: w.key('binance', 'trade').credential,
      kraken: w.key('kraken', 'trade').credential,
    };
    const newKeys = {
      binance: w.key('binance', 'trade-next').credential,
      kraken: w.key('kraken', 'trade-next').credential,
    };
    const startedAt = w.used.length;
    const [rb, rk] = await Promise.all([
      rotate('binance-main', newKeys.binance),
      rotate('kraken-main', newKeys.kraken),
    ]);
    const finishedAt = w.used.length;
    const okAtFinish = bots.map((b) => b.ok);
    await until(() => bots.every((b, i) => b.ok >= (okAtFinish[i] ?? 0) + 20 || b.failures.length > 0));
    stop = true;
    await Promise.all(bots.map((b) => b.done));

    expect(rb.code, rb.err).toBe(0);
    expect(rk.code, rk.err).toBe(0);
    expect(bots.map((b) => [b.exchange, b.failures])).toEqual([
      ['binance', []],
      ['kraken', []],
    ]);
    for (const [ex, r] of [
      ['binance', rb],
      ['kraken', rk],
    ] as const) {
      expect(r.out).toContain(
        `switched ${ex}-main to the new credential …${newKeys[ex].apiKey.slice(-4)} (version 2)`,
      );
      expect(r.out).toContain(`now delete the old API key …${oldKeys[ex].apiKey.slice(-4)} on ${ex}`);
      const traffic = (from: number, to: number) =>
        w.used
          .slice(from, to)
          .filter((u) => u.exchange === ex && !INTROSPECTION.has(u.path))
          .map((u) => u.apiKey);
      const before = traffic(0, startedAt);
      const during = traffic(startedAt, finishedAt);
      const after = traffic(finishedAt, w.used.length);
      expect(before.length).toBeGreaterThanOrEqual(20);
      expect(new Set(before)).toEqual(new Set([oldKeys[ex].apiKey]));
      // The switch happened while the bot was running: its requests moved to the new key mid-command.
      expect(during).toContain(newKeys[ex].apiKey);
      expect(after.length).toBeGreaterThanOrEqual(20);
      expect(new Set(after)).toEqual(new Set([newKeys[ex].apiKey]));
    }

    // After the grace period the old envelopes are destroyed, and the audit chain (gateway and CLI
    // appending to one log from two processes) is intact.
    expect(await w.store.db.selectFrom('retiring_credentials').selectAll().execute()).toEqual([]);
    expect((await w.keys.list()).map((k) => [k.label, k.version])).toEqual([
      ['binance-main', 2],
      ['kraken-main', 2],
    ]);
    const actions = queryAudit(w.store.sqlite)
      .map((r) => r.action)
      .filter((a) => a?.startsWith('key.rotate'));
    expect(actions.sort()).toEqual([
      'key.rotate',
      'key.rotate',
      'key.rotate.destroy_previous',
      'key.rotate.destroy_previous',
    ]);
    expect(verifyAuditLog(w.store.sqlite)).toMatchObject({ ok: true });

    // Canary: the new secrets never reach a screen or a file.
    const screens = rb.out + rb.err + rk.out + rk.err;
    const disk = w.diskText();
    for (const c of Object.values(newKeys)) {
      expect(screens).not.toContain(c.secret);
      expect(disk).not.toContain(c.secret);
    }
  }, 90_000);

  it('a rotation applies to the very next request (the gateway does not wait out its key cache)', async () => {
    const { credential } = await clients.add({
      name: 'bn-next',
      key: 'binance-main',
      policy: { mode: 'enforce', actions: ['public', 'read'] },
      ratePerSecond: 0,
    });
    const Cls = (ccxt as unknown as Record<string, new (o: Record<string, unknown>) => Ccxt>).binance;
    if (!Cls) throw new Error('binance');
    const ex = new Cls({
      ...credential,
      ...ccxtOverride('binance', `${url}/binance`),
      enableRateLimit: false,
    });
    await ex.fetchBalance(); // warms the gateway's key and credential caches
    const third = w.key('binance', 'full').credential;
    await rotateKey(
      { store: w.store, vault: w.vault, keys: w.keys, access: w.access },
      'binance-main',
      third,
      { graceMs: 0, verify: false },
    );
    const from = w.used.length;
    await ex.fetchBalance();
    expect(w.used.slice(from).map((u) => u.apiKey)).toEqual([third.apiKey]);
  }, 60_000);
});
