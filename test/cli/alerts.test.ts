import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAlertsTest } from '../../src/cli/alerts.js';
import { startReceiver } from '../monitor/receiver.js';

const run = promisify(execFile);
const MAIN = join(import.meta.dirname, '../../dist/cli/main.js');

describe('keywarden alerts test', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let dir: string;
  let configFile: string;

  beforeAll(async () => {
    receiver = await startReceiver((r, res) => {
      if (r.path.startsWith('/discord')) res.writeHead(204).end();
      else if (r.path.includes('/sendMessage')) res.writeHead(200).end('{"ok":true}');
      else res.writeHead(500).end('down');
    });
    dir = await mkdtemp(join(tmpdir(), 'kw-alerts-'));
    configFile = join(dir, 'keywarden.yaml');
    await writeFile(
      configFile,
      [
        'gateway:',
        '  port: 8787',
        'monitor:',
        '  sinks:',
        '    - type: discord',
        '      name: ops-discord',
        `      url: ${receiver.url}/discord/1/tok`,
        '    - type: telegram',
        '      name: ops-telegram',
        '      botToken: { env: KW_TG_TOKEN }',
        '      chatId: 42',
        `      baseUrl: ${receiver.url}`,
        '    - type: webhook',
        '      name: ops-hook',
        `      url: ${receiver.url}/hook`,
        '      secret: { env: KW_HOOK_SECRET }',
        '      timeoutMs: 2000',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await receiver.close();
    await rm(dir, { recursive: true, force: true });
  });

  const env = { KW_TG_TOKEN: '999:tg-secret-token', KW_HOOK_SECRET: 'hook-secret-0123456789' };

  it('reports one line per sink and returns 1 when any sink failed', async () => {
    const lines: string[] = [];
    const code = await runAlertsTest({ config: configFile }, { env, out: (l) => lines.push(l) });
    expect(code).toBe(1);
    expect(lines).toEqual(['ok      ops-discord', 'ok      ops-telegram', 'failed  ops-hook      HTTP 500']);
    expect(lines.join('\n')).not.toMatch(/tg-secret-token|hook-secret/);
    const test = receiver.received.find((r) => r.path.startsWith('/discord'));
    expect(JSON.parse(test?.body ?? '{}').embeds[0].title).toBe('[INFO] keywarden test alert');
  });

  it('tests only the sink named by --sink and returns 0 when it works', async () => {
    const lines: string[] = [];
    expect(
      await runAlertsTest({ config: configFile, sink: 'ops-telegram' }, { env, out: (l) => lines.push(l) }),
    ).toBe(0);
    expect(lines).toEqual(['ok      ops-telegram']);
  });

  it('fails in one line for an unknown sink or a missing secret variable', async () => {
    await expect(runAlertsTest({ config: configFile, sink: 'nope' }, { env, out: () => {} })).rejects.toThrow(
      'no sink named nope',
    );
    await expect(runAlertsTest({ config: configFile }, { env: {}, out: () => {} })).rejects.toThrow(
      'monitor.sinks.ops-telegram.botToken: environment variable KW_TG_TOKEN is not set',
    );
  });

  it('rejects unknown keys in the monitor section with their path', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(
      bad,
      'monitor:\n  sinks:\n    - type: slack\n      name: s\n      url: https://hooks.slack.test/x\n      colour: red\n',
    );
    await expect(runAlertsTest({ config: bad }, { env, out: () => {} })).rejects.toThrow(/monitor\.sinks\.0/);
  });

  it('runs from the built CLI with exit code 1 and per-sink lines', async () => {
    const result = await run(process.execPath, [MAIN, 'alerts', 'test', '--config', configFile], {
      env: { ...process.env, ...env },
    }).catch((err: { code: number; stdout: string; stderr: string }) => err);
    expect('code' in result ? result.code : 0).toBe(1);
    expect(result.stdout).toContain('ok      ops-discord');
    expect(result.stdout).toContain('failed  ops-hook      HTTP 500');
    expect(result.stderr).toBe('');
  });
});
