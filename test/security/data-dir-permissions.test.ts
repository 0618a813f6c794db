/**
 * A data directory that already exists with a loose mode (made by hand under a 022 umask, or
 * by an older version) is tightened to 0700 when the store opens it, and the database files
 * to 0600: other local users can neither list the directory nor read the database.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DB_FILE, openStore } from '../../src/store/db.js';

const mode = (p: string) => statSync(p).mode & 0o7777;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function scratch(): string {
  const d = mkdtempSync(join(tmpdir(), 'kw-perm-'));
  dirs.push(d);
  return d;
}

describe.skipIf(process.platform === 'win32')('data directory permissions', () => {
  it('tightens an existing 0755 data directory to 0700 and its database files to 0600', async () => {
    const dir = join(scratch(), 'data');
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    const first = await openStore(dir);
    await first.close();
    const db = join(dir, DB_FILE);
    chmodSync(dir, 0o755);
    chmodSync(db, 0o644);
    expect(mode(dir)).toBe(0o755);

    const store = await openStore(dir);
    try {
      expect(mode(dir)).toBe(0o700);
      expect(mode(db)).toBe(0o600);
      for (const f of [`${db}-wal`, `${db}-shm`]) expect(mode(f)).toBe(0o600);
      // The store still works after the change.
      expect(store.sqlite.prepare('SELECT 1').pluck().get()).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('creates a missing data directory 0700 (positive control: nothing to tighten)', async () => {
    const dir = join(scratch(), 'fresh', 'data');
    const store = await openStore(dir);
    await store.close();
    expect(mode(dir)).toBe(0o700);
    expect(mode(join(dir, DB_FILE))).toBe(0o600);
  });

  it('refuses a shared sticky directory instead of locking it down for everyone', async () => {
    const dir = join(scratch(), 'shared');
    mkdirSync(dir);
    chmodSync(dir, 0o1777);
    await expect(openStore(dir)).rejects.toThrow(/shared \(sticky\) directory/);
    expect(mode(dir)).toBe(0o1777);
  });
});
