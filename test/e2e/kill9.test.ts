/**
 * Kill -9 of the gateway under load: every request that got an answer has its audit record
 * after restart, and `audit verify` passes. Spawns the built CLI (dist/cli/main.js).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MAIN = join(process.cwd(), 'dist/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'kw-kill9-'));
const env = {
  ...process.env,
  KEYWARDEN_DATA_DIR: dir,
  KEYWARDEN_MASTER_KEY: randomBytes(32).toString('base64'),
};
const cli = (...args: string[]) => execFileSync(process.execPath, [MAIN, ...args], { env, encoding: 'utf8' });

function startServe(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [MAIN, 'serve', '--sandbox', '--listen', '127.0.0.1:0'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (http:\/\/[\d.:]+)/.exec(out);
      if (m?.[1]) resolve({ child, url: m[1] });
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code}`)));
  });
}

let token = '';
beforeAll(() => {
  if (!existsSync(MAIN)) throw new Error('run npm run build first');
  cli('init');
  cli('sandbox', 'keys', '--json');
  const seed = JSON.parse(readFileSync(join(dir, 'sandbox', 'seed.json'), 'utf8')) as {
    keys: Array<{ exchange: string; name: string; credential: unknown }>;
  };
  const key = seed.keys.find((k) => k.exchange === 'binance' && k.name === 'trade');
  writeFileSync(join(dir, 'cred.json'), JSON.stringify(key?.credential), { mode: 0o600 });
  cli('key', 'add', 'binance', '--label', 'bn', '--from-file', join(dir, 'cred.json'));
  rmSync(join(dir, 'cred.json'));
  const policy = join(dir, 'policy.yaml');
  writeFileSync(policy, 'mode: enforce\nactions: [public, read, trade, cancel]\n');
  const issued = JSON.parse(
    cli('client', 'add', '--key', 'bn', '--name', 'loadbot', '--policy', policy, '--rate', '0', '--json'),
  ) as { apiKey: string; secret: string; token: string; urls: { api: Record<string, string> } };
  // One object a bot can use as is: CCXT credential fields, the token, and the urls override.
  expect(issued.apiKey).toMatch(/^kw_/);
  expect(issued.secret.length).toBeGreaterThan(20);
  expect(issued.urls.api.private).toBe('http://127.0.0.1:8787/binance/api/v3');
  token = issued.token;
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('kill -9 under load', () => {
  it('keeps an audit record for every answered request and a verifiable chain', async () => {
    const { child, url } = await startServe();
    const agent = new Agent({ connections: 16 });
    const answered: string[] = [];
    let stop = false;
    const worker = async () => {
      while (!stop) {
        try {
          const r = await request(`${url}/binance/api/v3/account`, {
            dispatcher: agent,
            headers: { authorization: `Bearer ${token}` },
          });
          await r.body.text();
          const id = r.headers['x-request-id'];
          if (r.statusCode === 200 && typeof id === 'string') answered.push(id);
        } catch {
          // The connection died with the process: that request got no answer.
        }
      }
    };
    const workers = Array.from({ length: 16 }, worker);
    // Kill once the gateway is under load with answers on record, however slow the machine is
    // (a fixed 1.5 s window got too few answers on a loaded machine and failed for no fault).
    while (answered.length <= 50) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    stop = true;
    await Promise.all(workers);
    await agent.close();

    // Restart: the gateway comes back and serves.
    const again = await startServe();
    const r = await request(`${again.url}/binance/api/v3/account`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await r.body.text();
    expect(r.statusCode).toBe(200);
    // A freeze from another process (the CLI) applies to the running gateway's next request.
    cli('client', 'freeze', 'loadbot');
    const frozen = await request(`${again.url}/binance/api/v3/account`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(await frozen.body.text()).toMatch(/client_frozen/);
    cli('client', 'unfreeze', 'loadbot');
    const back = await request(`${again.url}/binance/api/v3/account`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await back.body.text();
    expect(back.statusCode).toBe(200);
    again.child.kill('SIGTERM');
    await new Promise((res) => again.child.once('exit', res));

    expect(cli('audit', 'verify')).toMatch(/OK/);
    const db = new SQLite(join(dir, 'keywarden.db'));
    const ids = new Set(
      (
        db
          .prepare(
            "SELECT json_extract(data, '$.requestId') AS id FROM audit_log WHERE json_extract(data, '$.kind') = 'request'",
          )
          .all() as Array<{
          id: string | null;
        }>
      ).map((row) => row.id),
    );
    db.close();
    const missing = answered.filter((id) => !ids.has(id));
    expect(missing).toEqual([]);
  }, 60_000);
});
