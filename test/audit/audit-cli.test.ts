import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/audit/audit-query.js';
import { appendMany, openFixture } from './helpers.js';

const exec = promisify(execFile);
const MAIN = join(import.meta.dirname, '../../dist/cli/main.js');

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    // Hermetic: no KEYWARDEN_* variables and no ./keywarden.yaml from the developer's shell.
    const { stdout, stderr } = await exec(process.execPath, [MAIN, ...args], {
      cwd: tmpdir(),
      env: { PATH: process.env.PATH ?? '' },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('keywarden audit (CLI, no unseal needed)', () => {
  let dir = '';
  beforeAll(async () => {
    const f = await openFixture(5);
    await appendMany(f.log, 12);
    await f.log.close();
    await f.store.close();
    dir = f.dir;
  });

  it('tail -n prints the newest records as JSON', async () => {
    const r = await run(['--data-dir', dir, 'audit', 'tail', '-n', '3', '--json']);
    expect(r.code).toBe(0);
    expect(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { seq: number }).seq),
    ).toEqual([10, 11, 12]);
  });

  it('query filters by client and decision', async () => {
    const r = await run([
      '--data-dir',
      dir,
      'audit',
      'query',
      '--client',
      'cl_a',
      '--decision',
      'deny',
      '--json',
    ]);
    expect(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { seq: number }).seq),
    ).toEqual([4, 8, 12]);
  });

  it('verify succeeds on an untouched log', async () => {
    const r = await run(['--data-dir', dir, 'audit', 'verify']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('audit log OK: 12 records');
  });

  it('export --format csv --out writes a file that parses back', async () => {
    const out = join(dir, 'export.csv');
    const r = await run([
      '--data-dir',
      dir,
      'audit',
      'export',
      '--format',
      'csv',
      '--action',
      'trade',
      '--out',
      out,
    ]);
    expect(r.code).toBe(0);
    const records = parseCsv(readFileSync(out, 'utf8'));
    expect(records.length).toBe(8);
    expect(records.every((x) => x.action === 'trade')).toBe(true);
  });

  it('export rejects an unknown format with exit 2', async () => {
    const r = await run(['--data-dir', dir, 'audit', 'export', '--format', 'xml']);
    expect(r.code).toBe(2);
  });
});
