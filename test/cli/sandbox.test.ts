import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ccxtOverride } from '../../src/cli/sandbox.js';

const run = promisify(execFile);
const MAIN = join(process.cwd(), 'dist/cli/main.js');

/** Starts `keywarden sandbox --port 0` and resolves with the origin it prints. */
function startCli(dataDir: string): Promise<{ child: ChildProcess; origin: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, '--data-dir', dataDir, 'sandbox', '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m?.[1]) resolve({ child, origin: m[1] });
    });
    child.once('exit', (code) => reject(new Error(`sandbox exited early (${code}): ${out}`)));
  });
}

describe('keywarden sandbox (CLI, real process)', () => {
  let dir: string;
  let child: ChildProcess;
  let origin: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kw-sandbox-cli-'));
    ({ child, origin } = await startCli(dir));
  });
  afterAll(() => {
    if (child.exitCode === null) child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the seed in <data-dir>/sandbox with mode 0600', () => {
    expect(statSync(join(dir, 'sandbox', 'seed.json')).mode & 0o777).toBe(0o600);
  });

  it('prints keys as CCXT configs that an unmodified CCXT client uses against the running sandbox', async () => {
    const port = new URL(origin).port;
    const { stdout } = await run(process.execPath, [
      MAIN,
      '--data-dir',
      dir,
      'sandbox',
      'keys',
      '--json',
      '--exchange',
      'kraken',
      '--port',
      port,
    ]);
    const keys = JSON.parse(stdout) as Array<{
      name: string;
      baseUrl: string;
      ccxt: Record<string, unknown>;
    }>;
    expect(keys.map((k) => k.name).sort()).toEqual(['full', 'iprestricted', 'read', 'trade']);
    const read = keys.find((k) => k.name === 'read');
    expect(read?.baseUrl).toBe(`${origin}/kraken`);
    expect(read?.ccxt).toMatchObject(ccxtOverride('kraken', `${origin}/kraken`));
    const ex = new ccxt.kraken({ ...read?.ccxt, enableRateLimit: false });
    const balance = await ex.fetchBalance();
    expect(balance.BTC?.total).toBe(2);
  });

  it('prints binance keys with the spot urls override and rejects an unknown exchange in one line', async () => {
    const { stdout } = await run(process.execPath, [
      MAIN,
      '--data-dir',
      dir,
      'sandbox',
      'keys',
      '--exchange',
      'binance',
    ]);
    expect(stdout).toContain('new ccxt.binance(');
    expect(stdout).toContain('http://127.0.0.1:8788/binance/sapi/v1');
    const bad = await run(process.execPath, [
      MAIN,
      '--data-dir',
      dir,
      'sandbox',
      'keys',
      '--exchange',
      'nope',
    ]).catch((e: { code: number; stderr: string }) => e);
    expect(bad).toMatchObject({ code: 2, stderr: 'keywarden: unknown exchange "nope"\n' });
  });

  it('refuses a bad port with exit code 2', async () => {
    const bad = await run(process.execPath, [MAIN, '--data-dir', dir, 'sandbox', '--port', '99999']).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(bad).toMatchObject({ code: 2 });
    expect((bad as { stderr: string }).stderr).toMatch(/^keywarden: invalid --port/);
  });

  it('reports a port already in use in one line', async () => {
    const port = new URL(origin).port;
    const busy = await run(process.execPath, [MAIN, '--data-dir', dir, 'sandbox', '--port', port]).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(busy).toMatchObject({
      code: 1,
      stderr: `keywarden: port ${port} on 127.0.0.1 is already in use\n`,
    });
  });

  it('stops cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
