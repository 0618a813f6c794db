/**
 * `keywarden posture` end to end on a demo-like setup: the built CLI, a real vault and SQLite
 * file in a temp data dir, the in-process sandbox exchange for verification and rotation. The
 * fix commands the report prints are run as printed (through `sh -c`, so their quoting counts).
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monitorView } from '../../src/cli/posture.js';
import { parseConfig } from '../../src/config/config.js';
import type { Credential } from '../../src/exchanges/adapter.js';
import type { CheckItem, Fix, PostureReport } from '../../src/posture/index.js';
import type { SandboxKey } from '../../src/sandbox/emulator.js';
import { EMULATORS } from '../../src/sandbox/emulators.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { openStore } from '../../src/store/db.js';

const MAIN = join(import.meta.dirname, '../../dist/cli/main.js');
const DAY = 86_400_000;
/** Each case runs several CLI processes: a loaded machine needs far more than the default 30 s. */
const SLOW = 180_000;

interface Run {
  code: number | null;
  out: string;
  err: string;
}

/** Asynchronous, so the in-process sandbox keeps answering while the CLI runs. */
function exec(file: string, args: string[], env: Record<string, string>, input = ''): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
    });
    child.on('error', reject);
    // A command that exits without reading its stdin closes the pipe: that is its answer, not an error.
    child.stdin.on('error', () => {});
    child.on('close', (code) => resolve({ code, out, err }));
    child.stdin.end(input);
  });
}

describe('keywarden posture on a demo-like setup', () => {
  let dir: string;
  let dataDir: string;
  let binDir: string;
  let sandbox: Sandbox;
  let env: Record<string, string>;
  /** Three independent sets of the sandbox's Binance keys (read, trade, full, …). */
  const sets: SandboxKey[][] = [];
  /** Every output of every posture run (and of the fix commands), for the canary check. */
  const outputs: string[] = [];
  const secrets: string[] = [];

  const cli = (args: string[], input = '') => exec(process.execPath, [MAIN, ...args], env, input);
  /** A printed command, run by a shell exactly as printed, with `keywarden` on PATH. */
  const shell = async (command: string, input = '', base = env): Promise<Run> => {
    const r = await exec(
      'sh',
      ['-c', command],
      { ...base, PATH: `${binDir}:${process.env.PATH ?? ''}` },
      input,
    );
    outputs.push(r.out, r.err);
    return r;
  };
  const posture = async (args: string[] = []): Promise<PostureReport> => {
    const r = await cli(['posture', '--format', 'json', ...args]);
    outputs.push(r.out, r.err);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    return JSON.parse(r.out) as PostureReport;
  };
  const check = (report: PostureReport, label: string, id: CheckItem['id']): CheckItem => {
    const item = report.keys.find((k) => k.label === label)?.checks.find((c) => c.id === id);
    if (!item) throw new Error(`no ${id} for ${label}`);
    return item;
  };
  const cred = (set: number, name: string): Credential => {
    const k = sets[set]?.find((s) => s.name === name);
    if (!k) throw new Error(`no sandbox key ${name}`);
    return k.credential;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kw-posture-'));
    dataDir = join(dir, 'data');
    binDir = join(dir, 'bin');
    mkdirSync(binDir);
    writeFileSync(join(binDir, 'keywarden'), `#!/bin/sh\nexec "${process.execPath}" "${MAIN}" "$@"\n`);
    chmodSync(join(binDir, 'keywarden'), 0o755);
    const binance = EMULATORS.find((e) => e.exchange === 'binance');
    if (!binance) throw new Error('no binance emulator');
    for (let i = 0; i < 3; i++) sets.push(binance.generateKeys());
    sandbox = createSandbox({ emulators: [binance], keys: sets.flat() });
    await sandbox.listen(0, '127.0.0.1');
    const config = join(dir, 'keywarden.yaml');
    // No grace period: `key rotate` would otherwise wait for requests in flight before returning.
    writeFileSync(config, 'server:\n  listen: 127.0.0.1:8787\nlifecycle:\n  rotationGraceSeconds: 0\n');
    env = {
      PATH: process.env.PATH ?? '',
      KEYWARDEN_DATA_DIR: dataDir,
      KEYWARDEN_MASTER_KEY: randomBytes(32).toString('base64'),
      KEYWARDEN_CONFIG: config,
      KEYWARDEN_BINANCE_BASE_URL: sandbox.baseUrl('binance'),
    };
    for (const set of sets) for (const k of set) secrets.push(k.credential.apiKey, k.credential.secret);

    expect((await cli(['init'])).code).toBe(0);
    // The demo's seeded key: the sandbox's withdraw-capable `full` key.
    const add = (label: string, c: Credential) =>
      cli(['key', 'add', 'binance', '--label', label, '--env', 'prod', '--stdin'], JSON.stringify(c));
    expect((await add('demo-full', cred(0, 'full'))).code).toBe(0);
    expect((await add('demo-old', cred(0, 'trade'))).code).toBe(0);
    for (const [name, key] of [
      ['bot-full', 'demo-full'],
      ['bot-old', 'demo-old'],
    ] as const) {
      const issued = await cli([
        'client',
        'add',
        '--key',
        key,
        '--name',
        name,
        '--ip',
        '127.0.0.1/32',
        '--json',
      ]);
      expect(issued.code, issued.err).toBe(0);
      const bot = JSON.parse(issued.out) as { apiKey: string; secret: string; token: string };
      secrets.push(bot.secret, bot.token);
    }
    // demo-old was registered 120 days ago: past the 90-day prod rotation policy.
    const store = await openStore(dataDir);
    await store.db
      .updateTable('credentials')
      .set({ created_at: Date.now() - 120 * DAY })
      .where('label', '=', 'demo-old')
      .execute();
    await store.close();
  }, SLOW);

  afterAll(async () => {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'flags the over-permissive and the overdue key, and its printed fixes raise the score',
    async () => {
      // 1. Never verified: least privilege is unknown, and the fix is `key verify`.
      const before = await posture();
      const unverified = check(before, 'demo-full', 'key.withdraw_disabled');
      expect(unverified.status).toBe('unknown');
      expect(unverified.fix?.commands).toEqual(['keywarden key verify demo-full']);
      expect(check(before, 'demo-old', 'key.rotation').status).toBe('fail');
      for (const label of ['demo-full', 'demo-old']) {
        const command = check(before, label, 'key.withdraw_disabled').fix?.commands[0] ?? '';
        const r = await shell(command);
        // `key verify` exits 1 when it flags something (no IP restriction on sandbox keys).
        expect([0, 1], r.err).toContain(r.code);
      }

      // 2. Verified against the sandbox: the `full` key can withdraw and transfer; demo-old is overdue.
      const flagged = await posture();
      const withdraw = check(flagged, 'demo-full', 'key.withdraw_disabled');
      expect(withdraw.status).toBe('fail');
      expect(withdraw.fix?.action).toContain('uncheck "Enable Withdrawals"');
      expect(check(flagged, 'demo-full', 'key.transfer_disabled').status).toBe('fail');
      expect(check(flagged, 'demo-old', 'key.withdraw_disabled').status).toBe('pass');
      expect(check(flagged, 'demo-old', 'key.ip_restricted').status).toBe('fail');
      const overdue = check(flagged, 'demo-old', 'key.rotation');
      expect(overdue.status).toBe('fail');
      expect(overdue.evidence).toContain('OVERDUE');
      expect(overdue.fix?.commands).toEqual(['keywarden key rotate demo-old --stdin']);
      expect(flagged.score).toBeLessThan(before.score);

      // 3. Run the printed fixes: replace the full key by a trade-only one, rotate the overdue one.
      const replace = withdraw.fix?.alternative as Fix;
      expect(replace.commands).toEqual([
        'keywarden key rotate demo-full --stdin',
        'keywarden key verify demo-full',
      ]);
      const rotated = await shell(replace.commands[0] ?? '', JSON.stringify(cred(1, 'trade')));
      expect(rotated.code, rotated.err).toBe(0);
      expect([0, 1]).toContain((await shell(replace.commands[1] ?? '')).code);
      const rotateOld = await shell(overdue.fix?.commands[0] ?? '', JSON.stringify(cred(2, 'trade')));
      expect(rotateOld.code, rotateOld.err).toBe(0);

      // 4. Rerun: both flags are gone and the score rose.
      const after = await posture();
      expect(check(after, 'demo-full', 'key.withdraw_disabled').status).toBe('pass');
      expect(check(after, 'demo-full', 'key.transfer_disabled').status).toBe('pass');
      expect(check(after, 'demo-old', 'key.rotation').status).toBe('pass');
      expect(check(after, 'demo-full', 'key.unique').status).toBe('pass');
      expect(after.score).toBeGreaterThan(flagged.score);
      expect(after.score).toBeGreaterThan(before.score);
      const fullKey = after.keys.find((k) => k.label === 'demo-full');
      const fullBefore = flagged.keys.find((k) => k.label === 'demo-full');
      expect(fullKey?.score).toBeGreaterThan(fullBefore?.score ?? 100);
    },
    SLOW,
  );

  it(
    'prints a readable table and a standalone HTML file, and no secret anywhere',
    async () => {
      const table = await cli(['posture']);
      outputs.push(table.out, table.err);
      expect(table.code).toBe(0);
      expect(table.out).toMatch(/^keywarden posture: score \d+\/100/);
      expect(table.out).toContain('KEY demo-old');
      for (const line of table.out.split('\n'))
        if (line.length > 100) expect(line.trimStart()).toMatch(/^\$ keywarden /);

      const file = join(dir, 'posture.html');
      const html = await cli(['posture', '--format', 'html', '--out', file]);
      expect(html.code, html.err).toBe(0);
      expect(html.out).toMatch(/^posture score \d+\/100 written to /);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const doc = readFileSync(file, 'utf8');
      outputs.push(doc, html.out, html.err);
      expect(doc).toContain('<!DOCTYPE html>');
      expect(doc).toContain('demo-old');
      expect(doc).not.toMatch(/https?:\/\//);
      expect(doc).not.toMatch(/<script/i);

      const all = outputs.join('\n');
      expect(secrets.length).toBeGreaterThan(10);
      for (const s of secrets) expect(all).not.toContain(s);
    },
    SLOW,
  );

  it(
    'escapes a label containing <script> in the HTML report',
    async () => {
      const r = await cli(
        ['key', 'add', 'binance', '--label', '<script>alert(1)</script>', '--env', 'dev', '--stdin'],
        JSON.stringify(cred(2, 'read')),
      );
      expect(r.code, r.err).toBe(0);
      const html = await cli(['posture', '--format', 'html']);
      outputs.push(html.out);
      expect(html.code).toBe(0);
      expect(html.out).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(html.out).not.toContain('<script>');
      // The fix commands quote it for the shell.
      const json = await posture();
      const item = json.keys.find((k) => k.label.startsWith('<script>'))?.checks[0];
      expect(item?.fix?.commands).toEqual(["keywarden key verify '<script>alert(1)</script>'"]);
    },
    SLOW,
  );

  it(
    'exits 0 whatever the score unless --fail-under is given; bad options exit 2',
    async () => {
      const report = await posture();
      expect(report.score).toBeLessThan(100);
      const gate = await cli(['posture', '--json', '--fail-under', String(report.score + 1)]);
      expect(gate.code).toBe(1);
      expect(gate.err).toBe(
        `keywarden: posture score ${report.score} is below --fail-under ${report.score + 1}\n`,
      );
      expect((await cli(['posture', '--json', '--fail-under', String(report.score)])).code).toBe(0);
      const bad = await cli(['posture', '--fail-under', '101']);
      expect(bad.code).toBe(2);
      expect(bad.err.trim().split('\n')).toHaveLength(1);
      const fmt = await cli(['posture', '--format', 'pdf']);
      expect(fmt.code).toBe(2);
      expect(fmt.err).toBe('keywarden: --format must be one of table, json, html\n');
    },
    SLOW,
  );

  it(
    'carries an explicit --data-dir into the fix commands, and they still run',
    async () => {
      const explicit = { ...env };
      delete explicit.KEYWARDEN_DATA_DIR;
      const r = await exec(process.execPath, [MAIN, '--data-dir', dataDir, 'posture', '--json'], explicit);
      expect(r.code, r.err).toBe(0);
      const report = JSON.parse(r.out) as PostureReport;
      const item = report.keys
        .find((k) => k.label === 'demo-old')
        ?.checks.find((c) => c.id === 'key.ip_restricted');
      const command = item?.fix?.commands[0] ?? '';
      expect(command).toBe(`keywarden --data-dir ${dataDir} key verify demo-old`);
      const run = await shell(command, '', explicit);
      expect([0, 1], run.err).toContain(run.code);
    },
    SLOW,
  );
  it(
    'fixes an open client in place with the printed set-ip and set-policy commands',
    async () => {
      const policyFile = join(dir, 'monitor-policy.yaml');
      writeFileSync(policyFile, 'mode: monitor\nactions: [public, read]\n');
      const issued = await cli([
        'client',
        'add',
        '--key',
        'demo-old',
        '--name',
        'open-bot',
        '--policy',
        policyFile,
        '--json',
      ]);
      expect(issued.code, issued.err).toBe(0);
      const bot = JSON.parse(issued.out) as { secret: string; token: string };
      secrets.push(bot.secret, bot.token);
      const clientCheck = (report: PostureReport, id: CheckItem['id']) => {
        const item = report.clients.find((c) => c.name === 'open-bot')?.checks.find((c) => c.id === id);
        if (!item) throw new Error(`no ${id} for open-bot`);
        return item;
      };

      const flagged = await posture();
      const ip = clientCheck(flagged, 'client.ip_allowlist');
      const enforced = clientCheck(flagged, 'client.policy_enforced');
      expect(ip.status).toBe('fail');
      expect(ip.fix?.commands).toEqual(['keywarden client set-ip open-bot <bot-ip>/32']);
      expect(enforced.status).toBe('fail');
      expect(enforced.fix?.commands).toEqual(['keywarden client set-policy open-bot --default']);

      // Bad input: one line, exit 2 (CIDR) or non-zero (policy), and nothing changes.
      const badIp = await cli(['client', 'set-ip', 'open-bot', '10.0.0.1/40']);
      expect(badIp.code).toBe(2);
      expect(badIp.err).toBe('keywarden: "10.0.0.1/40" is not an IP address or CIDR block\n');
      const badFile = join(dir, 'bad-policy.yaml');
      writeFileSync(badFile, 'actions: [read, teleport]\n');
      const badPolicy = await cli(['client', 'set-policy', 'open-bot', '--policy', badFile]);
      expect(badPolicy.code).not.toBe(0);
      expect(badPolicy.err).toMatch(/^keywarden: invalid policy: actions.*\n$/);
      expect((await cli(['client', 'set-policy', 'open-bot'])).code).toBe(2);

      // The IP fix, with the operator's one edit (the bot's address); the policy fix exactly as printed.
      const setIp = await shell((ip.fix?.commands[0] ?? '').replace('<bot-ip>', '127.0.0.1'));
      expect(setIp.code, setIp.err).toBe(0);
      expect(setIp.out).toBe('client open-bot: allowed from 127.0.0.1/32\n');
      const setPolicy = await shell(enforced.fix?.commands[0] ?? '');
      expect(setPolicy.code, setPolicy.err).toBe(0);

      const after = await posture();
      expect(clientCheck(after, 'client.ip_allowlist').status).toBe('pass');
      expect(clientCheck(after, 'client.policy_enforced').status).toBe('pass');
      const score = (r: PostureReport) => r.clients.find((c) => c.name === 'open-bot')?.score ?? 0;
      expect(score(after)).toBeGreaterThan(score(flagged));
      const show = await cli(['client', 'show', 'open-bot', '--json']);
      const shown = JSON.parse(show.out) as { ipAllow: string[]; policy: { mode: string }; version: number };
      expect(shown).toMatchObject({ ipAllow: ['127.0.0.1/32'], policy: { mode: 'enforce' }, version: 3 });
      const audit = await cli(['audit', 'query', '--kind', 'admin', '--json']);
      expect(audit.code, audit.err).toBe(0);
      expect(audit.out).toContain('client.set_ip');
      expect(audit.out).toContain('client.set_policy');
      outputs.push(show.out, audit.out, badIp.err, badPolicy.err);
      for (const secret of secrets) expect(outputs.join('\n')).not.toContain(secret);
    },
    SLOW,
  );

  it(
    'evaluates a third-party client, and its printed fixes (policy file, review date) pass the checklist',
    async () => {
      expect(
        (
          await cli(
            ['key', 'add', 'binance', '--label', 'koinly-key', '--env', 'prod', '--stdin'],
            JSON.stringify(cred(1, 'read')),
          )
        ).code,
      ).toBe(0);
      expect([0, 1]).toContain((await cli(['key', 'verify', 'koinly-key'])).code);
      const base = ['client', 'add', '--key', 'koinly-key', '--name', 'koinly', '--ip', '127.0.0.1/32'];
      const vendor = [
        '--vendor',
        'Koinly',
        '--purpose',
        'tax',
        '--contact',
        'security@vendor.example',
        '--vendor-ip',
        '127.0.0.1/32',
      ];
      // Bad input: one line, exit 2, nothing issued.
      for (const [args, message] of [
        [
          [...base, ...vendor, '--review-by', '2020-01-01'],
          'keywarden: --vendor, --purpose, --contact, --review-by and --vendor-ip need --third-party\n',
        ],
        [
          [...base, '--third-party', '--vendor', 'Koinly'],
          'keywarden: a third-party client needs --purpose, --contact, --review-by\n',
        ],
        [
          [...base, '--third-party', ...vendor, '--review-by', '2020-13-01'],
          'keywarden: --review-by expects a date like 2026-06-30, got "2020-13-01"\n',
        ],
      ] as const) {
        const r = await cli([...args]);
        expect(r.code, r.err).toBe(2);
        expect(r.err).toBe(message);
      }
      const issued = await cli([...base, '--third-party', ...vendor, '--review-by', '2020-01-01', '--json']);
      expect(issued.code, issued.err).toBe(0);
      const bot = JSON.parse(issued.out) as { secret: string; token: string };
      secrets.push(bot.secret, bot.token);

      const items = (r: PostureReport) =>
        Object.fromEntries(
          (r.clients.find((c) => c.name === 'koinly')?.checks ?? [])
            .filter((c) => c.id.startsWith('client.third_party'))
            .map((c) => [c.id, c]),
        );
      const flagged = items(await posture());
      expect(Object.fromEntries(Object.entries(flagged).map(([id, c]) => [id, c.status]))).toEqual({
        'client.third_party_least_privilege': 'fail',
        'client.third_party_vendor_ips': 'pass',
        'client.third_party_review': 'fail',
        'client.third_party_no_withdraw': 'pass',
        'client.third_party_own_credential': 'pass',
      });
      // Run the fixes as printed (in the temp dir, where the policy file goes), the date filled in.
      for (const command of flagged['client.third_party_least_privilege']?.fix?.commands ?? []) {
        const r = await shell(`cd ${dir} && ${command}`);
        expect(r.code, `${command}: ${r.err}`).toBe(0);
      }
      const review = flagged['client.third_party_review']?.fix?.commands[0] ?? '';
      expect(review).toBe('keywarden client set-third-party koinly --review-by <YYYY-MM-DD>');
      const next = new Date(Date.now() + 90 * DAY).toISOString().slice(0, 10);
      const set = await shell(review.replace('<YYYY-MM-DD>', next));
      expect(set.code, set.err).toBe(0);
      expect(set.out).toBe(`client koinly: third party Koinly (tax), review by ${next}\n`);
      const fixed = items(await posture());
      for (const c of Object.values(fixed)) expect(c.status, c.id).toBe('pass');

      // A second client on the vendor's key: no longer a credential of its own.
      const other = await cli(['client', 'add', '--key', 'koinly-key', '--name', 'koinly-twin', '--json']);
      expect(other.code, other.err).toBe(0);
      secrets.push((JSON.parse(other.out) as { secret: string }).secret);
      expect(items(await posture())['client.third_party_own_credential']?.evidence).toBe(
        'exchange key koinly-key also serves koinly-twin',
      );
      expect((await cli(['client', 'revoke', 'koinly-twin'])).code).toBe(0);

      const table = await cli(['posture']);
      expect(table.out).toContain('CLIENT koinly · third party Koinly (tax)');
      const show = await cli(['client', 'show', 'koinly']);
      expect(show.out).toContain(
        `Koinly (tax), contact security@vendor.example, review by ${next}, vendor IPs 127.0.0.1/32`,
      );
      expect((await cli(['client', 'set-third-party', 'koinly'])).code).toBe(2);
      const cleared = await cli(['client', 'set-third-party', 'koinly', '--clear']);
      expect(cleared.out).toBe('client koinly: not a third-party integration\n');
      expect(items(await posture())).toEqual({});
      outputs.push(table.out, show.out);
      for (const secret of secrets) expect(outputs.join('\n')).not.toContain(secret);
    },
    SLOW,
  );

  it(
    '--repo adds the repository hygiene section; a path outside a repository is a one-line error',
    async () => {
      const repo = join(dir, 'bot-repo');
      mkdirSync(repo);
      const git = (...args: string[]) => execFileSync('git', args, { cwd: repo });
      git('init', '-q', '-b', 'main');
      writeFileSync(join(repo, '.env'), 'LOG=info\n');
      git('add', '.');
      git(
        '-c',
        'user.name=Dev',
        '-c',
        'user.email=dev@example.test',
        '-c',
        'commit.gpgsign=false',
        'commit',
        '-q',
        '-m',
        'init',
      );
      const report = await posture(['--repo', repo]);
      const tracked = report.repository?.checks.find((c) => c.id === 'repo.env_tracked');
      expect(tracked).toMatchObject({ status: 'fail', evidence: '.env' });
      expect(tracked?.fix?.commands[0]).toBe('git rm --cached .env');
      expect(report.repository?.checks.find((c) => c.id === 'repo.ci_secrets')?.status).toBe('pass');
      expect((await cli(['posture', '--repo', repo])).out).toContain(`REPOSITORY ${repo}`);
      expect((await posture()).repository).toBeUndefined();
      const outside = await cli(['posture', '--repo', tmpdir()]);
      expect(outside.code).not.toBe(0);
      expect(outside.err).toMatch(/^keywarden: .* is not inside a git repository\n$/);
    },
    SLOW,
  );
});

describe('posture config view', () => {
  it('takes sink names, types and thresholds from monitor.sinks, never their URLs or secrets', () => {
    const config = parseConfig({
      monitor: {
        sinks: [
          { type: 'discord', name: 'ops', url: 'https://discord.test/api/webhooks/1/SINKTOKEN123' },
          {
            type: 'webhook',
            name: 'hook',
            url: 'https://hooks.test/x',
            secret: 'HOOKSECRET-0123456789',
            minSeverity: 'critical',
          },
        ],
      },
    });
    const view = monitorView(config);
    expect(view).toEqual({
      enabled: true,
      sinks: [
        { name: 'ops', type: 'discord', minSeverity: 'warning' },
        { name: 'hook', type: 'webhook', minSeverity: 'critical' },
      ],
    });
    expect(JSON.stringify(view)).not.toMatch(/SINKTOKEN|HOOKSECRET|https:/);
    expect(monitorView(parseConfig({}))).toEqual({ enabled: true, sinks: [] });
  });
});
