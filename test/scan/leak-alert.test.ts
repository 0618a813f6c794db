/**
 * A scan that finds a key registered in the vault raises a critical `key.leaked` alert: it
 * reaches the configured sinks (a real HMAC-verifying webhook receiver here) and the audit log,
 * names the key, where it was found and the lockdown command, and never carries the secret.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhookSignature } from '../../src/monitor/index.js';
import { initWithSandboxKey, webhookConfig } from '../cli/cli-setup.js';
import { startReceiver } from '../monitor/receiver.js';

const MAIN = join(process.cwd(), 'dist/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'kw-leak-alert-'));
const dataDir = join(dir, 'data');
const HOOK_SECRET = randomBytes(24).toString('hex');
const env: NodeJS.ProcessEnv = {
  ...process.env,
  KEYWARDEN_DATA_DIR: dataDir,
  KEYWARDEN_MASTER_KEY: randomBytes(32).toString('base64'),
  KEYWARDEN_CONFIG: join(dir, 'keywarden.yaml'),
  KW_HOOK_SECRET: HOOK_SECRET,
};
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const alnum = (n: number) => Array.from(randomBytes(n), (b) => ALNUM[b % ALNUM.length]).join('');
const cli = (...args: string[]) => execFileSync(process.execPath, [MAIN, ...args], { env, encoding: 'utf8' });

/** Async (the receiver answers from this process); resolves with the exit code, which is 1 on findings. */
const scan = (...args: string[]) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [MAIN, 'scan', ...args], { env, encoding: 'utf8' }, (err, stdout, stderr) =>
      resolve({ code: err ? Number(err.code ?? 2) : 0, stdout, stderr }),
    );
  });

let receiver: Awaited<ReturnType<typeof startReceiver>>;
let credential: { apiKey: string; secret: string };

beforeAll(async () => {
  if (!existsSync(MAIN)) throw new Error('run npm run build first');
  receiver = await startReceiver();
  writeFileSync(env.KEYWARDEN_CONFIG as string, webhookConfig(`${receiver.url}/hook`));
  credential = initWithSandboxKey(MAIN, env, dataDir, 'bn-prod');
  mkdirSync(join(dir, 'repo'));
}, 60_000);

afterAll(async () => {
  await receiver?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('scan finding a registered key', () => {
  it('raises key.leaked (critical) at the sink and in the audit log, with the place and the lockdown command', async () => {
    writeFileSync(
      join(dir, 'repo', 'bot.env'),
      `# trading bot\nBINANCE_API_KEY=${credential.apiKey}\nBINANCE_API_SECRET=${credential.secret}\n`,
    );
    const res = await scan(join(dir, 'repo'));
    expect(res.code).toBe(1);
    expect(res.stdout).toContain('registered key bn-prod leaked');
    expect(receiver.received).toHaveLength(1);
    const [hit] = receiver.received;
    if (!hit) throw new Error('no alert');
    expect(verifyWebhookSignature(HOOK_SECRET, hit.headers, hit.body, Date.now(), 300).ok).toBe(true);
    const alert = JSON.parse(hit.body) as {
      rule: string;
      severity: string;
      keyLabel: string;
      message: string;
    };
    expect([alert.rule, alert.severity, alert.keyLabel]).toEqual(['key.leaked', 'critical', 'bn-prod']);
    expect(alert.message).toContain('bot.env:2');
    expect(alert.message).toContain('keywarden lockdown --key bn-prod');
    for (const text of [hit.body, res.stdout, res.stderr]) {
      expect(text).not.toContain(credential.secret);
      expect(text).not.toContain(credential.apiKey);
    }
    const audit = cli('audit', 'query', '--json');
    expect(audit).toContain('key.leaked');
    expect(audit).not.toContain(credential.secret);
    expect(cli('audit', 'verify')).toMatch(/ok|verified/i);
  });

  it('raises nothing for a key that is not registered', async () => {
    const before = receiver.received.length;
    writeFileSync(
      join(dir, 'repo', 'bot.env'),
      `BINANCE_API_KEY=${alnum(64)}\nBINANCE_API_SECRET=${alnum(64)}\n`,
    );
    const res = await scan(join(dir, 'repo'));
    expect(res.code).toBe(1);
    expect(res.stdout).not.toContain('registered key');
    await new Promise((r) => setTimeout(r, 200));
    expect(receiver.received).toHaveLength(before);
  });
});
