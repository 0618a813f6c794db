import { describe, expect, it } from 'vitest';
import type { AuditEvent, AuditRecord } from '../../src/audit/audit-types.js';
import { parseConfig } from '../../src/config/config.js';
import { withClientAlerts } from '../../src/monitor/client-alerts.js';
import { createMetrics } from '../../src/monitor/metrics.js';
import type { Alert, Monitor, MonitorEvent } from '../../src/monitor/monitor-types.js';
import { monitoredAuditLog } from '../../src/monitor/monitored-audit.js';
import { openMonitor } from '../../src/monitor/open-monitor.js';
import { defaultPolicy } from '../../src/policy/default-policy.js';
import type { Policy } from '../../src/policy/policy-types.js';
import { req, sys, T0 } from './fixtures.js';

function recordingAudit(options: { delayMs?: number; fail?: boolean } = {}) {
  const events: AuditEvent[] = [];
  return {
    events,
    async append(event: AuditEvent): Promise<AuditRecord> {
      if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
      if (options.fail) throw new Error('disk full');
      events.push(event);
      return { ...event, seq: events.length, at: T0, prevHash: '', hash: '' };
    },
    close: async () => {},
  };
}

describe('monitor: section of keywarden.yaml', () => {
  it('defaults to rules and anomaly detection on, no sinks', () => {
    const c = parseConfig({});
    expect(c.monitor).toMatchObject({ enabled: true, sinks: [], anomaly: { enabled: true } });
    expect(c.monitor.rules.repeatSeconds).toBe(60);
  });

  it('rejects an unknown key under monitor, naming its path', () => {
    expect(() => parseConfig({ monitor: { rules: { authFailures: 3 } } })).toThrow(
      /unknown key monitor\.rules\.authFailures/,
    );
    expect(() =>
      parseConfig({
        monitor: { sinks: [{ type: 'webhook', name: 'x', url: 'http://10.0.0.1/', secret: 'a'.repeat(16) }] },
      }),
    ).toThrow(/monitor\.sinks\.0\.url/);
  });
});

describe('openMonitor', () => {
  it('writes every alert as an `alert` audit record and close() waits for the records', async () => {
    const audit = recordingAudit({ delayMs: 20 });
    const handle = openMonitor(parseConfig({}), { audit, clock: { now: () => T0 } });
    handle.monitor.observe(req(T0, { decision: 'deny', code: 'ip_not_allowed', sourceIp: '203.0.113.9' }));
    handle.raise({ kind: 'lockdown', message: 'all clients frozen by ops' });
    await handle.close();
    expect(audit.events).toMatchObject([
      {
        kind: 'alert',
        actor: 'monitor',
        rule: 'request.ip_not_allowed',
        exchange: 'binance',
        detail: { severity: 'critical', client: 'bot-a', keyLabel: 'binance-main' },
      },
      {
        kind: 'alert',
        rule: 'gateway.lockdown',
        message: 'all clients frozen by ops',
        detail: { severity: 'critical' },
      },
    ]);
  });

  it('a failing alert record is reported, never thrown into observe()', async () => {
    const errors: string[] = [];
    const handle = openMonitor(parseConfig({}), {
      audit: recordingAudit({ fail: true }),
      onError: (context) => errors.push(context),
    });
    expect(() => handle.raise({ kind: 'lockdown', message: 'x' })).not.toThrow();
    await handle.close();
    expect(errors).toEqual(['alert audit record']);
  });

  it('autoFreeze: a critical alert about an autoFreeze client freezes it once and raises client.frozen', async () => {
    const frozen: string[] = [];
    const alerts: Alert[] = [];
    const config = parseConfig({ monitor: { clients: { 'bot-a': { autoFreeze: true } } } });
    const handle = openMonitor(config, {
      clients: { freeze: async (ref) => void frozen.push(ref) },
      clock: { now: () => T0 },
    });
    handle.monitor.onAlert((a) => alerts.push(a));
    handle.monitor.observe(req(T0, { decision: 'deny', code: 'ip_not_allowed' }));
    handle.monitor.observe(req(T0, { client: 'bot-b', decision: 'deny', code: 'ip_not_allowed' }));
    handle.monitor.observe(req(T0, { decision: 'deny', code: 'policy_denied' }));
    await handle.close();
    expect(frozen).toEqual(['bot-a']);
    expect(alerts.map((a) => `${a.client}:${a.rule}`)).toEqual([
      'bot-a:request.ip_not_allowed',
      'bot-b:request.ip_not_allowed',
      'bot-a:request.denied',
      'bot-a:client.frozen',
    ]);
  });

  it('withClientAlerts raises client.frozen, client.revoked and client.changed after the change', async () => {
    const raised: string[] = [];
    const order: string[] = [];
    const clients = withClientAlerts(
      {
        freeze: async (ref: string) => ({ name: ref }),
        revoke: async (ref: string) => ({ name: ref }),
        setIpAllow: async (ref: string, cidrs: string[]) => {
          order.push('committed');
          return { name: ref, ipAllow: cidrs };
        },
        setPolicy: async (ref: string, policy: Policy) => ({ name: ref, policy }),
        other: 1,
      },
      (e) => {
        order.push('raised');
        raised.push(`${e.kind}:${e.client}:${e.message}`);
      },
    );
    await clients.freeze('bot-a');
    await clients.revoke('bot-b');
    order.length = 0;
    await clients.setIpAllow('bot-c', ['10.0.0.0/8']);
    expect(order).toEqual(['committed', 'raised']);
    await clients.setPolicy('bot-d', { ...defaultPolicy(), actions: ['read', 'withdraw'] });
    expect(raised.map((r) => r.split(':').slice(0, 2).join(':'))).toEqual([
      'client_frozen:bot-a',
      'client_revoked:bot-b',
      'client_changed:bot-c',
      'client_changed:bot-d',
    ]);
    expect(raised[2]).toContain('10.0.0.0/8');
    expect(raised[3]).toContain('read, withdraw');
    expect(clients.other).toBe(1);
  });
});

describe('gateway.sealed and audit.write_failed are raised once per repeat window', () => {
  it('repeats only after repeatSeconds', async () => {
    let now = T0;
    const alerts: Alert[] = [];
    const handle = openMonitor(parseConfig({ monitor: { rules: { repeatSeconds: 60 } } }), {
      clock: { now: () => now },
    });
    handle.monitor.onAlert((a) => alerts.push(a));
    for (let i = 0; i < 10; i++) handle.monitor.observe(sys('gateway_sealed', { at: now + i * 1000 }));
    now += 61_000;
    handle.monitor.observe(sys('gateway_sealed', { at: now }));
    handle.monitor.observe(sys('audit_write_failed', { at: now }));
    handle.monitor.observe(sys('audit_write_failed', { at: now + 5_000 }));
    // Other system events are never suppressed.
    handle.monitor.observe(sys('client_frozen', { at: now, client: 'bot-a' }));
    handle.monitor.observe(sys('client_frozen', { at: now, client: 'bot-a' }));
    await handle.close();
    expect(alerts.map((a) => a.rule)).toEqual([
      'gateway.sealed',
      'gateway.sealed',
      'audit.write_failed',
      'client.frozen',
      'client.frozen',
    ]);
  });
});

describe('monitoredAuditLog', () => {
  it('times appends, reports a failure as audit_write_failed unless failures are expected, and rethrows', async () => {
    const seen: MonitorEvent[] = [];
    const monitor: Monitor = {
      observe: (e) => void seen.push(e),
      onAlert: () => () => {},
      flush: async () => {},
      close: async () => {},
    };
    const metrics = createMetrics();
    let expected = false;
    const ok = monitoredAuditLog(recordingAudit(), { monitor, metrics });
    await ok.append({ kind: 'request', requestId: 'req_1' });
    expect(await metrics.render()).toMatch(/keywarden_audit_write_duration_seconds_count 1/);
    const failing = monitoredAuditLog(recordingAudit({ fail: true }), {
      monitor,
      metrics,
      expectFailures: () => expected,
    });
    await expect(failing.append({ kind: 'request', requestId: 'req_2' })).rejects.toThrow('disk full');
    expected = true;
    await expect(failing.append({ kind: 'request', requestId: 'req_3' })).rejects.toThrow('disk full');
    expect(seen).toMatchObject([
      { type: 'system', kind: 'audit_write_failed', detail: { recordKind: 'request' } },
    ]);
    expect(JSON.stringify(seen)).not.toContain('disk full');
  });
});
