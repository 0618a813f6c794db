import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const MAIN = join(process.cwd(), 'dist/cli/main.js');

function run(args: string[], env: Record<string, string>, input?: string) {
  const r = spawnSync(process.execPath, [MAIN, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    input: input ?? '',
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? allFiles(p) : [p];
  });
}

describe('vault canary', () => {
  it('never writes the planted secret to disk or output', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kw-canary-'));
    const dataDir = join(dir, 'data');
    const secret = `CANARY${randomBytes(24).toString('hex')}`;
    const apiKey = `canarykey${randomBytes(16).toString('hex')}`;
    const mk = randomBytes(32).toString('base64');
    const mk2 = randomBytes(32).toString('base64');
    const env = { KEYWARDEN_DATA_DIR: dataDir, KEYWARDEN_MASTER_KEY: mk };
    const outputs: string[] = [];
    const step = (args: string[], e: Record<string, string>, input?: string, expectCode = 0) => {
      const r = run(args, e, input);
      outputs.push(r.out, r.err);
      expect(r.code, `${args.join(' ')}: ${r.err}`).toBe(expectCode);
      return r;
    };
    step(['init'], env);
    step(
      ['key', 'add', 'binance', '--label', 'canary', '--env', 'test', '--stdin'],
      env,
      JSON.stringify({ apiKey, secret }),
    );
    step(
      ['key', 'add', 'binance', '--label', 'canary', '--stdin'],
      env,
      JSON.stringify({ apiKey, secret }),
      1,
    );
    step(['key', 'list', '--json'], env);
    const shown = step(['key', 'show', 'canary'], env);
    expect(shown.out).toContain(apiKey.slice(-4));
    step(['key', 'retire', 'canary'], env);
    const wrong = step(['unseal'], { ...env, KEYWARDEN_MASTER_KEY: mk2 }, undefined, 1);
    expect(wrong.err.trim().split('\n')).toHaveLength(1);
    step(['vault', 'rotate-master'], { ...env, KEYWARDEN_NEW_MASTER_KEY: mk2 });
    step(['unseal'], { ...env, KEYWARDEN_MASTER_KEY: mk2 });
    step(['key', 'list', '--all', '--json'], { ...env, KEYWARDEN_MASTER_KEY: mk2 });

    const forms = [
      secret,
      Buffer.from(secret).toString('hex'),
      Buffer.from(secret).toString('base64'),
      apiKey,
    ];
    const files = allFiles(dataDir);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const bytes = readFileSync(f);
      for (const form of forms) expect(bytes.includes(Buffer.from(form)), `${form} in ${f}`).toBe(false);
    }
    for (const o of outputs) for (const form of forms) expect(o.includes(form)).toBe(false);
  });

  it('gives one-line errors for bad input', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kw-bad-'));
    const env = {
      KEYWARDEN_DATA_DIR: join(dir, 'd'),
      KEYWARDEN_MASTER_KEY: randomBytes(32).toString('base64'),
    };
    const noVault = run(['key', 'list'], env);
    expect(noVault.code).not.toBe(0);
    expect(noVault.err).toMatch(/not been initialised/);
    expect(run(['init'], env).code).toBe(0);
    expect(run(['init'], env).err).toMatch(/already exists/);
    const cases: Array<[string[], string, RegExp]> = [
      [['key', 'add', 'ftx', '--label', 'x', '--stdin'], '{"apiKey":"a","secret":"b"}', /Unknown exchange/],
      [['key', 'add', 'okx', '--label', 'x', '--stdin'], '{"apiKey":"a","secret":"b"}', /password/],
      [
        ['key', 'add', 'coinbase', '--label', 'x', '--stdin'],
        '{"apiKey":"a","secret":"-----BEGIN EC PRIVATE KEY-----\\nxx\\n-----END EC PRIVATE KEY-----"}',
        /PEM|coinbase/i,
      ],
      [['key', 'add', 'binance', '--label', 'x'], '', /No secret source/],
    ];
    for (const [args, input, re] of cases) {
      const r = run(args, env, input);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.err).toMatch(re);
      expect(r.err.trim().split('\n')).toHaveLength(1);
    }
    const pf = join(dir, 'pass');
    writeFileSync(pf, 'wrong passphrase\n');
    const r = run(['unseal', '--passphrase-file', pf], { KEYWARDEN_DATA_DIR: env.KEYWARDEN_DATA_DIR });
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/master key|passphrase/i);
  });
});
