import { describe, expect, it } from 'vitest';
import { createMonitor } from '../../src/monitor/monitor.js';
import { monitorConfigSchema } from '../../src/monitor/monitor-config.js';
import type { Alert, SystemEvent } from '../../src/monitor/monitor-types.js';
import { rotationEvent } from '../../src/monitor/rules.js';
import { feed, normalTraffic, req, rulesOf, sys, T0 } from './fixtures.js';

function setup(config: unknown = {}, extra: Parameters<typeof createMonitor>[0] = {}) {
  const parsed = monitorConfigSchema.parse(config);
  const alerts: Alert[] = [];
  const monitor = createMonitor({
    rules: parsed.rules,
    anomaly: parsed.anomaly,
    clients: parsed.clients,
    clock: { now: () => T0 },
    onAlert: (a) => alerts.push(a),
    ...extra,
  });
  return { monitor, alerts, observe: (e: Parameters<typeof monitor.observe>[0]) => monitor.observe(e) };
}

describe('alert rules', () => {
  it('raises nothing for a day of normal allowed traffic (positive control)', () => {
    const { alerts, observe } = setup();
    feed(observe, normalTraffic(1));
    expect(alerts).toEqual([]);
  });

  it('raises request.denied naming the rule that denied it', () => {
    const { alerts, observe } = setup();
    feed(observe, normalTraffic(1).slice(0, 500));
    observe(
      req(T0 + 3_600_000, {
        decision: 'deny',
        code: 'symbols.allow',
        message: 'DOGE/USDT is not in the allow-list',
        symbols: ['DOGE/USDT'],
      }),
    );
    const denied = alerts.filter((a) => a.rule === 'request.denied');
    expect(denied).toHaveLength(1);
    expect(denied[0]).toMatchObject({ severity: 'warning', client: 'bot-a', keyLabel: 'binance-main' });
    expect(denied[0]?.message).toContain('denied by symbols.allow: DOGE/USDT is not in the allow-list');
  });

  it('raises info request.would_deny for monitor-mode decisions', () => {
    const { alerts, observe } = setup();
    observe(req(T0, { decision: 'would-deny', code: 'maxOrderNotional', message: 'order 9000 > 5000' }));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ rule: 'request.would_deny', severity: 'info' });
    expect(alerts[0]?.message).toContain('enforce mode would deny it by maxOrderNotional');
  });

  it('raises a critical alert for a request from outside the IP allow-list', () => {
    const { alerts, observe } = setup();
    observe(req(T0, { decision: 'deny', code: 'ip_not_allowed', sourceIp: '203.0.113.77' }));
    expect(rulesOf(alerts)).toEqual(['request.ip_not_allowed']);
    expect(alerts[0]?.severity).toBe('critical');
    expect(alerts[0]?.message).toContain('from 203.0.113.77, which is not in its IP allow-list');
  });

  it('raises on every withdrawal or transfer attempt, allowed or not', () => {
    const { alerts, observe } = setup();
    const wd = { action: 'withdraw', endpoint: 'POST /sapi/v1/capital/withdraw/apply', symbols: [] };
    observe(req(T0, { ...wd, decision: 'deny', code: 'actions' }));
    observe(req(T0, { ...wd, decision: 'allow' }));
    observe(req(T0, { action: 'transfer', endpoint: 'POST /sapi/v1/asset/transfer', decision: 'allow' }));
    observe(req(T0, { action: 'transfer', endpoint: 'POST /sapi/v1/asset/transfer', decision: 'deny' }));
    expect(alerts.map((a) => [a.rule, a.severity])).toEqual([
      ['request.withdrawal_denied', 'critical'],
      ['request.withdrawal', 'warning'],
      ['request.transfer', 'warning'],
      ['request.transfer_denied', 'critical'],
    ]);
    expect(alerts[0]?.message).toContain('withdraw request binance POST /sapi/v1/capital/withdraw/apply');
    expect(alerts[0]?.message).toContain('was denied (actions)');
    expect(alerts[1]?.message).toContain('was allowed');
  });

  it('raises one per-IP burst alert for a run of failed authentications from one address', () => {
    const { alerts, observe } = setup({ rules: { authFailuresPerIp: { count: 10, windowSeconds: 60 } } });
    for (let i = 0; i < 25; i++)
      observe(
        req(T0 + i * 1000, {
          client: undefined,
          decision: 'deny',
          code: i % 2 ? 'auth_bad_signature' : 'auth_unknown_key',
          sourceIp: '198.51.100.7',
        }),
      );
    expect(rulesOf(alerts)).toEqual(['auth.failure_burst_ip']);
    expect(alerts[0]?.message).toBe(
      '10 failed authentications from 198.51.100.7 in 60s (threshold 10 in 60s); last code auth_bad_signature',
    );
    // After the window empties, a new burst alerts again.
    for (let i = 0; i < 10; i++)
      observe(
        req(T0 + 200_000 + i, {
          client: undefined,
          decision: 'deny',
          code: 'auth_missing',
          sourceIp: '198.51.100.7',
        }),
      );
    expect(rulesOf(alerts)).toEqual(['auth.failure_burst_ip', 'auth.failure_burst_ip']);
  });

  it('does not raise for occasional failed authentications below the rate (positive control)', () => {
    const { alerts, observe } = setup({ rules: { authFailuresPerIp: { count: 10, windowSeconds: 60 } } });
    for (let i = 0; i < 100; i++)
      observe(req(T0 + i * 10_000, { decision: 'deny', code: 'auth_stale', sourceIp: '10.0.0.5' }));
    expect(alerts).toEqual([]);
  });

  it('raises the overall burst alert for failures spread over many addresses', () => {
    const { alerts, observe } = setup({ rules: { authFailuresOverall: { count: 50, windowSeconds: 60 } } });
    for (let i = 0; i < 60; i++)
      observe(
        req(T0 + i * 500, {
          client: undefined,
          decision: 'deny',
          code: 'auth_unknown_key',
          sourceIp: `192.0.2.${i}`,
        }),
      );
    expect(rulesOf(alerts)).toEqual(['auth.failure_burst']);
    expect(alerts[0]?.severity).toBe('critical');
    expect(alerts[0]?.message).toBe(
      '50 failed authentications across all sources in 60s (threshold 50 in 60s)',
    );
  });

  const systemCases: Array<[SystemEvent['kind'], string, string]> = [
    ['client_frozen', 'client.frozen', 'warning'],
    ['client_revoked', 'client.revoked', 'warning'],
    ['client_changed', 'client.changed', 'warning'],
    ['key_frozen', 'key.frozen', 'warning'],
    ['key_retired', 'key.retired', 'info'],
    ['key_rotation_due', 'key.rotation_due', 'info'],
    ['key_rotation_overdue', 'key.rotation_overdue', 'warning'],
    ['key_over_permissive', 'key.over_permissive', 'critical'],
    ['gateway_sealed', 'gateway.sealed', 'critical'],
    ['audit_write_failed', 'audit.write_failed', 'critical'],
    ['leaked_key_found', 'key.leaked', 'critical'],
    ['lockdown', 'gateway.lockdown', 'critical'],
  ];
  it.each(systemCases)('maps system event %s to %s (%s)', (kind, rule, severity) => {
    const { alerts, observe } = setup();
    observe(sys(kind, { keyLabel: 'binance-main', message: 'withdrawals enabled, no IP restriction' }));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ rule, severity, keyLabel: 'binance-main' });
    expect(alerts[0]?.message).toBe('withdrawals enabled, no IP restriction');
  });

  it('applies severity overrides and disabled rules from config', () => {
    const { alerts, observe } = setup({
      rules: { severity: { 'request.denied': 'critical' }, disabled: ['request.would_deny'] },
    });
    observe(req(T0, { decision: 'deny', code: 'policy_denied' }));
    observe(req(T0, { decision: 'would-deny', code: 'priceBand' }));
    expect(alerts.map((a) => [a.rule, a.severity])).toEqual([['request.denied', 'critical']]);
  });

  it('builds rotation events: due within 14 days, overdue after the deadline, nothing before', () => {
    const day = 86_400_000;
    expect(rotationEvent({ label: 'k', deadline: T0 + 30 * day }, T0)).toBeUndefined();
    expect(rotationEvent({ label: 'k', deadline: T0 + 10 * day }, T0)).toMatchObject({
      kind: 'key_rotation_due',
      message: expect.stringContaining('in 10 days'),
    });
    expect(rotationEvent({ label: 'k', deadline: T0 - 3 * day }, T0)).toMatchObject({
      kind: 'key_rotation_overdue',
      message: expect.stringContaining('3 days overdue'),
    });
  });
});

describe('auto-freeze', () => {
  it('calls freezeClient once for a critical alert of a client configured for it', async () => {
    const calls: Array<[string, string]> = [];
    const { observe } = setup(
      { clients: { 'bot-a': { autoFreeze: true } } },
      { freezeClient: (name, reason) => void calls.push([name, reason]) },
    );
    observe(req(T0, { decision: 'deny', code: 'ip_not_allowed', sourceIp: '203.0.113.9' }));
    observe(req(T0 + 1, { decision: 'deny', code: 'ip_not_allowed', sourceIp: '203.0.113.9' }));
    observe(req(T0, { client: 'bot-b', decision: 'deny', code: 'ip_not_allowed' }));
    observe(req(T0, { decision: 'deny', code: 'policy_denied' }));
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual([['bot-a', expect.stringContaining('request.ip_not_allowed')]]);
  });

  it('never lets a failing freezeClient or listener escape observe()', async () => {
    const errors: unknown[] = [];
    const { observe, monitor } = setup(
      { clients: { 'bot-a': { autoFreeze: true } } },
      {
        freezeClient: async () => {
          throw new Error('store down');
        },
        onInternalError: (e) => errors.push(e),
      },
    );
    monitor.onAlert(() => {
      throw new Error('listener bug');
    });
    expect(() => observe(req(T0, { decision: 'deny', code: 'ip_not_allowed' }))).not.toThrow();
    await new Promise((r) => setTimeout(r, 10));
    expect(errors.map((e) => (e as Error).message).sort()).toEqual(['listener bug', 'store down']);
  });
});
