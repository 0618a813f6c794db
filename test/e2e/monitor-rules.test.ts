/**
 * Every alert rule the gateway can trigger, driven by real traffic (raw token-mode HTTP and an
 * unmodified CCXT client) through the real gateway to the in-process sandbox, and asserted at a
 * real webhook receiver that verifies keywarden's HMAC signature. Alerts are also audit records
 * and the chain still verifies.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../../src/audit/index.js';
import { withClientAlerts } from '../../src/monitor/client-alerts.js';
import type { MonitorHandle } from '../../src/monitor/open-monitor.js';
import type { Policy } from '../../src/policy/policy-types.js';
import { type Harness, startHarness } from '../gateway/harness.js';
import {
  type AlertReceiver,
  binanceOrder,
  call,
  HOOK_ENV,
  startAlertReceiver,
  webhookSink,
} from './monitor-support.js';

const exec = promisify(execFile);
const MAIN = join(import.meta.dirname, '../../dist/cli/main.js');

const TRADER: Policy = {
  mode: 'enforce',
  actions: ['public', 'read', 'trade', 'cancel'],
  symbols: { allow: ['BTC/USDT', 'ETH/USDT'] },
};
const ADDRESS = 'TXYZsandboxaddress000000000000000';

let h: Harness;
let hook: AlertReceiver;
let monitor: MonitorHandle;

beforeAll(async () => {
  hook = await startAlertReceiver();
  h = await startHarness({
    exchanges: ['binance'],
    monitor: { env: HOOK_ENV },
    config: {
      server: { trustedProxies: ['127.0.0.1/32'] },
      monitor: {
        rules: {
          authFailuresPerIp: { count: 5, windowSeconds: 60 },
          authFailuresOverall: { count: 15, windowSeconds: 60 },
        },
        // Rules only here; each detector has its own test with a clock (monitor-anomaly.test.ts).
        anomaly: { enabled: false },
        sinks: [webhookSink(hook.url)],
      },
    },
  });
  if (!h.monitor) throw new Error('harness started without a monitor');
  monitor = h.monitor;
});
afterAll(async () => {
  await h.close();
  await hook.close();
});

const settle = () => monitor.flush();

describe('alert rules, end to end', () => {
  it('a run of normal traffic (CCXT drop-in and token mode) raises no alert', async () => {
    const ccxtBot = await h.issue('binance', 'steady-ccxt', { policy: TRADER });
    const tokenBot = await h.issue('binance', 'steady-token', { policy: TRADER, ipAllow: ['10.0.0.0/24'] });
    const ex = await h.ccxt('binance', ccxtBot.credential);
    for (let i = 0; i < 5; i++) {
      await ex.fetchBalance();
      const order = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 50_000 + i);
      await ex.cancelOrder(order.id, 'BTC/USDT');
      await ex.fetchOpenOrders('ETH/USDT');
    }
    for (let i = 0; i < 20; i++) {
      const read = await call(h, 'binance', 'GET', '/api/v3/account', {
        token: tokenBot.token,
        ip: '10.0.0.5',
      });
      expect(read.status).toBe(200);
      const order = await call(h, 'binance', 'POST', '/api/v3/order', {
        token: tokenBot.token,
        ip: '10.0.0.5',
        body: binanceOrder(i % 2 ? 'BTCUSDT' : 'ETHUSDT', 0.001, i % 2 ? 50_000 : 2_000),
      });
      expect(order.status, order.body).toBe(200);
    }
    await settle();
    expect(hook.alerts).toEqual([]);
    expect(h.audit.records.filter((r) => r.kind === 'alert')).toEqual([]);
  });

  it('request.denied: a policy denial names the client and the rule', async () => {
    const { token } = await h.issue('binance', 'denied-bot', { policy: TRADER });
    const r = await call(h, 'binance', 'POST', '/api/v3/order', {
      token,
      body: binanceOrder('SOLUSDT', 1, 150),
    });
    expect(r.code).toBe('policy_denied');
    await settle();
    const [alert, ...more] = hook.of('request.denied', 'denied-bot');
    expect(more).toEqual([]);
    expect(alert).toMatchObject({ severity: 'warning', keyLabel: 'binance-main' });
    expect(alert?.message).toContain('symbols.allow');
    expect(alert?.message).toContain('POST /api/v3/order');
  });

  it('request.ip_not_allowed: a request from outside the allow-list is critical; the allowed IP stays quiet', async () => {
    const { token } = await h.issue('binance', 'pinned-bot', { policy: TRADER, ipAllow: ['10.0.0.0/24'] });
    const r = await call(h, 'binance', 'GET', '/api/v3/account', { token, ip: '203.0.113.7' });
    expect(r.code).toBe('ip_not_allowed');
    const ok = await call(h, 'binance', 'GET', '/api/v3/account', { token, ip: '10.0.0.9' });
    expect(ok.status).toBe(200);
    await settle();
    const alerts = hook.alerts.filter((a) => a.client === 'pinned-bot');
    expect(alerts.map((a) => a.rule)).toEqual(['request.ip_not_allowed']);
    expect(alerts[0]?.severity).toBe('critical');
    expect(alerts[0]?.message).toContain('203.0.113.7');
  });

  it('request.withdrawal_denied (CCXT) and request.withdrawal (allowed, forwarded)', async () => {
    const denied = await h.issue('binance', 'withdraw-denied-bot', { policy: TRADER });
    const ex = await h.ccxt('binance', denied.credential);
    await expect(ex.withdraw('USDT', 10, ADDRESS, undefined, { network: 'USDT' })).rejects.toThrow(
      /keywarden denied/,
    );
    const allowed = await h.issue('binance', 'withdraw-ok-bot', {
      policy: { ...TRADER, actions: [...TRADER.actions, 'withdraw'], withdrawals: { addresses: [ADDRESS] } },
    });
    const before = h.sandbox.log.length;
    const r = await call(h, 'binance', 'POST', '/sapi/v1/capital/withdraw/apply', {
      token: allowed.token,
      body: `coin=USDT&network=USDT&address=${ADDRESS}&amount=10`,
    });
    expect(r.code, r.body).toBeUndefined();
    expect(h.sandbox.log.slice(before).some((l) => l.path.includes('withdraw'))).toBe(true);
    await settle();
    expect(hook.of('request.withdrawal_denied', 'withdraw-denied-bot')).toMatchObject([
      { severity: 'critical', message: expect.stringContaining('denied') },
    ]);
    expect(hook.of('request.withdrawal', 'withdraw-ok-bot')).toMatchObject([
      { severity: 'warning', message: expect.stringContaining('allowed') },
    ]);
    // The withdrawal address never reaches an alert.
    expect(JSON.stringify(hook.alerts)).not.toContain(ADDRESS);
  });

  it('request.transfer_denied and request.transfer (Binance classifies /sapi/v1/asset/transfer)', async () => {
    const body = 'type=MAIN_UMFUTURE&asset=USDT&amount=5';
    const denied = await h.issue('binance', 'transfer-denied-bot', { policy: TRADER });
    expect(
      (await call(h, 'binance', 'POST', '/sapi/v1/asset/transfer', { token: denied.token, body })).code,
    ).toBe('policy_denied');
    const allowed = await h.issue('binance', 'transfer-ok-bot', {
      policy: { ...TRADER, actions: [...TRADER.actions, 'transfer'] },
    });
    const r = await call(h, 'binance', 'POST', '/sapi/v1/asset/transfer', { token: allowed.token, body });
    expect(r.code).toBeUndefined();
    await settle();
    expect(hook.of('request.transfer_denied', 'transfer-denied-bot')).toMatchObject([
      { severity: 'critical' },
    ]);
    expect(hook.of('request.transfer', 'transfer-ok-bot')).toMatchObject([{ severity: 'warning' }]);
  });

  it('auth.failure_burst_ip after N failures from one IP, auth.failure_burst across many', async () => {
    const guessed = `kw_${'G'.repeat(43)}`;
    for (let i = 0; i < 5; i++) {
      const r = await call(h, 'binance', 'GET', '/api/v3/account', { token: guessed, ip: '198.51.100.9' });
      expect(r.code).toBe('auth_unknown_key');
    }
    await settle();
    expect(hook.of('auth.failure_burst_ip')).toMatchObject([
      { severity: 'warning', client: null, message: expect.stringContaining('198.51.100.9') },
    ]);
    expect(hook.of('auth.failure_burst')).toEqual([]);

    // A CCXT bot with the right key id but a wrong secret fails verification (auth_bad_signature) …
    const real = await h.issue('binance', 'wrong-secret-bot', { policy: TRADER });
    const ex = await h.ccxt('binance', { ...real.credential, secret: 'not-the-issued-secret-0000000000' });
    await expect(ex.fetchBalance()).rejects.toThrow();
    // … and guessed tokens arrive from nine more addresses, at most one each.
    for (let i = 1; i <= 9; i++) {
      const r = await call(h, 'binance', 'GET', '/api/v3/account', { token: guessed, ip: `192.0.2.${i}` });
      expect(r.code).toBe('auth_unknown_key');
    }
    await settle();
    expect(hook.of('auth.failure_burst')).toMatchObject([
      { severity: 'critical', message: expect.stringContaining('15 failed authentications') },
    ]);
    expect(hook.of('auth.failure_burst_ip')).toHaveLength(1);
    expect(JSON.stringify(hook.alerts)).not.toContain(guessed);
  });

  it('client.frozen and client.revoked through the freeze/revoke path; the next request is denied', async () => {
    const { token } = await h.issue('binance', 'lifecycle-bot', { policy: TRADER });
    const clients = withClientAlerts(h.clients, monitor.raise, 'the e2e test');
    expect((await call(h, 'binance', 'GET', '/api/v3/account', { token })).status).toBe(200);
    await clients.freeze('lifecycle-bot');
    expect((await call(h, 'binance', 'GET', '/api/v3/account', { token })).code).toBe('client_frozen');
    await h.clients.unfreeze('lifecycle-bot');
    expect((await call(h, 'binance', 'GET', '/api/v3/account', { token })).status).toBe(200);
    await clients.revoke('lifecycle-bot');
    expect((await call(h, 'binance', 'GET', '/api/v3/account', { token })).code).toBe('client_revoked');
    await settle();
    expect(hook.of('client.frozen', 'lifecycle-bot')).toMatchObject([{ severity: 'warning' }]);
    expect(hook.of('client.revoked', 'lifecycle-bot')).toMatchObject([{ severity: 'warning' }]);
  });

  it('gateway.sealed: requests arriving while sealed raise one critical alert, not one per request', async () => {
    const { token } = await h.issue('binance', 'sealed-bot', { policy: TRADER });
    h.vault.seal();
    try {
      for (let i = 0; i < 5; i++)
        expect((await call(h, 'binance', 'GET', '/api/v3/account', { token })).code).toBe('vault_sealed');
    } finally {
      await h.vault.unseal({ kind: 'key-file', path: h.keyFiles.good });
    }
    expect((await call(h, 'binance', 'GET', '/api/v3/account', { token })).status).toBe(200);
    await settle();
    expect(hook.of('gateway.sealed')).toMatchObject([{ severity: 'critical', count: 1 }]);
  });

  it('audit.write_failed: the request is refused (fail closed) and one critical alert goes out', async () => {
    const { token } = await h.issue('binance', 'audit-bot', { policy: TRADER });
    h.audit.failing = true;
    try {
      for (let i = 0; i < 3; i++)
        expect((await call(h, 'binance', 'GET', '/api/v3/account', { token })).code).toBe(
          'audit_unavailable',
        );
      await settle();
    } finally {
      h.audit.failing = false;
    }
    expect(hook.of('audit.write_failed')).toMatchObject([{ severity: 'critical' }]);
    expect((await call(h, 'binance', 'GET', '/api/v3/account', { token })).status).toBe(200);
  });

  it('every delivery verified; alerts are audit records and the chain verifies (library and CLI)', async () => {
    await settle();
    expect(hook.rejected).toEqual([]);
    const recorded = h.audit.records.filter((r) => r.kind === 'alert');
    const rules = new Set(recorded.map((r) => r.rule));
    for (const rule of [
      'request.denied',
      'request.ip_not_allowed',
      'request.withdrawal',
      'request.withdrawal_denied',
      'request.transfer',
      'request.transfer_denied',
      'auth.failure_burst_ip',
      'auth.failure_burst',
      'client.frozen',
      'client.revoked',
      'gateway.sealed',
    ])
      expect(rules, rule).toContain(rule);
    // audit.write_failed was raised while the log itself refused writes: it reached the sink only.
    expect(rules).not.toContain('audit.write_failed');
    const ipAlert = recorded.find((r) => r.rule === 'request.ip_not_allowed');
    expect(ipAlert).toMatchObject({
      actor: 'monitor',
      detail: { severity: 'critical', client: 'pinned-bot', keyLabel: 'binance-main' },
    });
    expect(verifyAuditLog(h.store.sqlite).ok).toBe(true);
    const cli = await exec(process.execPath, [
      MAIN,
      '--data-dir',
      h.store.dataDir,
      'audit',
      'verify',
      '--json',
    ]);
    expect(JSON.parse(cli.stdout)).toMatchObject({ ok: true });
  });
});
