/**
 * The incident report a lockdown writes, from real prior traffic through the gateway: it names
 * the denials with their rules, the withdrawal and transfer attempts, the source IPs and the
 * orders placed, gives the next steps, covers only the affected clients and the window asked
 * for, is written 0600 under <data dir>/incidents/, and holds no secret (canary).
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIncidentReport, mdCode, mdText } from '../../src/lockdown/index.js';
import type { Policy } from '../../src/policy/policy-types.js';
import { type Harness, startHarness } from '../gateway/harness.js';
import { type Answer, call, lockdownProcess, type SecondProcess } from './lockdown-helpers.js';

const CANARY_SECRET = `KWCANARY${randomBytes(24).toString('hex')}`;
const CANARY_KEY = `KWCANARYKEY${randomBytes(20).toString('hex')}`;
const FORM = 'application/x-www-form-urlencoded';
const POLICY: Policy = { mode: 'enforce', actions: ['public', 'read', 'trade', 'cancel'] };

let h: Harness;
let p: SecondProcess;
const secrets: string[] = [CANARY_SECRET, CANARY_KEY];
const publicIds: string[] = [];

beforeAll(async () => {
  h = await startHarness({
    exchanges: ['binance', 'okx'],
    // The tests' own address is a trusted proxy, so X-Forwarded-For sets the source IP.
    config: { server: { trustedProxies: ['127.0.0.1/32', '::1/128'] } },
    plantKeys: (keys) => {
      for (const k of keys)
        if (k.exchange === 'binance' && k.name === 'full') {
          k.credential.secret = CANARY_SECRET;
          k.credential.apiKey = CANARY_KEY;
          k.verifySecret = CANARY_SECRET;
        }
    },
  });
  p = await lockdownProcess(h);
  secrets.push(readFileSync(h.keyFiles.good, 'utf8').trim());
}, 60_000);
afterAll(async () => {
  await p.close();
  await h.close();
});

async function traffic(): Promise<void> {
  const a = await h.issue('binance', 'rep-a', { policy: POLICY, ratePerSecond: 0 });
  const b = await h.issue('binance', 'rep-b', { policy: POLICY, ipAllow: ['10.1.2.3'], ratePerSecond: 0 });
  const other = await h.issue('okx', 'rep-okx', { policy: POLICY, ratePerSecond: 0 });
  for (const c of [a, b, other]) {
    secrets.push(c.credential.secret, c.token);
    publicIds.push(c.credential.apiKey);
  }
  const from = (ip: string) => ({ 'x-forwarded-for': ip });
  const expectOk = (r: Answer) => expect(r.status, r.body).toBe(200);
  expectOk(await call(h, 'binance', a.token, undefined, from('198.51.100.7')));
  expectOk(
    await call(
      h,
      'binance',
      a.token,
      {
        method: 'POST',
        path: '/api/v3/order',
        body: 'symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price=50000',
        type: FORM,
      },
      from('198.51.100.7'),
    ),
  );
  const withdraw = await call(
    h,
    'binance',
    a.token,
    {
      method: 'POST',
      path: '/sapi/v1/capital/withdraw/apply',
      body: 'coin=USDT&address=TXYZsandboxaddress000000000000000&amount=10',
      type: FORM,
    },
    from('192.0.2.66'),
  );
  expect(withdraw.code).toBe('policy_denied');
  const transfer = await call(
    h,
    'binance',
    a.token,
    {
      method: 'POST',
      path: '/sapi/v1/asset/transfer',
      body: 'type=MAIN_UMFUTURE&asset=USDT&amount=5',
      type: FORM,
    },
    from('192.0.2.66'),
  );
  expect(transfer.code).toBe('policy_denied');
  const foreign = await call(h, 'binance', b.token, undefined, from('203.0.113.50'));
  expect(foreign.code).toBe('ip_not_allowed');
  // Traffic of a client outside the lockdown must stay out of its report.
  expectOk(await call(h, 'okx', other.token, undefined, from('198.51.100.99')));
}

describe('incident report', () => {
  let report = '';
  let path = '';

  it('is written for the lockdown, 0600, under incidents/', async () => {
    await traffic();
    const { lockdown } = await p.service.lockdown({
      scope: { kind: 'key', ref: 'binance-main' },
      reason: 'withdrawal attempts from an unknown host',
      cancelOrders: true,
    });
    path = lockdown.reportPath ?? '';
    expect(path).toMatch(new RegExp(`/incidents/\\d{8}T\\d{6}Z-${lockdown.id}\\.md$`));
    expect(readdirSync(join(h.store.dataDir, 'incidents'))).toHaveLength(1);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(h.store.dataDir, 'incidents')).mode & 0o077).toBe(0);
    report = readFileSync(path, 'utf8');
  });

  it('names the denials and their rules, the withdrawal and transfer attempts, IPs and orders', () => {
    expect(report).toMatch(/^# Incident report: lockdown `ld_/);
    expect(report).toContain('withdrawal attempts from an unknown host');
    for (const name of ['`rep-a`', '`rep-b`']) expect(report).toContain(name);
    // Denials by rule: the policy rule for both money movements, the IP allow-list for rep-b.
    expect(report).toMatch(/\| `actions` \| 2 \| `rep-a` \|/);
    expect(report).toMatch(/\| `ip_not_allowed` \| 1 \| `rep-b` \|/);
    // Withdrawal and transfer attempts, with endpoint, decision and source IP.
    const moves = report.slice(
      report.indexOf('## Withdrawal and transfer attempts'),
      report.indexOf('## Source IPs'),
    );
    expect(moves).toContain('2 attempt(s)');
    expect(moves).toMatch(
      /`withdraw` \| `POST \/sapi\/v1\/capital\/withdraw\/apply` \| deny \| `actions` \| `192\.0\.2\.66`/,
    );
    expect(moves).toMatch(/`transfer` \| `POST \/sapi\/v1\/asset\/transfer` \| deny/);
    // Every source IP seen, with its counts.
    const ips = report.slice(report.indexOf('## Source IPs seen'), report.indexOf('## Orders placed'));
    expect(ips).toMatch(/\| `198\.51\.100\.7` \| 2 \| 0 \| `rep-a` \|/);
    expect(ips).toMatch(/\| `192\.0\.2\.66` \| 2 \| 2 \| `rep-a` \|/);
    expect(ips).toMatch(/\| `203\.0\.113\.50` \| 1 \| 1 \| `rep-b` \|/);
    // The order, with the exchange's answer.
    const orders = report.slice(report.indexOf('## Orders placed'));
    expect(orders).toMatch(/\| `rep-a` \| `BTC\/USDT` \| buy \| 1 \| 500\.00 \|/);
    expect(orders).toMatch(/`POST \/api\/v3\/order` .* HTTP 200 \|/);
    // The open order was cancelled by the lockdown.
    expect(report).toMatch(/## Open orders cancelled[\s\S]*\| `binance-main` \| binance \| 1 \| 0 \|/);
    expect(report).toContain(
      '3 denial(s), 2 withdrawal or transfer attempt(s), 3 source IP(s), 1 order request(s)',
    );
    // Admin actions include the lockdown's own freezes.
    expect(report).toMatch(/\| `client\.freeze` \| `rep-a` \| `cli:test` \|/);
  });

  it('gives the next steps: revoke on the exchange, rotate, review, re-roll, unlock', () => {
    const next = report.slice(report.indexOf('## Next steps'));
    expect(next).toContain('Binance → Account → API Management');
    expect(next).toContain('`keywarden key rotate binance-main`');
    expect(next).toMatch(/`keywarden audit query --client cl_\w+ --since 24h`/);
    expect(next).toContain('`keywarden client reroll rep-a`');
    expect(next).toContain("`keywarden unlock --key binance-main --reason '<what was found and fixed>'`");
  });

  it('covers only the affected clients', () => {
    expect(report).not.toContain('rep-okx');
    expect(report).not.toContain('198.51.100.99');
  });

  it('holds no secret, token or client key id (canary)', () => {
    for (const s of secrets) expect(report.includes(s), 'a secret is in the report').toBe(false);
    for (const id of publicIds) expect(report.includes(id)).toBe(false);
    // Positive control: the same search finds what is in it.
    expect(report.includes('binance-main')).toBe(true);
  });

  it('covers only the window asked for', async () => {
    const [l] = await p.service.list();
    if (!l) throw new Error('no lockdown');
    const later = await buildIncidentReport(h.store, {
      lockdown: l,
      keyLabels: new Map([[l.clients[0]?.keyId ?? '', 'binance-main']]),
      hours: 1,
      now: Date.now() + 2 * 3_600_000,
    });
    expect(later).toContain('0 request(s) from the affected clients in the window');
    expect(later).toContain('last 1 h');
  });
});

describe('escaping of audit text', () => {
  it('neutralises Markdown and HTML from requests', () => {
    const text = mdText('<img src=x onerror=alert(1)> | [link](http://evil) `code`\n# heading');
    expect(text).not.toMatch(/[<>\n]/);
    expect(text).not.toMatch(/(^|[^\\])[|[\]`#]/);
    expect(mdCode('a|b`c\nd')).toBe("`a\\|b'c d`");
  });
});
