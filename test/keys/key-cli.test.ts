/**
 * `keywarden key verify|rotate|list` as a user runs them (node dist/cli/main.js, a real data dir,
 * the sandbox exchange over real sockets): output, exit codes (verify: 0 clean, 1 flagged,
 * 2 error), the alert in the audit trail, and no secret on screen.
 */

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryAudit } from '../../src/audit/index.js';
import type { ExchangeId } from '../../src/core/index.js';
import { runNode } from '../child.js';
import { startWorld, type World } from '../world.js';

const MAIN = join(import.meta.dirname, '../../dist/cli/main.js');

let w: World;
let configFile: string;

function run(args: string[], options: { env?: Record<string, string>; input?: string } = {}) {
  return runNode([MAIN, ...args, '--key-file', w.keyFile], {
    cwd: w.dir,
    env: { ...w.cliEnv(), ...options.env },
    ...(options.input !== undefined ? { input: options.input } : {}),
  });
}

const secrets = () =>
  w.seed.flatMap((k) => [k.credential.secret, k.credential.password ?? k.credential.secret]);

beforeAll(async () => {
  w = await startWorld();
  configFile = join(w.dir, 'keywarden.yaml');
  writeFileSync(configFile, 'lifecycle:\n  egressIp: 198.51.100.7\n');
  for (const [ex, name] of [
    ['binance', 'full'],
    ['binance', 'read'],
    ['kraken', 'trade'],
  ] as Array<[ExchangeId, string]>)
    await w.keys.add(
      { label: `${ex}-${name}`, exchange: ex, environment: 'prod' },
      w.key(ex, name).credential,
    );
});
afterAll(() => w.close());

describe('keywarden key verify', () => {
  it('exit 0 for a clean key: least privilege and IP-restricted', async () => {
    const r = await run(['key', 'verify', 'binance-read']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      [
        'binance-read  (binance, prod, version 1)',
        '  permissions     read',
        '  IP restriction  127.0.0.1',
        '  flags           none',
        '1 key checked, 0 flagged',
        '',
      ].join('\n'),
    );
  });

  it('exit 1 for an over-permissive key, with the exchange settings that fix it', async () => {
    const r = await run(['key', 'verify', 'binance-full', '--config', configFile]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('  permissions     read, trade, withdraw, transfer\n');
    expect(r.out).toContain('  IP restriction  none\n');
    expect(r.out).toContain('  flags           withdraw_enabled, transfer_enabled, no_ip_restriction\n');
    expect(r.out).toContain('  advice          disable withdrawals for this key on the exchange');
    expect(r.out).toContain("pin the key to the gateway's egress IP 198.51.100.7 on the exchange");
    const alerts = queryAudit(w.store.sqlite).filter(
      (a) => a.kind === 'alert' && a.rule === 'key.over_permissive',
    );
    expect(alerts.at(-1)?.detail).toMatchObject({ keyLabel: 'binance-full', severity: 'critical' });
  });

  it('--all --json: one entry per key, flagged ones make the exit code 1, nothing secret printed', async () => {
    const r = await run(['key', 'verify', '--all', '--json']);
    expect(r.code).toBe(1);
    const rows = JSON.parse(r.out) as Array<{
      label: string;
      flags: string[];
      live: boolean;
      permissions: object;
    }>;
    expect(rows.map((x) => [x.label, x.live, x.flags])).toEqual([
      ['binance-full', true, ['withdraw_enabled', 'transfer_enabled', 'no_ip_restriction']],
      ['binance-read', true, []],
      ['kraken-trade', true, ['no_ip_restriction']],
    ]);
    expect(rows[2]?.permissions).toEqual({ read: true, trade: true, withdraw: false, transfer: false });
    for (const s of secrets()) expect(r.out + r.err).not.toContain(s);
  });

  it('exit 2 with one line when the check cannot run', async () => {
    const unknown = await run(['key', 'verify', 'nope']);
    expect([unknown.code, unknown.err]).toEqual([2, 'keywarden: no key "nope"\n']);
    const neither = await run(['key', 'verify']);
    expect([neither.code, neither.err]).toEqual([2, 'keywarden: give one key LABEL or --all\n']);
    const down = await run(['key', 'verify', 'binance-read'], {
      env: { KEYWARDEN_BINANCE_BASE_URL: 'http://127.0.0.1:9/binance' },
    });
    expect(down.code).toBe(2);
    expect(down.out).toContain('  flags           check_failed\n');
    expect(down.out).toMatch(/could not check the key \(binance did not answer/);
  });
});

describe('keywarden key list', () => {
  it('shows where each key stands against the rotation policy', async () => {
    const r = await run(['key', 'list']);
    expect(r.code).toBe(0);
    const [header, ...lines] = r.out.trim().split('\n');
    expect(header).toMatch(/ROTATION$/);
    const keys = await w.keys.list();
    expect(lines).toHaveLength(keys.length);
    for (const k of keys) {
      const due = new Date((k.rotatedAt ?? k.createdAt) + 90 * 86_400_000).toISOString().slice(0, 10);
      expect(lines.find((l) => l.includes(` ${k.label} `))).toMatch(new RegExp(` due ${due}$`));
    }
    const json = await run(['key', 'list', '--json']);
    expect(
      (JSON.parse(json.out) as Array<{ rotation: { status: string; maxDays: number } }>)[0]?.rotation,
    ).toMatchObject({
      status: 'ok',
      maxDays: 90,
    });
  });
});

describe('keywarden key rotate', () => {
  it('refuses a new credential the exchange rejects, in one line, and changes nothing', async () => {
    const r = await run(['key', 'rotate', 'kraken-trade', '--stdin'], {
      input: JSON.stringify({
        apiKey: 'unknown-key',
        secret: Buffer.from('x'.repeat(64)).toString('base64'),
      }),
    });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /^keywarden: kraken did not accept the new credential \(.*\); nothing was changed\n$/,
    );
    expect((await w.keys.get('kraken-trade'))?.version).toBe(1);
  });

  it('without a secret source on a non-TTY stdin it says how to give one', async () => {
    const r = await run(['key', 'rotate', 'kraken-trade']);
    expect(r.code).toBe(2);
    expect(r.err).toBe('keywarden: No secret source: use --stdin, --from-env VAR or --from-file F\n');
  });

  it('--from-env: rotates, destroys the old credential and reminds to delete it on the exchange', async () => {
    const next = w.key('kraken', 'trade-next').credential;
    const old = w.key('kraken', 'trade').credential;
    const r = await run(
      ['key', 'rotate', 'kraken-trade', '--from-env', 'NEW_CRED', '--grace', '0s', '--json'],
      {
        env: { NEW_CRED: JSON.stringify(next) },
      },
    );
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({
      label: 'kraken-trade',
      version: 2,
      previousVersion: 1,
      last4: next.apiKey.slice(-4),
      previousLast4: old.apiKey.slice(-4),
      verified: true,
      previousDestroyed: true,
    });
    expect(r.err).toContain(
      `now delete the old API key …${old.apiKey.slice(-4)} on kraken (its API management page)`,
    );
    expect(await w.keys.credential('kraken-trade')).toEqual(next);
    expect(r.out + r.err).not.toContain(next.secret);
    expect(w.diskText()).not.toContain(next.secret);
  });

  it('--no-wait returns after the switch; the next key verify after the grace destroys the old credential', async () => {
    // Whatever kraken-trade holds now (tests share the world), switch to the other sandbox key.
    const current = await w.keys.credential('kraken-trade');
    const trade = w.key('kraken', 'trade').credential;
    const back = current.apiKey === trade.apiKey ? w.key('kraken', 'trade-next').credential : trade;
    const retiring = () => w.store.db.selectFrom('retiring_credentials').select('version').execute();
    const r = await run(
      ['key', 'rotate', 'kraken-trade', '--stdin', '--grace', '1s', '--no-wait', '--json'],
      {
        input: JSON.stringify(back),
      },
    );
    expect(r.code, r.err).toBe(0);
    const out = JSON.parse(r.out) as { previousDestroyed: boolean; previousDestroyAfter: string };
    expect(out.previousDestroyed).toBe(false);
    expect(Date.parse(out.previousDestroyAfter)).toBeGreaterThan(Date.now() - 1_000);
    expect(r.err).toContain('a running `keywarden serve` destroys it');
    expect(r.err).toMatch(/after \S+Z, delete the old API key/);
    expect(await retiring()).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const v = await run(['key', 'verify', 'kraken-trade', '--json']);
    expect(v.code).not.toBe(2);
    expect(await retiring()).toEqual([]);
    expect(await w.keys.credential('kraken-trade')).toEqual(back);
  });

  it('--grace needs a duration', async () => {
    const r = await run(['key', 'rotate', 'kraken-trade', '--stdin', '--grace', 'soon']);
    expect([r.code, r.err]).toEqual([
      2,
      'keywarden: --grace expects a duration up to 24h like 60s, 5m or 1h, got "soon"\n',
    ]);
  });
});
