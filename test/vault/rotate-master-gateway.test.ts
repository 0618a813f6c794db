/**
 * Master-key rotation covers every vault envelope, including the audit log's checkpoint key in
 * `sealed_settings`: after `vault rotate-master` the gateway starts with the new key, keeps
 * signing checkpoints with the same (pinned) key, and `audit verify` passes. Spawns the built CLI.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { ENVELOPE_COLUMNS } from '../../src/vault/vault.js';

const MAIN = join(process.cwd(), 'dist/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'kw-rotgw-'));
const oldKey = randomBytes(32).toString('base64');
const newKey = randomBytes(32).toString('base64');
const envWith = (key: string) => ({
  PATH: process.env.PATH ?? '',
  KEYWARDEN_DATA_DIR: dir,
  KEYWARDEN_MASTER_KEY: key,
});

function cli(key: string, args: string[], extra: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [MAIN, ...args], {
    env: { ...envWith(key), ...extra },
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function startServe(key: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [MAIN, 'serve', '--sandbox', '--listen', '127.0.0.1:0'], {
    env: envWith(key),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (http:\/\/[\d.:]+)/.exec(out);
      if (m?.[1]) resolve({ child, url: m[1] });
    });
    child.stderr?.on('data', (c: Buffer) => {
      err += c.toString();
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${err.trim().split('\n').at(-1)}`)));
  });
}

function rotateKeyAndLeaveGrace(key: string, args: string[]): Promise<void> {
  const child = spawn(process.execPath, [MAIN, ...args], {
    env: envWith(key),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    let waiting = false;
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      if (!waiting && /keeping the old credential/.test(out)) {
        waiting = true;
        child.kill('SIGTERM');
      }
    });
    child.stderr?.on('data', (c: Buffer) => {
      err += c.toString();
    });
    child.once('exit', (code) =>
      waiting ? resolve() : reject(new Error(`key rotate exited ${code}: ${err.trim()}`)),
    );
  });
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

async function account(url: string, token: string): Promise<number> {
  const r = await request(`${url}/binance/api/v3/account`, { headers: { authorization: `Bearer ${token}` } });
  await r.body.text();
  return r.statusCode;
}

/** Every value in every table that parses as a vault envelope, with where it sits. */
function allEnvelopes(): Array<{ table: string; column: string; mk: string }> {
  const db = new SQLite(join(dir, 'keywarden.db'), { readonly: true });
  try {
    const found: Array<{ table: string; column: string; mk: string }> = [];
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
      .pluck()
      .all() as string[];
    for (const table of tables) {
      const columns = db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table) as string[];
      for (const column of columns) {
        const values = db.prepare(`SELECT "${column}" FROM "${table}"`).pluck().all() as unknown[];
        for (const v of values) {
          if (typeof v !== 'string' || !v.startsWith('{')) continue;
          try {
            const e = JSON.parse(v) as { v?: unknown; mk?: unknown; wk?: unknown };
            if (e.v === 1 && typeof e.mk === 'string' && typeof e.wk === 'string')
              found.push({ table, column, mk: e.mk });
          } catch {
            // not JSON
          }
        }
      }
    }
    return found;
  } finally {
    db.close();
  }
}

function checkpointKeyEnvelope(): string {
  const db = new SQLite(join(dir, 'keywarden.db'), { readonly: true });
  try {
    return db
      .prepare("SELECT envelope FROM sealed_settings WHERE name = 'audit-checkpoint-key'")
      .pluck()
      .get() as string;
  } finally {
    db.close();
  }
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('vault rotate-master with a gateway audit log', () => {
  it('re-wraps the audit checkpoint key: the gateway starts with the new key and audit verify passes', async () => {
    if (!existsSync(MAIN)) throw new Error('run npm run build first');
    expect(cli(oldKey, ['init']).code).toBe(0);
    expect(cli(oldKey, ['sandbox', 'keys', '--json']).code).toBe(0);
    const seed = JSON.parse(readFileSync(join(dir, 'sandbox', 'seed.json'), 'utf8')) as {
      keys: Array<{ exchange: string; name: string; credential: unknown }>;
    };
    const cred = join(dir, 'cred.json');
    const writeCred = (name: string) =>
      writeFileSync(
        cred,
        JSON.stringify(seed.keys.find((k) => k.exchange === 'binance' && k.name === name)?.credential),
        {
          mode: 0o600,
        },
      );
    writeCred('read');
    expect(cli(oldKey, ['key', 'add', 'binance', '--label', 'bn', '--from-file', cred]).code).toBe(0);
    // A rotated key keeps its old envelope in retiring_credentials during the grace period.
    writeCred('trade');
    expect(cli(oldKey, ['key', 'add', 'binance', '--label', 'bn2', '--from-file', cred]).code).toBe(0);
    writeCred('full');
    // `key rotate` holds the old credential for the grace period; stop it while it waits.
    await rotateKeyAndLeaveGrace(oldKey, [
      'key',
      'rotate',
      'bn2',
      '--from-file',
      cred,
      '--no-verify',
      '--grace',
      '1h',
    ]);
    rmSync(cred);
    const policy = join(dir, 'policy.yaml');
    writeFileSync(policy, 'mode: enforce\nactions: [public, read]\n');
    const added = cli(oldKey, [
      'client',
      'add',
      '--key',
      'bn',
      '--name',
      'bot',
      '--policy',
      policy,
      '--json',
    ]);
    expect(added.code, added.err).toBe(0);
    const { token } = JSON.parse(added.out) as { token: string };

    // Serve once under the old key: the checkpoint key is created (or already was) and used.
    const first = await startServe(oldKey);
    expect(await account(first.url, token)).toBe(200);
    await stop(first.child);
    const before = checkpointKeyEnvelope();
    expect(JSON.parse(before)).toMatchObject({ v: 1 });
    // Every place an envelope is stored is one rotation knows about.
    const listed = new Set(ENVELOPE_COLUMNS.map((c) => `${c.table}.${c.column}`));
    const stored = allEnvelopes();
    const places = new Set(stored.map((e) => `${e.table}.${e.column}`));
    for (const place of places) expect(listed, `${place} holds envelopes`).toContain(place);
    for (const place of [
      'credentials.envelope',
      'client_credentials.verifier_envelope',
      'retiring_credentials.envelope',
      'sealed_settings.envelope',
    ])
      expect(places).toContain(place);

    const rotated = cli(oldKey, ['vault', 'rotate-master'], { KEYWARDEN_NEW_MASTER_KEY: newKey });
    expect(rotated.code, rotated.err).toBe(0);
    const after = checkpointKeyEnvelope();
    // Re-wrapped (new master-key id and wrapped data key), same ciphertext of the same private key.
    expect(JSON.parse(after).mk).not.toBe(JSON.parse(before).mk);
    expect(JSON.parse(after).ct).toBe(JSON.parse(before).ct);
    // No envelope is left under the old master key.
    const rewrapped = allEnvelopes();
    expect(rewrapped).toHaveLength(stored.length);
    expect(new Set(rewrapped.map((e) => e.mk))).toEqual(new Set([JSON.parse(after).mk]));

    // The old key no longer opens the vault; the new one starts the gateway, which audits and signs.
    await expect(startServe(oldKey)).rejects.toThrow(/serve exited/);
    const second = await startServe(newKey);
    const ready = await request(`${second.url}/readyz`);
    expect(await ready.body.json()).toMatchObject({ status: 'ready', audit: true });
    expect(await account(second.url, token)).toBe(200);
    await stop(second.child);

    const verify = cli(newKey, ['audit', 'verify', '--json']);
    expect(verify.code, verify.err).toBe(0);
    const result = JSON.parse(verify.out) as { ok: boolean; checkpoints: number; unanchoredTail: number };
    expect(result.ok).toBe(true);
    // Checkpoints from before and after the rotation, all under the one pinned key.
    expect(result.checkpoints).toBeGreaterThanOrEqual(2);
    expect(result.unanchoredTail).toBe(0);
  }, 120_000);
});
