/**
 * `npm start` (`keywarden demo` without --once), the built CLI: after the scripted steps it keeps
 * the gateway and the dashboard up, prints the dashboard URL and a one-time owner sign-in (the
 * owner's TOTP enrolment as an otpauth URI), and the demo bot keeps trading; the printed sign-in
 * works, the feed grows, and Ctrl-C (SIGINT) stops it all with exit 0 and the data directory gone.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { totpCode } from '../../src/operators/index.js';

const MAIN = join(process.cwd(), 'dist/cli/main.js');

describe('npm start keeps the demo running with the dashboard', () => {
  it('prints a sign-in that works, the bot keeps the feed moving, Ctrl-C ends it cleanly', async () => {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('KEYWARDEN_') && v) env[k] = v;
    const child = spawn(process.execPath, [MAIN, 'demo'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await expect.poll(() => out, { timeout: 90_000, interval: 200 }).toContain('Press Ctrl-C to stop.');
      const dashboard = /dashboard: (http:\/\/127\.0\.0\.1:\d+)\//.exec(out)?.[1] ?? '';
      const password = /password: {2}(\S+)/.exec(out)?.[1] ?? '';
      const uri = /TOTP: {6}(otpauth:\/\/\S+)/.exec(out)?.[1] ?? '';
      const secret = new URL(uri).searchParams.get('secret') ?? '';
      expect(dashboard).not.toBe('');
      expect(secret).not.toBe('');
      // The otpauth URI is printed once only.
      expect(out.split('otpauth://').length).toBe(2);
      const page = await fetch(`${dashboard}/`);
      expect(await page.text()).toContain('<div id="root">');
      const login = await fetch(`${dashboard}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'demo-owner', password, code: totpCode(secret, Date.now()) }),
      });
      expect(login.status).toBe(200);
      const cookie = login.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ');
      const feed = async () => {
        const r = await fetch(`${dashboard}/api/v1/feed?client=demo-bot`, { headers: { cookie } });
        return ((await r.json()) as { items: Array<{ seq: number }> }).items.at(-1)?.seq ?? 0;
      };
      const before = await feed();
      await expect.poll(feed, { timeout: 15_000, interval: 500 }).toBeGreaterThan(before);
      const dataDir = /throw-away data directory (\S+)/.exec(out)?.[1] ?? '';
      expect(existsSync(dataDir)).toBe(true);
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(existsSync(dataDir)).toBe(false);
      expect(err).toBe('');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 150_000);
});
