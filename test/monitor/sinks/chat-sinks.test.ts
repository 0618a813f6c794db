import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMonitorFromConfig } from '../../../src/monitor/monitor.js';
import { monitorConfigSchema } from '../../../src/monitor/monitor-config.js';
import { req, T0 } from '../fixtures.js';
import { startReceiver } from '../receiver.js';

const fast = { groupWaitMs: 0, backoffBaseMs: 10, timeoutMs: 2000 };

describe('Discord, Slack and Telegram sinks against a real local HTTP receiver', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    receiver = await startReceiver((r, res) => {
      if (r.path.startsWith('/discord')) res.writeHead(204).end();
      else if (r.path.startsWith('/slack')) res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      else if (r.path.includes('/sendMessage'))
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end('{"ok":true,"result":{"message_id":1}}');
      else res.writeHead(404).end();
    });
  });
  afterAll(() => receiver.close());

  it('posts each alert in the platform shape, with secrets taken from the environment', async () => {
    const config = monitorConfigSchema.parse({
      sinks: [
        { type: 'discord', name: 'ops-discord', url: { env: 'KW_TEST_DISCORD_URL' }, ...fast },
        { type: 'slack', name: 'ops-slack', url: `${receiver.url}/slack/T000/B000/XXXX`, ...fast },
        {
          type: 'telegram',
          name: 'ops-telegram',
          botToken: { env: 'KW_TEST_TG_TOKEN' },
          chatId: -1001234,
          baseUrl: `${receiver.url}/tg`,
          ...fast,
        },
      ],
    });
    const monitor = createMonitorFromConfig(config, {
      clock: { now: () => T0 },
      env: { KW_TEST_DISCORD_URL: `${receiver.url}/discord/123/tok`, KW_TEST_TG_TOKEN: '123456:ABCdef' },
    });
    monitor.observe(
      req(T0, {
        action: 'withdraw',
        endpoint: 'POST /sapi/v1/capital/withdraw/apply',
        decision: 'deny',
        code: 'actions',
        client: '@everyone <!channel>',
      }),
    );
    await monitor.flush();
    await monitor.close();

    const discord = receiver.received.find((r) => r.path === '/discord/123/tok');
    const slack = receiver.received.find((r) => r.path === '/slack/T000/B000/XXXX');
    const telegram = receiver.received.find((r) => r.path === '/tg/bot123456:ABCdef/sendMessage');
    expect(discord?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(discord?.body ?? '')).toEqual({
      username: 'keywarden',
      allowed_mentions: { parse: [] },
      embeds: [
        {
          title: '[CRITICAL] Withdrawal attempt by @everyone <!channel>',
          description: expect.stringContaining('was denied (actions)'),
          color: 0xdc2626,
          timestamp: new Date(T0).toISOString(),
        },
      ],
    });

    const slackBody = JSON.parse(slack?.body ?? '');
    expect(slackBody.text).toBe('[CRITICAL] Withdrawal attempt by @everyone &lt;!channel&gt;');
    expect(slackBody.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: '[CRITICAL] Withdrawal attempt by @everyone <!channel>' },
    });
    expect(slackBody.blocks[1].type).toBe('section');
    expect(slackBody.blocks[1].text.type).toBe('mrkdwn');
    expect(slackBody.blocks[1].text.text).toContain('rule request.withdrawal_denied');
    expect(slackBody.blocks[1].text.text).not.toContain('<!channel>');

    const tg = JSON.parse(telegram?.body ?? '');
    expect(tg).toEqual({
      chat_id: -1001234,
      text: expect.stringMatching(/^\[CRITICAL\] Withdrawal attempt by .*\nwithdraw request binance POST/),
      disable_web_page_preview: true,
    });
  });

  it('skips alerts below the sink severity threshold', async () => {
    const before = receiver.received.length;
    const config = monitorConfigSchema.parse({
      sinks: [{ type: 'slack', name: 's', url: `${receiver.url}/slack/x`, minSeverity: 'critical', ...fast }],
    });
    const monitor = createMonitorFromConfig(config, { clock: { now: () => T0 } });
    monitor.observe(req(T0, { decision: 'deny', code: 'policy_denied' }));
    await monitor.close();
    expect(receiver.received.length).toBe(before);
  });

  it('reports a Telegram answer without ok:true as a failure', async () => {
    receiver.respondWith((_r, res) => res.writeHead(200).end('{"ok":false,"description":"chat not found"}'));
    const errors: string[] = [];
    const config = monitorConfigSchema.parse({
      sinks: [
        {
          type: 'telegram',
          name: 'tg',
          botToken: 'secret-token-1',
          chatId: '1',
          baseUrl: receiver.url,
          ...fast,
        },
      ],
    });
    const monitor = createMonitorFromConfig(config, {
      clock: { now: () => T0 },
      onDeliveryError: (name, message) => errors.push(`${name}|${message}`),
    });
    monitor.observe(req(T0, { decision: 'deny', code: 'ip_not_allowed' }));
    await monitor.close();
    expect(errors).toEqual(['tg|tg: Telegram answered without ok:true (after 1 attempt(s))']);
    expect(errors.join()).not.toContain('secret-token-1');
  });

  it('turns a storm of 100 identical denials into one message with the count', async () => {
    receiver.respondWith((_r, res) => res.writeHead(200).end('ok'));
    const config = monitorConfigSchema.parse({
      sinks: [{ type: 'slack', name: 'storm', url: `${receiver.url}/slack/storm`, groupWaitMs: 300 }],
    });
    const monitor = createMonitorFromConfig(config, { clock: { now: () => T0 } });
    for (let i = 0; i < 100; i++) monitor.observe(req(T0 + i, { decision: 'deny', code: 'rate_limited' }));
    await new Promise((r) => setTimeout(r, 500));
    const storm = receiver.received.filter((r) => r.path === '/slack/storm');
    expect(storm).toHaveLength(1);
    expect(JSON.parse(storm[0]?.body ?? '').text).toBe('[WARNING] Request denied for bot-a (×100)');
    await monitor.close();
    expect(receiver.received.filter((r) => r.path === '/slack/storm')).toHaveLength(1);
  });

  it('raises nothing when monitoring is disabled', async () => {
    const before = receiver.received.length;
    const config = monitorConfigSchema.parse({
      enabled: false,
      sinks: [{ type: 'slack', name: 'off', url: `${receiver.url}/slack/off`, ...fast }],
    });
    const alerts: unknown[] = [];
    const monitor = createMonitorFromConfig(config, {
      clock: { now: () => T0 },
      onAlert: (a) => alerts.push(a),
    });
    monitor.observe(req(T0, { decision: 'deny', code: 'ip_not_allowed' }));
    await monitor.close();
    expect(alerts).toEqual([]);
    expect(receiver.received.length).toBe(before);
  });
});
