/**
 * `keywarden demo --once` (the scripted part of `npm start`): the built CLI runs every step — vault, gateway, an alert at a
 * webhook receiver that verifies the HMAC signature, a lockdown with --cancel-orders and an
 * unlock — exits 0 on its own and leaves nothing behind. A second run in process plants no
 * canary of its own: it records every secret the demo creates (exchange secrets, the bot's
 * client secret and token, the webhook secret, the master key) as it is created and searches
 * the output, the incident report and every file of the data directory for them.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it, vi } from 'vitest';

const exec = promisify(execFile);
const MAIN = join(process.cwd(), 'dist/cli/main.js');

/** Every secret the in-process demo run creates, recorded where it is created. */
const planted = vi.hoisted(() => ({ secrets: [] as string[] }));

vi.mock('../../src/keys/index.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/keys/index.js')>();
  return {
    ...real,
    createKeyRegistry: (...args: Parameters<typeof real.createKeyRegistry>) => {
      const registry = real.createKeyRegistry(...args);
      return {
        ...registry,
        add: (meta: Parameters<typeof registry.add>[0], credential: Parameters<typeof registry.add>[1]) => {
          planted.secrets.push(credential.secret);
          return registry.add(meta, credential);
        },
      };
    },
  };
});

vi.mock('../../src/clients/index.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/clients/index.js')>();
  return {
    ...real,
    createClientService: (...args: Parameters<typeof real.createClientService>) => {
      const service = real.createClientService(...args);
      return {
        ...service,
        add: async (input: Parameters<typeof service.add>[0]) => {
          const issued = await service.add(input);
          planted.secrets.push(issued.credential.secret, issued.token);
          return issued;
        },
      };
    },
  };
});

vi.mock('../../src/monitor/open-monitor.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/monitor/open-monitor.js')>();
  return {
    ...real,
    openMonitor: (...args: Parameters<typeof real.openMonitor>) => {
      for (const value of Object.values(args[1]?.env ?? {})) if (value) planted.secrets.push(value);
      return real.openMonitor(...args);
    },
  };
});

vi.mock('../../src/vault/vault.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/vault/vault.js')>();
  return {
    ...real,
    initVault: (...args: Parameters<typeof real.initVault>) => {
      const source = args[1];
      const key = source.kind === 'env' ? process.env[source.variable] : undefined;
      if (key) planted.secrets.push(key);
      return real.initVault(...args);
    },
  };
});

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? allFiles(p) : [p];
  });
}

describe('keywarden demo (npm start)', () => {
  it('shows the gateway, an alert with a verified signature and a lockdown, exits 0 and cleans up', async () => {
    const { stdout, stderr } = await exec(process.execPath, [MAIN, 'demo', '--once'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(stderr).toBe('');
    const titles = [...stdout.matchAll(/^(\d+)\. (.+)$/gm)].map((m) => `${m[1]}. ${m[2]}`);
    expect(titles.slice(3)).toEqual([
      '4. The signing gateway: a CCXT bot trading through keywarden',
      '5. Alerts: a withdrawal attempt, delivered to a signed webhook',
      '6. Lockdown in one command, and unlock',
    ]);
    const [, step5 = '', step6 = ''] = stdout.split(/^5\. |^6\. /m);

    // The alert: denied at the gateway, never sent to the exchange, received with a valid signature.
    expect(step5).toContain('$ keywarden serve --sandbox --config keywarden.yaml');
    expect(step5).toMatch(/✗ withdraw 100 USDT: keywarden denied \[policy_denied\]/);
    expect(step5).toContain(
      '⇢ webhook receiver: signature verified · critical request.withdrawal_denied · demo-bot',
    );
    expect(step5).toContain('the exchange received 0 withdraw call(s)');
    expect(step5).toContain(
      'replayed → 409 replayed delivery; signed with another secret → 400 bad_signature',
    );

    // The lockdown: bot frozen, orders cancelled on the exchange, alert, report; then unlock.
    expect(step6).toContain('open orders on the exchange: 2');
    expect(step6).toContain(
      "$ keywarden lockdown --key demo-sandbox-binance --cancel-orders --reason 'withdrawal attempt by demo-bot'",
    );
    expect(step6).toMatch(/lockdown ld_\w+ of key demo-sandbox-binance: 1 client\(s\) frozen: demo-bot/);
    expect(step6).toContain(
      'open orders of demo-sandbox-binance (binance): 2 cancelled; open on the exchange now: 0',
    );
    expect(step6).toContain('⇢ webhook receiver: signature verified · critical gateway.lockdown');
    expect(step6).toMatch(/incident report: \S+\.md\n {2}│ # Incident report: lockdown `ld_\w+`/);
    expect(step6).toMatch(
      /✗ fetchBalance: \{"code":-1002,"msg":"keywarden denied \[client_frozen\]: client demo-bot is frozen"\} \(Binance.s error shape; CCXT raised AuthenticationError\)/,
    );
    const unlock = step6.slice(step6.indexOf('$ keywarden unlock --key demo-sandbox-binance --reason'));
    expect(unlock).toMatch(/lifted\n {2}unfrozen: demo-bot\n {2}✓ fetchBalance: USDT \d+/);
    expect(step6).toMatch(/audit verify: OK \(\d+ records/);
    expect(stdout).not.toContain('nothing arrived');
    expect(stdout).not.toContain('not delivered');

    // The throw-away data directory (and the incident report in it) is gone.
    const dataDir = /throw-away data directory (\S+)/.exec(stdout)?.[1] ?? '';
    expect(dataDir).not.toBe('');
    expect(existsSync(dataDir)).toBe(false);
  }, 60_000);

  it('never shows a secret it creates, in its output, the incident report or the data directory', async () => {
    const { runDemo } = await import('../../src/cli/demo.js');
    const lines: string[] = [];
    const scanned: Array<{ where: string; bytes: Buffer }> = [];
    let dataDir = '';
    await runDemo((line) => {
      lines.push(line);
      dataDir ||= /throw-away data directory (\S+)/.exec(line)?.[1] ?? '';
      const report = /^incident report: (\S+)$/.exec(line)?.[1];
      if (report) scanned.push({ where: report, bytes: readFileSync(report) });
      // The last line: everything is written, nothing is cleaned up yet.
      if (line.includes('unlock included'))
        for (const f of allFiles(dataDir)) scanned.push({ where: f, bytes: readFileSync(f) });
    });
    const output = lines.join('\n');
    // Positive controls: the run created the secrets and wrote what the search covers.
    expect(planted.secrets.length).toBeGreaterThanOrEqual(6);
    expect(scanned.some((s) => s.where.endsWith('.md'))).toBe(true);
    expect(scanned.filter((s) => !s.where.endsWith('.md')).length).toBeGreaterThan(1);
    expect(output).toContain('signature verified');
    for (const secret of planted.secrets) {
      const forms = [secret, Buffer.from(secret).toString('hex'), Buffer.from(secret).toString('base64')];
      for (const form of forms) {
        expect(output.includes(form), 'secret in the demo output').toBe(false);
        for (const s of scanned)
          expect(s.bytes.includes(Buffer.from(form)), `secret in ${s.where}`).toBe(false);
      }
    }
  }, 60_000);
});
