/**
 * `keywarden init --owner`, `operator add|list` and `admin serve` as a user runs them (the built
 * CLI, a real data directory, no KEYWARDEN_* variables): the one-time enrolment code is printed
 * once and works on the admin API; `admin serve` answers the OpenAPI document and exits cleanly
 * on SIGTERM.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNode } from '../child.js';

const MAIN = join(import.meta.dirname, '../../dist/cli/main.js');
let dir: string;
let keyFile: string;
const env = () => ({ PATH: process.env.PATH ?? '', HOME: dir });
const cli = (...args: string[]) =>
  runNode([MAIN, '--data-dir', join(dir, 'data'), ...args, '--key-file', keyFile], { cwd: dir, env: env() });
let rootCode = '';
const codeOf = (out: string) => /enrolment code \(shown once, valid 24 h\): (\S+)/.exec(out)?.[1];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kw-operator-cli-'));
  keyFile = join(dir, 'master.key');
  writeFileSync(keyFile, randomBytes(32).toString('base64'), { mode: 0o600 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('keywarden init --owner, operator add|list', () => {
  it('init --owner creates the vault and the first owner, printing its one-time enrolment as operator add does', async () => {
    const r = await cli('init', '--owner', 'root');
    expect([r.code, r.err]).toEqual([0, '']);
    expect(r.out).toMatch(/vault created in/);
    expect(r.out).toMatch(/operator root \(owner\) created\./);
    rootCode = codeOf(r.out) ?? '';
    expect(rootCode).toMatch(/.{16,}/);
  }, 60_000);

  it('operator add prints a different one-time code; list shows both, pending, created by local', async () => {
    const added = await cli('operator', 'add', 'ada', '--role', 'admin');
    expect(added.code).toBe(0);
    expect(added.out).toMatch(/operator ada \(admin\) created\./);
    const listed = await cli('operator', 'list', '--json');
    expect(listed.code).toBe(0);
    const ops = JSON.parse(listed.out) as Array<{
      name: string;
      role: string;
      status: string;
      createdBy: string;
    }>;
    expect(ops.map((o) => [o.name, o.role, o.status, o.createdBy]).sort()).toEqual([
      ['ada', 'admin', 'pending', 'local'],
      ['root', 'owner', 'pending', 'local'],
    ]);
    expect(listed.out).not.toMatch(/enrol_code|enrolmentCode/);
    const table = await cli('operator', 'list');
    expect(table.out).toMatch(/ada\s+admin\s+pending/);
    const bad = await cli('operator', 'add', 'eve', '--role', 'god');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--role must be one of/);
  }, 60_000);

  it('init without --owner and without a terminal never asks (scripts)', async () => {
    const other = mkdtempSync(join(tmpdir(), 'kw-operator-cli2-'));
    try {
      const r = await runNode([MAIN, '--data-dir', join(other, 'data'), 'init', '--key-file', keyFile], {
        cwd: other,
        env: env(),
      });
      expect(r.code).toBe(0);
      expect(r.out).not.toMatch(/operator .* created/);
      expect(r.err).not.toMatch(/Owner name/);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('keywarden admin serve', () => {
  it('starts, answers /api/v1/openapi.json, lets the printed owner enrol, and exits 0 on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [
        MAIN,
        '--data-dir',
        join(dir, 'data'),
        'admin',
        'serve',
        '--listen',
        '127.0.0.1:0',
        '--key-file',
        keyFile,
      ],
      { cwd: dir, env: env() },
    );
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`admin serve did not start: ${err}`)), 30_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /admin API on (http:\/\/\S+)\/api\/v1/.exec(out);
        if (m?.[1]) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      child.on('exit', (code) => reject(new Error(`admin serve exited ${code}: ${err}`)));
    });
    const doc = await fetch(`${url}/api/v1/openapi.json`);
    expect(doc.status).toBe(200);
    const body = (await doc.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(body.openapi).toBe('3.1.0');
    expect(Object.keys(body.paths)).toContain('/api/v1/approvals/{id}/approve');
    const enrol = await fetch(`${url}/api/v1/auth/enrol`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'root', enrolmentCode: rootCode, password: 'a long enough password' }),
    });
    expect(enrol.status).toBe(200);
    expect(((await enrol.json()) as { totpSecret?: string }).totpSecret).toBeTruthy();
    // Nothing but the public routes without a session.
    expect((await fetch(`${url}/api/v1/keys`)).status).toBe(401);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 60_000);
});
