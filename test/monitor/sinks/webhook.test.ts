import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMonitorFromConfig } from '../../../src/monitor/monitor.js';
import { monitorConfigSchema } from '../../../src/monitor/monitor-config.js';
import {
  DELIVERY_HEADER,
  SIGNATURE_HEADER,
  signWebhook,
  TIMESTAMP_HEADER,
  verifyWebhookSignature,
} from '../../../src/monitor/sinks/webhook.js';
import { req, T0 } from '../fixtures.js';
import { startReceiver } from '../receiver.js';

const SECRET = 'whsec_0123456789abcdef';

describe('generic webhook sink, verified by a real receiver', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  /** The receiver's clock; tests move it to simulate a replay later on. */
  let receiverNow = Date.now();
  const verdicts: string[] = [];

  beforeAll(async () => {
    receiver = await startReceiver((r, res) => {
      const check = verifyWebhookSignature(SECRET, r.headers, r.body, receiverNow, 300);
      verdicts.push(check.ok ? 'ok' : check.error);
      res.writeHead(check.ok ? 200 : 400).end(check.ok ? 'ok' : check.error);
    });
  });
  afterAll(() => receiver.close());

  it('delivers a signed JSON alert the receiver accepts, and the receiver rejects a replay and a tampered body', async () => {
    const config = monitorConfigSchema.parse({
      sinks: [
        {
          type: 'webhook',
          name: 'hook',
          url: `${receiver.url}/hooks/kw`,
          secret: { env: 'KW_HOOK' },
          groupWaitMs: 0,
        },
      ],
    });
    const monitor = createMonitorFromConfig(config, { clock: { now: () => T0 }, env: { KW_HOOK: SECRET } });
    monitor.observe(req(T0, { decision: 'deny', code: 'ip_not_allowed', sourceIp: '203.0.113.9' }));
    await monitor.close();

    expect(verdicts).toEqual(['ok']);
    const original = receiver.received[0];
    if (!original) throw new Error('no delivery');
    expect(original.headers[SIGNATURE_HEADER]).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(original.headers[DELIVERY_HEADER]).toMatch(/^dlv_/);
    const payload = JSON.parse(original.body);
    expect(payload).toMatchObject({
      type: 'keywarden.alert',
      rule: 'request.ip_not_allowed',
      severity: 'critical',
      client: 'bot-a',
      count: 1,
      message: expect.stringContaining('203.0.113.9'),
    });

    const resend = (headers: Record<string, string>, body: string) =>
      fetch(`${receiver.url}/hooks/kw`, { method: 'POST', headers, body });
    const headers = {
      'content-type': 'application/json',
      [TIMESTAMP_HEADER]: String(original.headers[TIMESTAMP_HEADER]),
      [SIGNATURE_HEADER]: String(original.headers[SIGNATURE_HEADER]),
    };

    // Replayed ten minutes later: same bytes, same signature, stale timestamp.
    receiverNow += 600_000;
    const replay = await resend(headers, original.body);
    expect(replay.status).toBe(400);
    expect(await replay.text()).toBe('stale');

    // Tampered within the tolerance: signature no longer matches.
    receiverNow -= 600_000;
    const tampered = await resend(headers, original.body.replace('"critical"', '"info"'));
    expect(tampered.status).toBe(400);
    expect(await tampered.text()).toBe('bad_signature');

    // Positive control: the untouched message within the tolerance still verifies.
    const again = await resend(headers, original.body);
    expect(again.status).toBe(200);
  });

  it('verifyWebhookSignature rejects missing headers, forged timestamps and wrong secrets', () => {
    const now = Date.UTC(2026, 0, 1);
    const ts = Math.floor(now / 1000);
    const body = '{"a":1}';
    const good = { [TIMESTAMP_HEADER]: String(ts), [SIGNATURE_HEADER]: signWebhook(SECRET, ts, body) };
    expect(verifyWebhookSignature(SECRET, good, body, now, 300)).toEqual({ ok: true, value: ts });
    expect(verifyWebhookSignature(SECRET, {}, body, now, 300)).toEqual({
      ok: false,
      error: 'missing_headers',
    });
    expect(verifyWebhookSignature(SECRET, { ...good, [TIMESTAMP_HEADER]: '1e9' }, body, now, 300)).toEqual({
      ok: false,
      error: 'bad_timestamp',
    });
    // Moving the timestamp to look fresh breaks the signature, since it is signed too.
    expect(
      verifyWebhookSignature(SECRET, { ...good, [TIMESTAMP_HEADER]: String(ts + 1) }, body, now, 300),
    ).toEqual({
      ok: false,
      error: 'bad_signature',
    });
    expect(verifyWebhookSignature('another-secret-123', good, body, now, 300)).toEqual({
      ok: false,
      error: 'bad_signature',
    });
    // Rollover: a header with an old and the current signature verifies.
    const rolled = {
      ...good,
      [SIGNATURE_HEADER]: `${signWebhook('old-secret-000000', ts, body)},${good[SIGNATURE_HEADER]}`,
    };
    expect(verifyWebhookSignature(SECRET, rolled, Buffer.from(body), now, 300).ok).toBe(true);
  });
});
