import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { KeyRegistry } from '../keys/index.js';
import { createKeyRegistry } from '../keys/index.js';
import { openStore, type Store } from '../store/index.js';
import type { Vault } from '../vault/index.js';
import { initVault, openVault } from '../vault/index.js';
import { action } from './cli-kit.js';
import { COMMANDS } from './commands.js';
import { GATEWAY_DEMO_STEPS } from './demo-gateway.js';
import { stayUp, untilInterrupted } from './demo-live.js';
import { RESPONSE_DEMO_STEPS } from './demo-response.js';

/** What every demo step can use; later issues add steps (gateway, scanner) to DEMO_STEPS. */
export interface DemoContext {
  dataDir: string;
  store: Store;
  vault: Vault;
  keys: KeyRegistry;
  say(line: string): void;
  /**
   * A resource several steps share (the sandbox, a running gateway): opened by `open` on first
   * use in this run, the same one afterwards. `open` registers its own clean-up with `defer`.
   */
  use<T>(open: (ctx: DemoContext) => Promise<T>): Promise<T>;
  /** Clean-up run when the demo ends, last registered first, even after a failed step. */
  defer(close: () => Promise<void> | void): void;
}

export interface DemoStep {
  title: string;
  run(ctx: DemoContext): Promise<void>;
}

const SAMPLE_LABEL = 'demo-binance';

export const DEMO_STEPS: DemoStep[] = [
  {
    title: 'Register a sample Binance key',
    async run(ctx) {
      const apiKey = `demo${randomBytes(30).toString('hex')}`;
      const rec = await ctx.keys.add(
        { label: SAMPLE_LABEL, exchange: 'binance', environment: 'dev', owner: 'demo' },
        { apiKey, secret: randomBytes(32).toString('hex') },
      );
      ctx.say(`registered ${rec.label} (${rec.id}), api key …${rec.last4}`);
      ctx.say(`fingerprint (keyed HMAC of the api key id): ${rec.fingerprint}`);
    },
  },
  {
    title: 'What keywarden stores',
    async run(ctx) {
      const row = await ctx.store.db
        .selectFrom('credentials')
        .select(['envelope'])
        .where('label', '=', SAMPLE_LABEL)
        .executeTakeFirstOrThrow();
      const env = JSON.parse(row.envelope) as { mk: string; ct: string };
      ctx.say(`master key id: ${env.mk}`);
      ctx.say(`ciphertext (AES-256-GCM, excerpt): ${env.ct.slice(0, 48)}…`);
    },
  },
  {
    title: 'The secret never comes back',
    async run(ctx) {
      const rec = await ctx.keys.get(SAMPLE_LABEL);
      ctx.say(`key show returns metadata only: ${JSON.stringify(rec)}`);
      ctx.say('no CLI command or API returns the secret; only the signing path decrypts it, in memory');
    },
  },
  ...GATEWAY_DEMO_STEPS,
  ...RESPONSE_DEMO_STEPS,
];

/** Run every clean-up even if one fails; the first failure is rethrown after. */
async function closeAll(cleanups: Array<() => Promise<void> | void>): Promise<void> {
  let first: unknown;
  for (const close of cleanups.reverse()) {
    try {
      await close();
    } catch (err) {
      first ??= err;
    }
  }
  if (first !== undefined) throw first;
}

export interface DemoOptions {
  /**
   * After the scripted steps, keep the sandbox, the gateway and the dashboard running (with a
   * trading bot) until this settles (`npm start`: Ctrl-C). Absent: the demo ends after its steps.
   */
  stayUpUntil?: Promise<void>;
}

/** Run the demo in a throw-away data directory with a random master key. */
export async function runDemo(
  say: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
  options: DemoOptions = {},
): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'keywarden-demo-'));
  const variable = 'KEYWARDEN_DEMO_MASTER_KEY';
  process.env[variable] = randomBytes(32).toString('base64');
  const store = await openStore(dataDir);
  try {
    say(`keywarden demo — throw-away data directory ${dataDir}`);
    await initVault(store, { kind: 'env', variable });
    const vault = openVault(store);
    await vault.unseal({ kind: 'env', variable });
    say('vault initialised with a random 256-bit master key and unsealed');
    const opened = new Map<unknown, Promise<unknown>>();
    const cleanups: Array<() => Promise<void> | void> = [];
    const ctx: DemoContext = {
      dataDir,
      store,
      vault,
      keys: createKeyRegistry(store, vault),
      say,
      use<T>(open: (c: DemoContext) => Promise<T>): Promise<T> {
        let resource = opened.get(open);
        if (!resource) {
          resource = open(ctx);
          opened.set(open, resource);
        }
        return resource as Promise<T>;
      },
      defer: (close) => void cleanups.push(close),
    };
    try {
      for (const [i, step] of DEMO_STEPS.entries()) {
        say(`\n${i + 1}. ${step.title}`);
        await step.run(ctx);
      }
      if (options.stayUpUntil) await stayUp(ctx, options.stayUpUntil);
    } finally {
      await closeAll(cleanups);
    }
    vault.seal();
  } finally {
    delete process.env[variable];
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function register(program: Command): void {
  program
    .command('demo')
    .description(COMMANDS.demo.summary)
    .option('--once', 'run the scripted demo and exit (scripts, CI); without it the demo keeps running')
    .action(
      action(async (opts: { once?: boolean }) => {
        await runDemo(undefined, opts.once ? {} : { stayUpUntil: untilInterrupted() });
      }),
    );
}
