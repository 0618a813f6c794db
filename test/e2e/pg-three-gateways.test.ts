/**
 * Three gateway processes (`node dist/cli/main.js serve`, three ports, three data directories)
 * on one PostgreSQL database, in front of one sandbox process: a freeze through the first
 * instance's admin API (`keywarden admin serve` beside it, an enrolled operator's session)
 * reaches the other two within 100 ms; a lockdown through that admin API denies every request on
 * all three; a daily notional cap holds under concurrent load across all three (counted in
 * what the sandbox executed); a Kraken key used through all three never sees "invalid nonce";
 * kill -9 of one under load loses no acknowledged audit record; `audit verify` passes over the
 * records every instance wrote.
 *
 * PostgreSQL is the machine's (127.0.0.1:5432, never read from the environment); when it does
 * not answer, the file is skipped with a loud message (as test/store/both-stores.ts).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../src/operators/index.js';
import { PASSWORD, Session } from '../admin/admin-http.js';
import { sandboxSeedKey } from '../cli/cli-setup.js';
import { PG_SERVER, pgUp } from '../store/both-stores.js';

const MAIN = join(process.cwd(), 'dist/cli/main.js');
const database = `kw_e2e_${process.pid}_${randomBytes(4).toString('hex')}`;
const root = mkdtempSync(join(tmpdir(), 'kw-pg3-'));
const storeUrl = `${PG_SERVER}/${database}`;

/** The user's KEYWARDEN_* variables never leak in: every one the processes see is set here. */
const baseEnv: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !k.startsWith('KEYWARDEN_')),
);
const env: NodeJS.ProcessEnv = {
  ...baseEnv,
  KEYWARDEN_DATA_DIR: join(root, 'admin'),
  KEYWARDEN_MASTER_KEY: randomBytes(32).toString('base64'),
  KEYWARDEN_STORE_URL: storeUrl,
  KEYWARDEN_CONFIG: join(root, 'keywarden.yaml'),
  KEYWARDEN_LOG_LEVEL: 'warn',
};
const cli = (...args: string[]) => execFileSync(process.execPath, [MAIN, ...args], { env, encoding: 'utf8' });

async function admin<T>(fn: (c: pg.Client) => Promise<T>, db = 'postgres'): Promise<T> {
  const client = new pg.Client({ connectionString: `${PG_SERVER}/${db}` });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function waitFor(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = pattern.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    child.stderr?.on('data', (c: Buffer) => {
      err += c.toString();
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${err.slice(-2000)}`)));
  });
}

interface Gateway {
  child: ChildProcess;
  url: string;
}
const children: ChildProcess[] = [];

async function startGateway(n: number): Promise<Gateway> {
  const dataDir = join(root, `gw${n}`);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const child = spawn(process.execPath, [MAIN, 'serve', '--listen', '127.0.0.1:0'], {
    env: { ...env, KEYWARDEN_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const url = await waitFor(child, /listening on (http:\/\/[\d.:]+)/);
  return { child, url };
}

/**
 * `keywarden admin serve` beside gateway 1 (its data directory, the same store), and an
 * operator enrolled on it over HTTP. The clock is real, so no TOTP code may be used twice: the
 * confirmation takes the current step's code, the login a recovery code, and `otp()` (the one
 * MFA step-up, the lockdown) the next step's code, which the window accepts.
 */
async function startAdmin(): Promise<{ url: string; session: Session; otp(): Record<string, string> }> {
  const child = spawn(process.execPath, [MAIN, 'admin', 'serve', '--listen', '127.0.0.1:0'], {
    env: { ...env, KEYWARDEN_DATA_DIR: join(root, 'gw1') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const url = await waitFor(child, /admin API on (http:\/\/[\d.:]+)\/api\/v1/);
  const made = JSON.parse(cli('operator', 'add', 'ops', '--role', 'operator', '--json')) as {
    enrolmentCode: string;
  };
  const anon = new Session(url);
  const start = await anon.call('POST', '/api/v1/auth/enrol', {
    name: 'ops',
    enrolmentCode: made.enrolmentCode,
    password: PASSWORD,
  });
  expect(start.status, start.text).toBe(200);
  const secret = String(start.body.totpSecret);
  const confirmed = await anon.call('POST', '/api/v1/auth/enrol/confirm', {
    name: 'ops',
    enrolmentCode: made.enrolmentCode,
    code: totpCode(secret, Date.now()),
  });
  expect(confirmed.status, confirmed.text).toBe(200);
  const [recovery] = confirmed.body.recoveryCodes as string[];
  const session = new Session(url);
  const login = await session.call('POST', '/api/v1/auth/login', {
    name: 'ops',
    password: PASSWORD,
    recoveryCode: recovery,
  });
  expect(login.status, login.text).toBe(200);
  return { url, session, otp: () => ({ 'x-keywarden-otp': totpCode(secret, Date.now() + 30_000) }) };
}

let sandboxUrl = '';
let gateways: Gateway[] = [];
let adminApi: Awaited<ReturnType<typeof startAdmin>>;
let binanceToken = '';
let krakenToken = '';
const CAP = 1_000;

(pgUp ? describe : describe.skip)('three gateways on one PostgreSQL store', () => {
  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error('run npm run build first');
    await admin((c) => c.query(`CREATE DATABASE ${database}`));
    mkdirSync(join(root, 'admin'), { recursive: true, mode: 0o700 });
    // 60 Kraken calls at once would spend Kraken's call counter (15, draining 0.33/s), which
    // keywarden's rate budget models; this file is about nonces and caps, so it is lifted.
    writeFileSync(
      join(root, 'keywarden.yaml'),
      'rateLimit:\n  perSecond: 0\nrateBudgets:\n  limits:\n    kraken: { key-counter: 1000000 }\n',
    );
    cli('init');
    cli('sandbox', 'keys', '--json');
    const sandbox = spawn(process.execPath, [MAIN, 'sandbox', '--port', '0'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(sandbox);
    sandboxUrl = await waitFor(sandbox, /listening on (http:\/\/[\d.:]+)/);
    env.KEYWARDEN_BINANCE_BASE_URL = `${sandboxUrl}/binance`;
    env.KEYWARDEN_KRAKEN_BASE_URL = `${sandboxUrl}/kraken`;
    for (const [exchange, label] of [
      ['binance', 'bn'],
      ['kraken', 'kr'],
    ] as const)
      execFileSync(process.execPath, [MAIN, 'key', 'add', exchange, '--label', label, '--stdin'], {
        env,
        input: JSON.stringify(sandboxSeedKey(join(root, 'admin'), exchange, 'trade')),
      });
    const policy = join(root, 'policy.yaml');
    writeFileSync(
      policy,
      `mode: enforce\nactions: [public, read, trade, cancel]\nmaxDailyNotional: ${CAP}\n`,
    );
    const add = (key: string, name: string) =>
      (
        JSON.parse(
          cli('client', 'add', '--key', key, '--name', name, '--policy', policy, '--rate', '0', '--json'),
        ) as { token: string }
      ).token;
    binanceToken = add('bn', 'capbot');
    krakenToken = add('kr', 'krakenbot');
    gateways = await Promise.all([1, 2, 3].map(startGateway));
    adminApi = await startAdmin();
  }, 120_000);

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)).catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  });

  const account = (g: Gateway, token: string, agent?: Agent) =>
    request(`${g.url}/binance/api/v3/account`, {
      headers: { authorization: `Bearer ${token}` },
      ...(agent ? { dispatcher: agent } : {}),
    });

  it('serves through each instance, and a freeze through one instance’s admin API applies on the others within 100 ms', async () => {
    for (const g of gateways) {
      const r = await account(g, binanceToken);
      expect(r.statusCode, await r.body.text()).toBe(200);
    }
    // The moment the freeze is durable: the NOTIFY every gateway's watch receives too.
    const listener = new pg.Client({ connectionString: storeUrl });
    await listener.connect();
    await listener.query('LISTEN keywarden_changes');
    const committed = new Promise<number>((resolve) =>
      listener.once('notification', () => resolve(Date.now())),
    );
    // A request sent to the other two every 10 ms from the commit on: each sent 100 ms or more
    // after it must be refused (a request's own latency is not the propagation's).
    const sent: Array<{ url: string; at: number; frozen: Promise<boolean> }> = [];
    // The freeze goes through gateway 1's admin API, as an operator's dashboard sends it.
    const freeze = adminApi.session.call('POST', '/api/v1/clients/capbot/freeze').then((a) => {
      if (a.status !== 200) throw new Error(`freeze answered ${a.status}: ${a.text}`);
    });
    try {
      const t0 = await committed;
      while (Date.now() - t0 < 400) {
        for (const g of gateways.slice(1))
          sent.push({
            url: g.url,
            at: Date.now() - t0,
            frozen: account(g, binanceToken).then(async (r) => /client_frozen/.test(await r.body.text())),
          });
        await new Promise((r) => setTimeout(r, 10));
      }
      await freeze;
      const results = await Promise.all(sent.map(async (s) => ({ ...s, frozen: await s.frozen })));
      const late = results.filter((r) => r.at >= 100);
      expect(late.length).toBeGreaterThan(10);
      expect(late.filter((r) => !r.frozen).map((r) => `${r.url} +${r.at} ms`)).toEqual([]);
      // And both instances refused within the window (not only the later ones).
      for (const g of gateways.slice(1)) expect(results.some((r) => r.url === g.url && r.frozen)).toBe(true);
    } finally {
      await listener.end();
      await freeze.catch(() => undefined);
      cli('client', 'unfreeze', 'capbot');
    }
    const back = await account(gateways[1] as Gateway, binanceToken);
    await back.body.text();
    expect(back.statusCode).toBe(200);
  }, 60_000);

  it('a lockdown through one instance’s admin API denies requests on all three', async () => {
    for (const g of gateways) {
      const r = await account(g, binanceToken);
      expect(r.statusCode, await r.body.text()).toBe(200);
    }
    // Positive control of the MFA gate: without a fresh code the lockdown is refused.
    const bare = await adminApi.session.call('POST', '/api/v1/lockdown', {
      scope: { kind: 'key', ref: 'bn' },
    });
    expect([bare.status, /mfa_required/.test(bare.text)]).toEqual([401, true]);
    const engaged = await adminApi.session.call(
      'POST',
      '/api/v1/lockdown',
      { scope: { kind: 'key', ref: 'bn' }, reason: 'drill' },
      adminApi.otp(),
    );
    expect(engaged.status, engaged.text).toBe(200);
    expect(engaged.body.frozen).toEqual(['capbot']);
    try {
      // NOTIFY reaches the watches within milliseconds; 100 ms is the bound the freeze test holds.
      await new Promise((r) => setTimeout(r, 100));
      for (const g of gateways) {
        const r = await account(g, binanceToken);
        expect([g.url, /client_frozen/.test(await r.body.text())]).toEqual([g.url, true]);
      }
      // The other key's client is outside the lockdown.
      const kr = await request(`${gateways[2]?.url}/kraken/0/private/Balance`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${krakenToken}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: '',
      });
      expect(JSON.parse(await kr.body.text())).toMatchObject({ error: [] });
    } finally {
      // Lifted through the CLI on the shared store (unlock on PostgreSQL).
      cli('unlock', '--key', 'bn', '--reason', 'drill over');
    }
    await new Promise((r) => setTimeout(r, 100));
    for (const g of gateways) {
      const r = await account(g, binanceToken);
      expect(r.statusCode, await r.body.text()).toBe(200);
    }
  }, 60_000);

  it('never exceeds a daily notional cap under concurrent load across all three', async () => {
    const before = await executedNotional();
    const agent = new Agent({ connections: 8 });
    // 60 USDT per order (0.001 BTC at 60,000): the cap of 1,000 allows 16 of the 90 sent.
    const order = (g: Gateway) =>
      request(
        `${g.url}/binance/api/v3/order?symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=60000`,
        { method: 'POST', headers: { authorization: `Bearer ${binanceToken}` }, dispatcher: agent },
      ).then(async (r) => ({ status: r.statusCode, text: await r.body.text() }));
    const answers = await Promise.all(
      Array.from({ length: 90 }, (_, i) => order(gateways[i % 3] as Gateway)),
    );
    await agent.close();
    const allowed = answers.filter((a) => a.status === 200).length;
    const denied = answers.filter((a) => /maxDailyNotional/.test(a.text)).length;
    const other = answers.filter((a) => a.status !== 200 && !/maxDailyNotional/.test(a.text));
    expect(other.slice(0, 3)).toEqual([]);
    const executed = (await executedNotional()) - before;
    expect(executed).toBeLessThanOrEqual(CAP);
    expect(allowed).toBe(Math.floor(CAP / 60));
    expect(executed).toBeCloseTo(allowed * 60, 6);
    expect(allowed + denied).toBe(90);
  }, 60_000);

  it('a Kraken key used through all three never sees an invalid nonce', async () => {
    const agent = new Agent({ connections: 8 });
    const balance = (g: Gateway) =>
      request(`${g.url}/kraken/0/private/Balance`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${krakenToken}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: '',
        dispatcher: agent,
      }).then((r) => r.body.text());
    const bodies = await Promise.all(
      Array.from({ length: 60 }, (_, i) => balance(gateways[i % 3] as Gateway)),
    );
    await agent.close();
    const errors = bodies.flatMap((b) => (JSON.parse(b) as { error: string[] }).error);
    expect(errors.filter((e) => /nonce/i.test(e))).toEqual([]);
    expect(errors).toEqual([]);
  }, 60_000);

  it('kill -9 of one instance under load loses no acknowledged audit record, and audit verify passes', async () => {
    const answered: string[] = [];
    let stop = false;
    const agent = new Agent({ connections: 16 });
    const worker = async (g: Gateway) => {
      while (!stop) {
        try {
          const r = await account(g, binanceToken, agent);
          await r.body.text();
          const id = r.headers['x-request-id'];
          if (r.statusCode === 200 && typeof id === 'string') answered.push(id);
        } catch {
          // The killed instance's connections die with it: those requests got no answer.
        }
      }
    };
    const workers = gateways.flatMap((g) => [worker(g), worker(g), worker(g), worker(g)]);
    const deadline = Date.now() + 60_000;
    const until = async (n: number) => {
      while (answered.length <= n) {
        if (Date.now() > deadline) throw new Error(`only ${answered.length} answers under load`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await until(90);
    const victim = gateways[0] as Gateway;
    victim.child.kill('SIGKILL');
    await new Promise((r) => victim.child.once('exit', r));
    // The others keep serving after the kill.
    const after = answered.length;
    await until(after + 30);
    stop = true;
    await Promise.all(workers);
    await agent.close();
    for (const g of gateways.slice(1)) {
      g.child.kill('SIGTERM');
      await new Promise((r) => g.child.once('exit', r));
    }

    const ids = await admin(async (c) => {
      const { rows } = await c.query<{ id: string }>(
        "SELECT data::jsonb ->> 'requestId' AS id FROM audit_log WHERE data::jsonb ->> 'kind' = 'request'",
      );
      return new Set(rows.map((r) => r.id));
    }, database);
    expect(answered.filter((id) => !ids.has(id))).toEqual([]);
    const verified = JSON.parse(cli('audit', 'verify', '--json')) as { ok: boolean; records: number };
    expect(verified.ok).toBe(true);
    expect(verified.records).toBeGreaterThan(answered.length);
  }, 120_000);
});

/** USDT notional of the Binance orders the sandbox accepted (its request log). */
async function executedNotional(): Promise<number> {
  const r = await request(`${sandboxUrl}/_sandbox/requests`);
  const log = (await r.body.json()) as Array<{
    exchange: string;
    method: string;
    path: string;
    query: string;
    status: number;
  }>;
  let sum = 0;
  for (const e of log) {
    if (e.exchange !== 'binance' || e.method !== 'POST' || e.path !== '/api/v3/order' || e.status !== 200)
      continue;
    const q = new URLSearchParams(e.query);
    sum += Number(q.get('quantity')) * Number(q.get('price'));
  }
  return sum;
}
