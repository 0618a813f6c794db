/**
 * GET /metrics on the gateway listener after real traffic: the series the issue asks for are
 * there with the right counts, every label value comes from the closed sets, and no secret,
 * client name, client key id, token, key label or source IP appears anywhere in the text.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEL_VALUES } from '../../src/monitor/metrics.js';
import type { Policy } from '../../src/policy/policy-types.js';
import { type Harness, startHarness } from '../gateway/harness.js';
import { binanceOrder, call } from './monitor-support.js';

const CANARY = `KWCANARY${randomBytes(24).toString('hex')}`;
const POLICY: Policy = {
  mode: 'enforce',
  actions: ['public', 'read', 'trade', 'cancel'],
  symbols: { allow: ['BTC/USDT'] },
};

let h: Harness;
/** Everything that must never be in /metrics. */
const forbidden: string[] = [CANARY, 'binance-main', 'okx-main', '10.0.0.5', '198.51.100.23'];

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function scrape(): Promise<{ type: string; text: string }> {
  const r = await request(`${h.url}/metrics`);
  expect(r.statusCode).toBe(200);
  return { type: String(r.headers['content-type']), text: await r.body.text() };
}

/** `name{a="x",b="y"} value` → labels and value. */
function samples(text: string): Array<{ name: string; labels: Record<string, string>; value: number }> {
  const out: Array<{ name: string; labels: Record<string, string>; value: number }> = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unparsable metrics line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) if (k) labels[k] = v ?? '';
    out.push({ name: m[1] ?? '', labels, value: Number(m[3]) });
  }
  return out;
}

function value(text: string, name: string, labels: Record<string, string> = {}): number {
  return samples(text)
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

beforeAll(async () => {
  h = await startHarness({
    exchanges: ['binance', 'okx'],
    // OKX points at a closed port: its requests fail upstream.
    baseUrls: { okx: `http://127.0.0.1:${await closedPort()}` },
    monitor: {},
    config: { server: { trustedProxies: ['127.0.0.1/32'] } },
    plantKeys: (keys) => {
      for (const k of keys)
        if (k.exchange === 'binance' && k.name === 'full') {
          k.credential.secret = CANARY;
          k.verifySecret = CANARY;
        }
    },
  });
});
afterAll(() => h?.close());

describe('GET /metrics', () => {
  it('counts requests, latency, upstream errors, alerts and audit writes without naming anyone', async () => {
    const alpha = await h.issue('binance', 'canary-client-alpha', { policy: POLICY });
    const beta = await h.issue('binance', 'canary-client-beta', { policy: POLICY, ipAllow: ['10.0.0.0/24'] });
    const gamma = await h.issue('okx', 'canary-client-gamma');
    forbidden.push(
      ...[alpha, beta, gamma].flatMap((c) => [
        c.client.name,
        c.client.id,
        c.credential.apiKey ?? '',
        c.credential.secret ?? '',
        c.token,
      ]),
    );

    // Drop-in CCXT: balance (read), an order (trade), a withdrawal (denied by policy).
    const bot = await h.ccxt('binance', alpha.credential);
    await bot.fetchBalance();
    await bot.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 50_000);
    await expect(
      bot.withdraw('USDT', 10, 'TXYZsandboxaddress000000000000000', undefined, { network: 'USDT' }),
    ).rejects.toThrow();
    // Token mode: reads from the allowed IP, one off-list order, one request from a foreign IP.
    for (let i = 0; i < 5; i++)
      expect(
        (await call(h, 'binance', 'GET', '/api/v3/account', { token: beta.token, ip: '10.0.0.5' })).status,
      ).toBe(200);
    expect(
      (
        await call(h, 'binance', 'POST', '/api/v3/order', {
          token: beta.token,
          ip: '10.0.0.5',
          body: binanceOrder('SOLUSDT', 1, 150),
        })
      ).code,
    ).toBe('policy_denied');
    expect(
      (await call(h, 'binance', 'GET', '/api/v3/account', { token: beta.token, ip: '198.51.100.23' })).code,
    ).toBe('ip_not_allowed');
    // A guessed token and a CCXT bot with an invented key id: authentication failures.
    const guessed = `kw_${CANARY.slice(0, 43)}`;
    forbidden.push(guessed, 'kwINVENTEDKEYID0000');
    expect((await call(h, 'binance', 'GET', '/api/v3/account', { token: guessed })).code).toBe(
      'auth_unknown_key',
    );
    const stranger = await h.ccxt('binance', { apiKey: 'kwINVENTEDKEYID0000', secret: CANARY });
    await expect(stranger.fetchBalance()).rejects.toThrow();
    // OKX upstream unreachable.
    expect((await call(h, 'okx', 'GET', '/api/v5/account/balance', { token: gamma.token })).code).toBe(
      'upstream_failed',
    );
    // Probes that are not anyone's traffic.
    expect((await call(h, 'binance', 'GET', '/api/v3/../../etc/passwd')).status).toBeGreaterThanOrEqual(400);
    await h.monitor?.flush();

    const { type, text } = await scrape();
    expect(type).toMatch(/^text\/plain/);
    expect(
      value(text, 'keywarden_requests_total', { exchange: 'binance', action: 'read', decision: 'allow' }),
    ).toBeGreaterThanOrEqual(6);
    expect(
      value(text, 'keywarden_requests_total', { exchange: 'binance', action: 'trade', decision: 'allow' }),
    ).toBe(1);
    expect(
      value(text, 'keywarden_requests_total', { exchange: 'binance', action: 'withdraw', decision: 'deny' }),
    ).toBe(1);
    expect(
      value(text, 'keywarden_request_denials_total', { exchange: 'binance', code: 'symbols.allow' }),
    ).toBe(1);
    expect(
      value(text, 'keywarden_request_denials_total', { exchange: 'binance', code: 'ip_not_allowed' }),
    ).toBe(1);
    expect(
      value(text, 'keywarden_request_denials_total', { exchange: 'binance', code: 'auth_unknown_key' }),
    ).toBeGreaterThanOrEqual(2);
    expect(value(text, 'keywarden_upstream_errors_total', { exchange: 'okx', kind: 'unreachable' })).toBe(1);
    expect(
      value(text, 'keywarden_request_duration_seconds_count', { exchange: 'binance' }),
    ).toBeGreaterThanOrEqual(12);
    expect(text).toMatch(/keywarden_request_duration_seconds_bucket\{le="0\.05",exchange="binance"\} \d+/);
    expect(
      value(text, 'keywarden_alerts_total', { rule: 'request.withdrawal_denied', severity: 'critical' }),
    ).toBe(1);
    expect(
      value(text, 'keywarden_alerts_total', { rule: 'request.ip_not_allowed', severity: 'critical' }),
    ).toBe(1);
    expect(value(text, 'keywarden_alerts_total', { rule: 'request.denied' })).toBeGreaterThanOrEqual(1);
    expect(value(text, 'keywarden_audit_write_duration_seconds_count')).toBeGreaterThanOrEqual(10);
    expect(value(text, 'keywarden_vault_sealed')).toBe(0);

    // Closed label sets only (histogram buckets add `le`).
    const closed = LABEL_VALUES as Record<string, readonly string[]>;
    for (const s of samples(text))
      for (const [label, v] of Object.entries(s.labels)) {
        if (label === 'le') expect(v).toMatch(/^(\+Inf|\d+(\.\d+)?)$/);
        else expect(closed[label], `${s.name} ${label}="${v}"`).toContain(v);
      }
    for (const needle of forbidden.filter((n) => n.length >= 8)) expect(text).not.toContain(needle);
    expect(text).not.toMatch(/canary-client|kw_[A-Za-z0-9]{20}/);
  });

  it('reports the vault sealed gauge as it changes', async () => {
    h.vault.seal();
    try {
      expect(value((await scrape()).text, 'keywarden_vault_sealed')).toBe(1);
    } finally {
      await h.vault.unseal({ kind: 'key-file', path: h.keyFiles.good });
    }
    expect(value((await scrape()).text, 'keywarden_vault_sealed')).toBe(0);
  });
});
