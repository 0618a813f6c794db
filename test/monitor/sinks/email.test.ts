import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMonitorFromConfig } from '../../../src/monitor/monitor.js';
import { monitorConfigSchema } from '../../../src/monitor/monitor-config.js';
import { sys, T0 } from '../fixtures.js';

interface Mail {
  from: string;
  to: string[];
  data: string;
  user?: string;
}

describe('email sink against a real SMTP server', () => {
  const mails: Mail[] = [];
  let server: SMTPServer;
  let port = 0;

  beforeAll(async () => {
    server = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      authOptional: false,
      logger: false,
      onAuth(auth, _session, callback) {
        if (auth.username === 'alerts' && auth.password === 'smtp-pass-123')
          callback(null, { user: auth.username });
        else callback(new Error('Invalid username or password'));
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            data: Buffer.concat(chunks).toString('utf8'),
            user: typeof session.user === 'string' ? session.user : undefined,
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  function config() {
    return monitorConfigSchema.parse({
      sinks: [
        {
          type: 'email',
          name: 'mail',
          host: '127.0.0.1',
          port,
          security: 'none',
          user: 'alerts',
          password: { env: 'KW_SMTP_PASSWORD' },
          from: 'keywarden@example.test',
          to: ['ops@example.test', 'oncall@example.test'],
          groupWaitMs: 0,
          maxAttempts: 2,
          backoffBaseMs: 10,
        },
      ],
    }).sinks;
  }

  it('sends the alert as a plain-text mail after authenticating', async () => {
    const monitor = createMonitorFromConfig(monitorConfigSchema.parse({ sinks: config() }), {
      clock: { now: () => T0 },
      env: { KW_SMTP_PASSWORD: 'smtp-pass-123' },
    });
    monitor.observe(sys('gateway_sealed', { message: 'gateway sealed by operator alice' }));
    await monitor.close();
    expect(mails).toHaveLength(1);
    const mail = mails[0];
    expect(mail?.from).toBe('keywarden@example.test');
    expect(mail?.to).toEqual(['ops@example.test', 'oncall@example.test']);
    expect(mail?.user).toBe('alerts');
    expect(mail?.data).toContain('Subject: [CRITICAL] Gateway sealed');
    expect(mail?.data).toContain('X-Keywarden-Rule: gateway.sealed');
    expect(mail?.data).toContain('gateway sealed by operator alice');
  });

  it('reports a rejected login without retrying and without the password', async () => {
    const errors: string[] = [];
    const before = mails.length;
    const monitor = createMonitorFromConfig(monitorConfigSchema.parse({ sinks: config() }), {
      clock: { now: () => T0 },
      env: { KW_SMTP_PASSWORD: 'wrong-password-9' },
      onDeliveryError: (_name, message) => errors.push(message),
    });
    monitor.observe(sys('audit_write_failed'));
    await monitor.close();
    expect(mails.length).toBe(before);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^mail: SMTP 535 \(EAUTH\) \(after 1 attempt\(s\)\)$/);
    expect(errors[0]).not.toContain('wrong-password-9');
  });
});
