import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACTIONS } from '../../src/core/index.js';
import { clampLabel, createMetrics, LABEL_VALUES } from '../../src/monitor/metrics.js';
import { createMonitor } from '../../src/monitor/monitor.js';
import type { Alert } from '../../src/monitor/monitor-types.js';
import { req, T0 } from './fixtures.js';

/** Serve the registry the way the gateway will, and fetch it over a real socket. */
async function scrape(metrics: ReturnType<typeof createMetrics>): Promise<string> {
  const server = createServer(async (_req, res) => {
    res.writeHead(200, { 'content-type': metrics.contentType }).end(await metrics.render());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`);
    expect(res.headers.get('content-type')).toContain('text/plain');
    return await res.text();
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Every `name{labels} value` line as [label, value] pairs. */
function labelPairs(text: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line.includes('{')) continue;
    const inside = line.slice(line.indexOf('{') + 1, line.lastIndexOf('}'));
    for (const m of inside.matchAll(/([a-z_]+)="((?:[^"\\]|\\.)*)"/g)) pairs.push([m[1] ?? '', m[2] ?? '']);
  }
  return pairs;
}

describe('metrics', () => {
  it('exposes requests, latency, upstream errors, alerts, audit latency and the sealed gauge', async () => {
    const metrics = createMetrics();
    const monitor = createMonitor({ metrics, clock: { now: () => T0 } });
    monitor.observe(req(T0));
    monitor.observe(req(T0, { latencyMs: 120 }));
    monitor.observe(req(T0, { exchange: 'kraken', action: 'read', latencyMs: 3000, upstreamStatus: 502 }));
    monitor.observe(req(T0, { decision: 'deny', code: 'symbols.allow' }));
    monitor.observe(req(T0, { decision: 'deny', code: 'upstream_failed', exchange: 'coinbase' }));
    metrics.observeAuditWrite(0.002);
    metrics.setVaultSealed(false);
    const text = await scrape(metrics);
    expect(text).toContain('keywarden_requests_total{exchange="binance",action="trade",decision="allow"} 2');
    expect(text).toContain('keywarden_requests_total{exchange="binance",action="trade",decision="deny"} 1');
    expect(text).toContain('keywarden_request_denials_total{exchange="binance",code="symbols.allow"} 1');
    expect(text).toContain('keywarden_request_duration_seconds_bucket{le="0.25",exchange="binance"} 3');
    expect(text).toContain('keywarden_request_duration_seconds_count{exchange="kraken"} 1');
    expect(text).toContain('keywarden_upstream_errors_total{exchange="kraken",kind="5xx"} 1');
    expect(text).toContain('keywarden_upstream_errors_total{exchange="coinbase",kind="unreachable"} 1');
    expect(text).toContain('keywarden_alerts_total{rule="request.denied",severity="warning"} 2');
    expect(text).toContain('keywarden_audit_write_duration_seconds_count 1');
    expect(text).toContain('keywarden_vault_sealed 0');
  });

  it('keeps every label value inside its closed set, whatever the events carry', async () => {
    const metrics = createMetrics();
    const monitor = createMonitor({ metrics, clock: { now: () => T0 } });
    const hostile = fc.string({ maxLength: 60 });
    fc.assert(
      fc.property(hostile, hostile, hostile, hostile, (exchange, action, decision, code) => {
        monitor.observe(
          req(T0, {
            exchange,
            action,
            decision: decision as 'allow',
            code,
            client: 'kwc_live_3f9a8b7c6d5e4f3a',
            upstreamStatus: 503,
          }),
        );
      }),
      { numRuns: 300 },
    );
    monitor.observe(
      req(T0, {
        exchange: 'binance"} 1\nkeywarden_pwned 1',
        action: 'sk_live_SECRETSECRET',
        code: 'kwc_live_3f9a8b7c6d5e4f3a',
        decision: 'deny',
      }),
    );
    metrics.recordAlert({ rule: 'evil.rule', severity: 'urgent' } as unknown as Alert);
    metrics.recordDelivery('custom-sink-name', 'ok');
    const text = await scrape(metrics);
    const pairs = labelPairs(text);
    expect(pairs.length).toBeGreaterThan(10);
    const allowed: Record<string, readonly string[]> = { ...LABEL_VALUES, le: [] };
    for (const [label, value] of pairs) {
      if (label === 'le') continue;
      expect(allowed[label], `label ${label}`).toBeDefined();
      expect(allowed[label], `${label}="${value}"`).toContain(value);
    }
    expect(text).not.toContain('SECRET');
    expect(text).not.toContain('kwc_live');
    expect(text).not.toContain('pwned');
    expect(text).toContain('keywarden_alerts_total{rule="other",severity="other"} 1');
    // Positive control: known values pass through unchanged.
    expect(clampLabel('exchange', 'okx')).toBe('okx');
    expect(clampLabel('code', 'maxDailyNotional')).toBe('maxDailyNotional');
  });

  it('labels every action the policy knows by its name, margin and convert included', () => {
    for (const action of ACTIONS) expect(clampLabel('action', action)).toBe(action);
  });

  it('gives every process its own registry', async () => {
    const a = createMetrics();
    const b = createMetrics();
    a.recordRequest(req(T0));
    expect(await b.render()).not.toContain('decision="allow"} 1');
    expect(await a.render()).toContain('decision="allow"} 1');
  });
});
