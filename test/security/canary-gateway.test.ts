/**
 * Canary: plant a distinctive exchange secret in the sandbox (and so in keywarden's key store),
 * drive allowed and denied traffic through the gateway in both modes, then look for the secret
 * (raw, hex, base64, base64url, at every alignment) in every response, log line, audit record,
 * audit export and database file. The issued client secrets are searched for in the database too.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toJsonl } from '../../src/audit/index.js';
import { type Harness, startHarness } from '../gateway/harness.js';

const CANARY = `KWCANARY${randomBytes(24).toString('hex')}`;

/** Every encoding of `secret` (and of its 1- and 2-byte-shifted tails, for base64 alignment). */
function needles(secret: string): string[] {
  const out = new Set<string>();
  const buf = Buffer.from(secret, 'utf8');
  out.add(secret);
  out.add(buf.toString('hex'));
  out.add(buf.toString('hex').toUpperCase());
  for (let shift = 0; shift < 3; shift++) {
    const part = buf.subarray(shift);
    // Drop the last (padding-dependent) characters so any alignment in a longer text matches.
    out.add(part.toString('base64').slice(0, -4));
    out.add(part.toString('base64url').slice(0, -4));
  }
  return [...out].filter((n) => n.length >= 16);
}

function findIn(haystack: string, secret: string): string | undefined {
  return needles(secret).find((n) => haystack.includes(n));
}

let h: Harness;
const captured: string[] = [];
const responses: string[] = [];
const clientSecrets: string[] = [];
let restore: () => void;

beforeAll(async () => {
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    captured.push(String(chunk));
    return out(chunk, ...rest);
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    captured.push(String(chunk));
    return err(chunk, ...rest);
  }) as typeof process.stderr.write;
  restore = () => {
    process.stdout.write = out;
    process.stderr.write = err;
  };
  h = await startHarness({
    exchanges: ['binance'],
    plantKeys: (keys) => {
      for (const k of keys) {
        if (k.exchange === 'binance' && k.name === 'full') {
          k.credential.secret = CANARY;
          k.verifySecret = CANARY;
        }
      }
    },
  });
});
afterAll(async () => {
  restore();
  await h.close();
});

describe('canary exchange secret', () => {
  it('never appears in responses, logs, audit records, exports or database files', async () => {
    // Drop-in traffic with an unmodified CCXT client: allowed, denied and malformed.
    const issued = await h.issue('binance', 'canary-bot');
    clientSecrets.push(issued.credential.secret, issued.token);
    const bot = await h.ccxt('binance', issued.credential);
    const keep = () =>
      responses.push(
        JSON.stringify(bot.last_http_response ?? ''),
        JSON.stringify(bot.last_response_headers ?? {}),
      );
    await bot.fetchBalance();
    keep();
    const order = await bot.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 59000);
    keep();
    await bot.cancelOrder(String(order.id), 'BTC/USDT');
    keep();
    await bot.withdraw('USDT', 10, 'TXYZsandboxaddress000000000000000').catch(() => undefined);
    keep();
    bot.secret = 'wrong-secret-wrong-secret-wrong-secret';
    await bot.fetchBalance().catch(() => undefined);
    keep();
    // Token mode, including an upstream error and a framework error.
    for (const [method, path, body] of [
      ['GET', '/binance/api/v3/account', undefined],
      ['POST', '/binance/api/v3/order', 'symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=-1&price=1'],
      ['GET', '/binance/api/v3/%2e%2e/x', undefined],
      ['POST', '/binance/api/v3/order', 'x'.repeat(100_000)],
    ] as const) {
      const r = await request(`${h.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${issued.token}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        ...(body !== undefined ? { body } : {}),
      });
      responses.push(JSON.stringify(r.headers), await r.body.text());
    }
    await h.audit.append({ kind: 'admin', action: 'flush' });

    const records = h.audit.records;
    expect(records.length).toBeGreaterThan(5);
    const haystacks: Array<[string, string]> = [
      ['responses', responses.join('\n')],
      ['log lines', captured.join('')],
      ['audit records', JSON.stringify(records)],
      ['audit export', toJsonl(records)],
    ];
    for (const f of readdirSync(h.store.dataDir)) {
      haystacks.push([`file ${f}`, readFileSync(join(h.store.dataDir, f)).toString('latin1')]);
    }
    // Positive control: the search does find the canary where it legitimately is.
    expect(findIn(`prefix ${Buffer.from(CANARY).toString('base64')} suffix`, CANARY)).toBeDefined();
    expect(findIn(JSON.stringify(h.sandbox.keys), CANARY)).toBeDefined();
    for (const [name, text] of haystacks) {
      expect(findIn(text, CANARY), `exchange secret in ${name}`).toBeUndefined();
      if (name.startsWith('file'))
        for (const s of clientSecrets) expect(findIn(text, s), `client secret in ${name}`).toBeUndefined();
    }
  });
});
