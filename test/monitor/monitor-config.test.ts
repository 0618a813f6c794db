import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { describeConfigError, monitorConfigSchema } from '../../src/monitor/monitor-config.js';

function errorOf(input: unknown): string {
  const parsed = monitorConfigSchema.safeParse(input);
  if (parsed.success) throw new Error('expected a config error');
  return describeConfigError(parsed.error);
}

describe('monitor config schema', () => {
  it('gives a working default for an empty section', () => {
    const config = monitorConfigSchema.parse({});
    expect(config.enabled).toBe(true);
    expect(config.sinks).toEqual([]);
    expect(config.rules.authFailuresPerIp).toEqual({ count: 10, windowSeconds: 60 });
    expect(config.anomaly.warmup).toEqual({ events: 200, minutes: 60 });
    expect(config.anomaly.rate).toEqual({ enabled: true, alpha: 0.1, k: 4, floorPerMinute: 60 });
  });

  it('fills per-sink delivery defaults', () => {
    const config = monitorConfigSchema.parse({
      sinks: [{ type: 'slack', name: 'ops', url: 'https://hooks.slack.com/services/T/B/X' }],
    });
    expect(config.sinks[0]).toMatchObject({
      minSeverity: 'warning',
      groupWaitMs: 2000,
      throttleWindowSeconds: 300,
      maxAttempts: 4,
      timeoutMs: 5000,
      queueSize: 1000,
    });
  });

  it('rejects unknown keys with their path', () => {
    expect(errorOf({ rules: { authFailurePerIp: {} } })).toContain('monitor.rules');
    expect(
      errorOf({ sinks: [{ type: 'slack', name: 's', url: 'https://x.test/', colour: 'red' }] }),
    ).toContain('monitor.sinks.0');
  });

  it('rejects plain http to a remote host but accepts https and loopback http', () => {
    expect(
      errorOf({
        sinks: [{ type: 'webhook', name: 'w', url: 'http://alerts.example.com/', secret: 'x'.repeat(16) }],
      }),
    ).toContain('an https URL');
    for (const url of ['https://alerts.example.com/', 'http://127.0.0.1:9000/', 'http://localhost/x'])
      expect(
        monitorConfigSchema.safeParse({
          sinks: [{ type: 'webhook', name: 'w', url, secret: 'x'.repeat(16) }],
        }).success,
      ).toBe(true);
  });

  it('rejects short webhook secrets, unencrypted remote SMTP, duplicate sink names and unknown rule ids', () => {
    expect(
      errorOf({ sinks: [{ type: 'webhook', name: 'w', url: 'https://a.test/', secret: 'short' }] }),
    ).toContain('at least 16 characters');
    expect(
      errorOf({
        sinks: [
          {
            type: 'email',
            name: 'm',
            host: 'smtp.example.com',
            security: 'none',
            from: 'a@b.c',
            to: ['d@e.f'],
          },
        ],
      }),
    ).toContain('monitor.sinks.0.security');
    const dup = { type: 'slack', name: 'same', url: 'https://a.test/' };
    expect(errorOf({ sinks: [dup, dup] })).toContain('sink names must be unique');
    expect(errorOf({ rules: { disabled: ['request.nope'] } })).toContain('monitor.rules.disabled.0');
  });

  it('accepts the example in src/monitor/README.md (docs stay in step)', () => {
    const readme = readFileSync(join(import.meta.dirname, '../../src/monitor/README.md'), 'utf8');
    const block = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const doc = parse(block) as { monitor: unknown };
    const config = monitorConfigSchema.parse(doc.monitor);
    expect(config.sinks.map((s) => s.type)).toEqual(['slack', 'telegram', 'webhook', 'email']);
    expect(config.clients['bot-a']?.autoFreeze).toBe(true);
  });
});
