/**
 * An operator's `client freeze` / `client revoke` is an alert: it reaches the configured sinks
 * (a real HMAC-verifying webhook receiver here) and the audit log, and `unfreeze` raises none.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhookSignature } from '../../src/monitor/index.js';
import { startReceiver } from '../monitor/receiver.js';
import { initWithSandboxKey, webhookConfig } from './cli-setup.js';

const MAIN = join(process.cwd(), 'dist/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'kw-client-alerts-'));
const HOOK_SECRET = randomBytes(24).toString('hex');
const env: NodeJS.ProcessEnv = {
  ...process.env,
  KEYWARDEN_DATA_DIR: dir,
  KEYWARDEN_MASTER_KEY: randomBytes(32).toString('base64'),
  KEYWARDEN_CONFIG: join(dir, 'keywarden.yaml'),
  KW_HOOK_SECRET: HOOK_SECRET,
};
const cli = (...args: string[]) => execFileSync(process.execPath, [MAIN, ...args], { env, encoding: 'utf8' });

/** Async: the webhook receiver lives in this process and must keep answering meanwhile. */
const cliAsync = async (...args: string[]) =>
  (await promisify(execFile)(process.execPath, [MAIN, ...args], { env, encoding: 'utf8' })).stdout;

let receiver: Awaited<ReturnType<typeof startReceiver>>;

function alertsReceived(): Array<{ rule: string; client: string | null; severity: string }> {
  return receiver.received.map((r) => {
    expect(verifyWebhookSignature(HOOK_SECRET, r.headers, r.body, Date.now(), 300).ok).toBe(true);
    return JSON.parse(r.body) as { rule: string; client: string | null; severity: string };
  });
}

beforeAll(async () => {
  if (!existsSync(MAIN)) throw new Error('run npm run build first');
  receiver = await startReceiver();
  writeFileSync(env.KEYWARDEN_CONFIG as string, webhookConfig(`${receiver.url}/hook`));
  initWithSandboxKey(MAIN, env, dir, 'bn');
  cli('client', 'add', '--key', 'bn', '--name', 'bot-a', '--json');
  cli('client', 'add', '--key', 'bn', '--name', 'bot-b', '--json');
}, 60_000);

afterAll(async () => {
  await receiver?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('client freeze and revoke from the CLI', () => {
  it('freeze raises client.frozen at the sink and in the audit log; unfreeze raises nothing', async () => {
    expect(await cliAsync('client', 'freeze', 'bot-a')).toContain('frozen');
    expect(alertsReceived().map((a) => [a.rule, a.client])).toEqual([['client.frozen', 'bot-a']]);
    await cliAsync('client', 'unfreeze', 'bot-a');
    expect(receiver.received).toHaveLength(1);
    const audit = cli('audit', 'query', '--json');
    expect(audit).toContain('client.frozen');
  });

  it('set-ip and set-policy raise client.changed, naming the new allow-list and policy', async () => {
    const before = receiver.received.length;
    await cliAsync('client', 'set-ip', 'bot-a', '10.1.2.0/24');
    const policy = join(dir, 'loose.yaml');
    writeFileSync(policy, 'mode: enforce\nactions: [public, read, trade, withdraw]\n');
    await cliAsync('client', 'set-policy', 'bot-a', '--policy', policy);
    const changed = alertsReceived()
      .slice(before)
      .map((a) => a as { rule: string; client: string | null; severity: string; message?: string });
    expect(changed.map((a) => [a.rule, a.client, a.severity])).toEqual([
      ['client.changed', 'bot-a', 'warning'],
      ['client.changed', 'bot-a', 'warning'],
    ]);
    expect(changed[0]?.message).toContain('10.1.2.0/24');
    expect(changed[1]?.message).toContain('withdraw');
    expect(cli('audit', 'query', '--json')).toContain('client.changed');
  });

  it('revoke raises client.revoked', async () => {
    await cliAsync('client', 'revoke', 'bot-b');
    expect(alertsReceived().map((a) => a.rule)).toContain('client.revoked');
    expect(cli('audit', 'verify')).toMatch(/ok|verified/i);
  });
});
