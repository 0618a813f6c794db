/**
 * POST /_keywarden/unseal (issue 10, item 2): loopback only and never through a proxy (any proxy
 * header refuses it), passphrase or key material in the body only (no `keyFile`: the server
 * opens no file a request names), one generic answer for every failure, and back-off then
 * lockout of a peer that keeps guessing. Each refusal is paired with the same request, minus
 * the attack, succeeding.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_UNSEAL_LIMITS } from '../../src/gateway/unseal-limiter.js';
import { runNode } from '../child.js';
import { type Harness, startHarness } from './harness.js';

const MAIN = join(import.meta.dirname, '../../dist/cli/main.js');
const GENERIC = { error: 'unseal_failed', message: 'unseal failed' };

let h: Harness;
let now = Date.UTC(2026, 11, 1, 12, 0);
const clock = { now: () => now };
let good = '';
let wrong = '';

beforeAll(async () => {
  h = await startHarness({ exchanges: ['binance'], clock });
  good = readFileSync(h.keyFiles.good, 'utf8');
  wrong = readFileSync(h.keyFiles.wrong, 'utf8');
});
afterAll(async () => {
  if (h.vault.isSealed()) await h.vault.unseal({ kind: 'key-file', path: h.keyFiles.good });
  await h.close();
});
beforeEach(() => {
  h.vault.seal();
  // Well past any back-off or lockout an earlier test left.
  now += 24 * 3_600_000;
});

const unseal = (body: unknown, options: { headers?: Record<string, string>; from?: string } = {}) =>
  h.server.app.inject({
    method: 'POST',
    url: '/_keywarden/unseal',
    remoteAddress: options.from ?? '127.0.0.1',
    headers: { 'content-type': 'application/json', ...options.headers },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('unseal endpoint: what it accepts', () => {
  it('unseals with the master key sent in the body (positive control)', async () => {
    const r = await unseal({ masterKey: good });
    expect(r.statusCode).toBe(200);
    expect(h.vault.isSealed()).toBe(false);
  });

  it('refuses a keyFile, even one naming the right key, and never reads it', async () => {
    const r = await unseal({ keyFile: h.keyFiles.good });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toEqual(GENERIC);
    expect(h.vault.isSealed()).toBe(true);
    // No existence oracle: a path that does not exist gets the very same answer.
    const missing = await unseal({ keyFile: '/nonexistent/master.key' });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toBe(r.body);
    // Nor smuggled next to a valid field.
    expect((await unseal({ masterKey: good, keyFile: h.keyFiles.good })).statusCode).toBe(400);
    expect(h.vault.isSealed()).toBe(true);
  });

  it('answers every failed attempt with the same generic body and status', async () => {
    const attempts = [
      { masterKey: wrong },
      { masterKey: 'not base64 key material' },
      { passphrase: 'correct horse battery staple' },
    ];
    const bodies: string[] = [];
    for (const body of attempts) {
      now += 24 * 3_600_000;
      const r = await unseal(body);
      expect(r.statusCode).toBe(401);
      expect(r.json()).toEqual(GENERIC);
      bodies.push(r.body);
    }
    expect(new Set(bodies).size).toBe(1);
    expect(h.vault.isSealed()).toBe(true);
    now += 24 * 3_600_000;
    expect((await unseal({ masterKey: good })).statusCode).toBe(200);
  });
});

describe('unseal endpoint: loopback only, never through a proxy', () => {
  const proxied: Array<[string, string]> = [
    ['x-forwarded-for', '203.0.113.9'],
    ['x-real-ip', '203.0.113.9'],
    ['forwarded', 'for=203.0.113.9;proto=https'],
    ['x-forwarded-host', 'vault.example.com'],
    ['x-forwarded-proto', 'https'],
    ['via', '1.1 nginx'],
  ];
  for (const [name, value] of proxied)
    it(`refuses a request carrying ${name}, with the right key`, async () => {
      const r = await unseal({ masterKey: good }, { headers: { [name]: value } });
      expect(r.statusCode).toBe(403);
      expect(r.json()).toEqual(GENERIC);
      expect(h.vault.isSealed()).toBe(true);
      // Positive control: the same request without the header unseals.
      expect((await unseal({ masterKey: good })).statusCode).toBe(200);
    });

  it('refuses a non-loopback peer; accepts ::1', async () => {
    expect((await unseal({ masterKey: good }, { from: '10.0.0.9' })).statusCode).toBe(403);
    expect(h.vault.isSealed()).toBe(true);
    expect((await unseal({ masterKey: good }, { from: '::1' })).statusCode).toBe(200);
  });
});

describe('unseal endpoint: back-off and lockout', () => {
  it('delays each retry exponentially after a failure, answering 429 with Retry-After', async () => {
    expect((await unseal({ masterKey: wrong })).statusCode).toBe(401);
    // Even the right key waits out the delay.
    const early = await unseal({ masterKey: good });
    expect(early.statusCode).toBe(429);
    expect(early.headers['retry-after']).toBe('1');
    expect(early.json()).toEqual(GENERIC);
    expect(h.vault.isSealed()).toBe(true);
    now += 1_000;
    expect((await unseal({ masterKey: wrong })).statusCode).toBe(401);
    now += 1_000;
    const second = await unseal({ masterKey: good });
    expect(second.statusCode).toBe(429);
    expect(second.headers['retry-after']).toBe('1');
    now += 1_000;
    // Positive control: after the delay the right key unseals, and the count starts again.
    expect((await unseal({ masterKey: good })).statusCode).toBe(200);
    h.vault.seal();
    expect((await unseal({ masterKey: wrong })).statusCode).toBe(401);
    expect((await unseal({ masterKey: good })).headers['retry-after']).toBe('1');
  });

  it(`locks the peer out for ${DEFAULT_UNSEAL_LIMITS.lockoutMs / 60_000} minutes after ${DEFAULT_UNSEAL_LIMITS.maxFailures} failures`, async () => {
    for (let i = 0; i < DEFAULT_UNSEAL_LIMITS.maxFailures; i++) {
      expect((await unseal({ masterKey: wrong })).statusCode).toBe(401);
      now += DEFAULT_UNSEAL_LIMITS.maxDelayMs;
    }
    now -= DEFAULT_UNSEAL_LIMITS.maxDelayMs;
    const locked = await unseal({ masterKey: good });
    expect(locked.statusCode).toBe(429);
    expect(locked.headers['retry-after']).toBe(String(DEFAULT_UNSEAL_LIMITS.lockoutMs / 1000));
    now += DEFAULT_UNSEAL_LIMITS.lockoutMs - 1_000;
    expect((await unseal({ masterKey: good })).statusCode).toBe(429);
    expect(h.vault.isSealed()).toBe(true);
    now += 1_000;
    expect((await unseal({ masterKey: good })).statusCode).toBe(200);
  });

  it('counts malformed bodies as refusals without starting the back-off', async () => {
    expect((await unseal('not json')).statusCode).toBe(400);
    expect((await unseal({})).statusCode).toBe(400);
    expect((await unseal({ masterKey: good })).statusCode).toBe(200);
  });
});

describe('keywarden unseal --url', () => {
  const env = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' });

  it('reads --key-file itself and sends the key in the body; a wrong key fails generically', async () => {
    const wrongRun = await runNode([MAIN, 'unseal', '--url', h.url, '--key-file', h.keyFiles.wrong], {
      env: env(),
    });
    expect(wrongRun.code).toBe(1);
    expect(wrongRun.err).toMatch(/^keywarden: unseal failed \(HTTP 401\)\n$/);
    expect(wrongRun.out + wrongRun.err).not.toContain(wrong.trim());
    expect(h.vault.isSealed()).toBe(true);
    now += 24 * 3_600_000;
    const ok = await runNode([MAIN, 'unseal', '--url', h.url, '--key-file', h.keyFiles.good], { env: env() });
    expect(ok.err).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('is unsealed');
    expect(h.vault.isSealed()).toBe(false);
  });

  it('refuses to send a secret to a host other than this machine', async () => {
    const r = await runNode(
      [MAIN, 'unseal', '--url', 'http://192.0.2.10:8787', '--key-file', h.keyFiles.good],
      { env: env() },
    );
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--url must name this machine/);
  });
});
