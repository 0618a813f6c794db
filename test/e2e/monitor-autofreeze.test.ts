/**
 * autoFreeze end to end: a critical alert about a client configured `autoFreeze: true`
 * freezes it through the client service (the next request is denied), raises client.frozen
 * to the sink, and leaves the freeze and both alerts in a verifying audit chain. A client
 * without autoFreeze keeps working after the same alert.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../../src/audit/index.js';
import type { Policy } from '../../src/policy/policy-types.js';
import { type Harness, startHarness } from '../gateway/harness.js';
import { type AlertReceiver, call, HOOK_ENV, startAlertReceiver, webhookSink } from './monitor-support.js';

const POLICY: Policy = { mode: 'enforce', actions: ['public', 'read', 'trade', 'cancel'] };

let h: Harness;
let hook: AlertReceiver;

beforeAll(async () => {
  hook = await startAlertReceiver();
  h = await startHarness({
    exchanges: ['binance'],
    monitor: { env: HOOK_ENV },
    config: {
      server: { trustedProxies: ['127.0.0.1/32'] },
      monitor: {
        clients: { 'hot-bot': { autoFreeze: true }, 'hot-ccxt': { autoFreeze: true } },
        sinks: [webhookSink(hook.url)],
      },
    },
  });
});
afterAll(async () => {
  await h?.close();
  await hook?.close();
});

const settle = () => h.monitor?.flush();

describe('autoFreeze', () => {
  it('freezes a client on a critical alert (request from a foreign IP); its next request is denied', async () => {
    const { token, client } = await h.issue('binance', 'hot-bot', {
      policy: POLICY,
      ipAllow: ['10.0.0.0/24'],
    });
    expect((await call(h, 'binance', 'GET', '/api/v3/account', { token, ip: '10.0.0.5' })).status).toBe(200);
    expect((await call(h, 'binance', 'GET', '/api/v3/account', { token, ip: '203.0.113.50' })).code).toBe(
      'ip_not_allowed',
    );
    await settle();
    expect((await h.clients.get(client.id))?.status).toBe('frozen');
    const denied = await call(h, 'binance', 'GET', '/api/v3/account', { token, ip: '10.0.0.5' });
    expect(denied.code).toBe('client_frozen');
    await settle();
    expect(hook.alerts.filter((a) => a.client === 'hot-bot').map((a) => a.rule)).toEqual([
      'request.ip_not_allowed',
      'client.frozen',
      'request.denied',
    ]);
    expect(hook.of('client.frozen', 'hot-bot')[0]?.message).toMatch(
      /frozen automatically \(auto-freeze on critical alert request\.ip_not_allowed/,
    );
  });

  it('freezes an unmodified CCXT bot that attempts a withdrawal (request.withdrawal_denied is critical)', async () => {
    const issued = await h.issue('binance', 'hot-ccxt', { policy: POLICY });
    const bot = await h.ccxt('binance', issued.credential);
    await bot.fetchBalance();
    await expect(
      bot.withdraw('USDT', 10, 'TXYZsandboxaddress000000000000000', undefined, { network: 'USDT' }),
    ).rejects.toThrow(/keywarden denied/);
    await settle();
    await expect(bot.fetchBalance()).rejects.toThrow(/client_frozen|frozen/);
    expect((await h.clients.get('hot-ccxt'))?.status).toBe('frozen');
  });

  it('leaves a client without autoFreeze running after the same critical alert', async () => {
    const { token, client } = await h.issue('binance', 'cold-bot', {
      policy: POLICY,
      ipAllow: ['10.0.0.0/24'],
    });
    expect((await call(h, 'binance', 'GET', '/api/v3/account', { token, ip: '203.0.113.51' })).code).toBe(
      'ip_not_allowed',
    );
    await settle();
    expect((await h.clients.get(client.id))?.status).toBe('active');
    expect((await call(h, 'binance', 'GET', '/api/v3/account', { token, ip: '10.0.0.5' })).status).toBe(200);
    expect(hook.of('client.frozen', 'cold-bot')).toEqual([]);
  });

  it('records the freeze and the alerts in the audit log, and the chain verifies', async () => {
    await settle();
    const records = h.audit.records;
    const freeze = records.find((r) => r.kind === 'admin' && r.action === 'client.freeze');
    const trigger = records.find((r) => r.kind === 'alert' && r.rule === 'request.ip_not_allowed');
    const frozen = records.find((r) => r.kind === 'alert' && r.rule === 'client.frozen');
    expect(trigger).toMatchObject({ detail: { client: 'hot-bot', severity: 'critical' } });
    expect(freeze).toBeDefined();
    expect(frozen).toMatchObject({ detail: { client: 'hot-bot' } });
    // Alert first, then the freeze it caused, then the alert saying so.
    expect((trigger?.seq ?? 0) < (freeze?.seq ?? 0) && (freeze?.seq ?? 0) < (frozen?.seq ?? 0)).toBe(true);
    expect(verifyAuditLog(h.store.sqlite)).toMatchObject({ ok: true });
    expect(hook.rejected).toEqual([]);
  });
});
