/**
 * `vault rotate-master` killed with SIGKILL: the vault stays readable with the old or the new
 * master key, never neither. Most kills are aimed *inside* the rotation's write transaction: the
 * test watches the database's write lock from its own connection (`BEGIN IMMEDIATE` fails with
 * SQLITE_BUSY while the rotating process holds it) and kills at a random moment while it is held,
 * so the assertion is about an interrupted transaction, not about a process killed before it
 * started or after it committed. Spawns the built CLI (dist/cli/main.js).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createKeyRegistry } from '../../src/keys/index.js';
import { openStore } from '../../src/store/db.js';
import { initVault, openVault } from '../../src/vault/vault.js';

const MAIN = join(process.cwd(), 'dist/cli/main.js');
/** Enough records that re-wrapping them takes a while (each: two AES-GCM operations and an UPDATE). */
const KEYS = 3000;
/** Rounds whose kill is aimed inside the write transaction, then rounds killed at a random time. */
const AIMED_ROUNDS = 8;
const RANDOM_ROUNDS = 3;

const root = mkdtempSync(join(tmpdir(), 'kw-rot-'));
const dataDir = join(root, 'd');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** True while another connection holds the database's write lock. */
function writeLocked(probe: SQLite.Database): boolean {
  try {
    probe.exec('BEGIN IMMEDIATE');
    probe.exec('ROLLBACK');
    return false;
  } catch (err) {
    if ((err as { code?: string }).code === 'SQLITE_BUSY') return true;
    throw err;
  }
}

function startRotation(cur: string, next: string): { child: ChildProcess; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [MAIN, 'vault', 'rotate-master'], {
    env: {
      PATH: process.env.PATH ?? '',
      KEYWARDEN_DATA_DIR: dataDir,
      KEYWARDEN_MASTER_KEY: cur,
      KEYWARDEN_NEW_MASTER_KEY: next,
    },
    stdio: 'ignore',
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, exited };
}

/**
 * Waits until the rotation holds the write lock, lets a random part of it pass, checks the lock
 * is still held and kills. Returns whether the kill was sent while the lock was held.
 */
async function killInsideTransaction(child: ChildProcess, exited: Promise<number | null>): Promise<boolean> {
  const probe = new SQLite(join(dataDir, 'keywarden.db'));
  probe.pragma('busy_timeout = 0');
  let done = false;
  void exited.then(() => {
    done = true;
  });
  try {
    const deadline = Date.now() + 20_000;
    while (!done && Date.now() < deadline) {
      if (writeLocked(probe)) {
        // Held: wait a random 0–40 ms inside it, then kill if it is still held.
        await sleep(Math.floor(Math.random() * 40));
        const held = !done && writeLocked(probe);
        child.kill('SIGKILL');
        return held;
      }
      await sleep(1);
    }
    child.kill('SIGKILL');
    return false;
  } finally {
    probe.close();
  }
}

/** Which key opens the vault now; every credential must decrypt with it. */
async function readableWith(oldVar: string, newVar: string): Promise<'old' | 'new'> {
  const s = await openStore(dataDir);
  try {
    const vault = openVault(s);
    let which: 'old' | 'new' = 'old';
    try {
      await vault.unseal({ kind: 'env', variable: oldVar });
    } catch {
      which = 'new';
      await vault.unseal({ kind: 'env', variable: newVar });
    }
    const reg = createKeyRegistry(s, vault);
    const keys = await reg.list();
    expect(keys).toHaveLength(KEYS);
    for (const i of [0, 1, Math.floor(KEYS / 2), KEYS - 1])
      expect((await reg.credential(`k${i}`)).secret).toBe(`sec${i}`);
    // Not one record left wrapped under the other key (a half-applied rotation would show here).
    for (const k of keys) await reg.credential(k.id);
    return which;
  } finally {
    await s.close();
  }
}

describe('rotate-master interrupted by SIGKILL', () => {
  it('leaves the vault readable with the old or the new key, also when killed mid-transaction', async () => {
    if (!existsSync(MAIN)) throw new Error('run npm run build first');
    const oldKey = randomBytes(32).toString('base64');
    const newKey = randomBytes(32).toString('base64');
    process.env.KW_ROT_OLD = oldKey;
    const store = await openStore(dataDir);
    await initVault(store, { kind: 'env', variable: 'KW_ROT_OLD' });
    const v = openVault(store);
    await v.unseal({ kind: 'env', variable: 'KW_ROT_OLD' });
    const keys = createKeyRegistry(store, v);
    for (let i = 0; i < KEYS; i++)
      await keys.add(
        { label: `k${i}`, exchange: 'bybit', environment: 'test' },
        { apiKey: `api${i}`, secret: `sec${i}` },
      );
    await store.close();

    let cur = oldKey;
    let next = newKey;
    const outcomes: Array<{ aimed: boolean; inside: boolean; which: 'old' | 'new' }> = [];
    for (let round = 0; round < AIMED_ROUNDS + RANDOM_ROUNDS; round++) {
      process.env.KW_ROT_OLD = cur;
      process.env.KW_ROT_NEW = next;
      const { child, exited } = startRotation(cur, next);
      const aimed = round < AIMED_ROUNDS;
      let inside = false;
      if (aimed) inside = await killInsideTransaction(child, exited);
      else {
        await sleep(Math.floor(Math.random() * 1500));
        child.kill('SIGKILL');
      }
      await exited;
      const which = await readableWith('KW_ROT_OLD', 'KW_ROT_NEW');
      // Killed while holding the lock: nothing was committed, so the old key still opens everything.
      if (inside) expect(which).toBe('old');
      outcomes.push({ aimed, inside, which });
      // A finished rotation makes the new key current; the next round rotates back.
      if (which === 'new') [cur, next] = [next, cur];
    }
    // The aim worked: most aimed kills landed inside the rotation's transaction.
    const inside = outcomes.filter((o) => o.inside).length;
    expect(inside, JSON.stringify(outcomes)).toBeGreaterThanOrEqual(AIMED_ROUNDS / 2);
  }, 180_000);
});
