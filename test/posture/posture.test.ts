import { describe, expect, it } from 'vitest';
import type { ThirdParty } from '../../src/clients/index.js';
import { shellArg } from '../../src/core/index.js';
import { adapterFor } from '../../src/exchanges/index.js';
import type { CheckId, CheckItem, PostureInput, PostureReport } from '../../src/posture/index.js';
import { buildPostureReport, CHECK_IDS, scoreOf } from '../../src/posture/index.js';
import { check, client, DAY, exchanges, input, introspection, key, NOW } from './posture-fixtures.js';

/** A vendor's read-only integration that passes its whole checklist in the default input. */
const VENDOR: ThirdParty = {
  vendor: 'Koinly',
  purpose: 'portfolio',
  contact: 'security@vendor.example',
  reviewBy: '2025-09-01',
  vendorIps: ['203.0.113.10/32'],
};

/** Every check of a report, keys first, then clients, then the gateway. */
function allChecks(report: PostureReport): CheckItem[] {
  return [
    ...report.keys.flatMap((k) => k.checks),
    ...report.clients.flatMap((c) => c.checks),
    ...report.gateway.checks,
    ...(report.repository?.checks ?? []),
  ];
}

function find(report: PostureReport, id: CheckId, subject?: string): CheckItem {
  const pools = [
    ...report.keys.map((k) => ({ name: k.label, checks: k.checks })),
    ...report.clients.map((c) => ({ name: c.name, checks: c.checks })),
    { name: 'gateway', checks: report.gateway.checks },
  ];
  for (const p of pools) {
    if (subject !== undefined && p.name !== subject) continue;
    const hit = p.checks.find((c) => c.id === id);
    if (hit) return hit;
  }
  throw new Error(`no ${id} for ${subject ?? 'any'}`);
}

describe('posture: a healthy setup', () => {
  it('passes every applicable check and scores 100', () => {
    const report = buildPostureReport(input());
    const statuses = allChecks(report).map((c) => `${c.id}:${c.status}`);
    expect(statuses).toEqual([
      'key.withdraw_disabled:pass',
      'key.transfer_disabled:pass',
      'key.ip_restricted:pass',
      'key.rotation:pass',
      'key.single_environment:pass',
      'key.unique:pass',
      'client.ip_allowlist:pass',
      'client.policy_no_withdraw:pass',
      'client.policy_enforced:pass',
      'client.credential_age:pass',
      'gateway.tls:pass',
      'monitor.sinks:pass',
      'admin.mfa:not_applicable',
      'audit.key_pinned:pass',
    ]);
    expect(report.score).toBe(100);
    expect(report.counts).toEqual({ pass: 13, fail: 0, unknown: 0, notApplicable: 1 });
    for (const c of allChecks(report)) expect(c.fix).toBeUndefined();
  });

  it('only uses check ids from the published list, and uses every one of them', () => {
    const plain = buildPostureReport(input());
    for (const c of allChecks(plain)) expect(CHECK_IDS).toContain(c.id);
    // With a third-party client and a repository, every published id appears.
    const report = buildPostureReport(
      input({
        clients: [client({ thirdParty: VENDOR })],
        repository: { root: '/repo', findings: [] },
      }),
    );
    expect(new Set(allChecks(report).map((c) => c.id))).toEqual(new Set(CHECK_IDS));
  });
});

describe('posture: least privilege (latest verification)', () => {
  it('fails a key that can withdraw, naming the exchange setting and the re-verify command', () => {
    const k = key({ label: 'full' });
    const report = buildPostureReport(
      input({ keys: [k], checks: new Map([[k.id, check(k, introspection({ canWithdraw: true }))]]) }),
    );
    const c = find(report, 'key.withdraw_disabled');
    expect(c).toMatchObject({ status: 'fail', severity: 'critical', weight: 10 });
    expect(c.evidence).toContain('withdrawals ENABLED on Binance');
    expect(c.fix?.action).toContain(
      'Binance → API Management → Edit restrictions → uncheck "Enable Withdrawals"',
    );
    expect(c.fix?.commands).toEqual(['keywarden key verify full']);
    expect(c.fix?.alternative?.commands).toEqual([
      'keywarden key rotate full --stdin',
      'keywarden key verify full',
    ]);
  });

  it('fails a key that can transfer, with the transfer setting', () => {
    const k = key({ exchange: 'bybit' });
    const report = buildPostureReport(
      input({ keys: [k], checks: new Map([[k.id, check(k, introspection({ canTransfer: true }))]]) }),
    );
    const c = find(report, 'key.transfer_disabled');
    expect(c).toMatchObject({ status: 'fail', severity: 'high' });
    expect(c.fix?.action).toContain('untick "Account Transfer" and "Subaccount Transfer"');
    expect(find(report, 'key.withdraw_disabled').status).toBe('pass');
  });

  it('tells to rotate where the exchange cannot edit a key’s permissions (Coinbase)', () => {
    const k = key({ exchange: 'coinbase', label: 'cb' });
    const report = buildPostureReport(
      input({
        keys: [k],
        clients: [],
        checks: new Map([[k.id, check(k, introspection({ canWithdraw: true, canTransfer: true }))]]),
      }),
    );
    const c = find(report, 'key.withdraw_disabled');
    expect(c.fix?.commands).toEqual(['keywarden key rotate cb --stdin', 'keywarden key verify cb']);
    expect(c.fix?.alternative).toBeUndefined();
  });

  it('is unknown, with `key verify`, when the key was never verified', () => {
    const report = buildPostureReport(input({ checks: new Map() }));
    for (const id of ['key.withdraw_disabled', 'key.transfer_disabled', 'key.ip_restricted'] as const) {
      const c = find(report, id);
      expect(c.status).toBe('unknown');
      expect(c.evidence).toBe('never verified against the exchange');
      expect(c.fix?.commands).toEqual(['keywarden key verify bot-key']);
    }
  });

  it('is unknown when the last verification predates a rotation', () => {
    const k = key({ version: 2, rotatedAt: NOW - DAY });
    const old = { ...check(k), keyVersion: 1 };
    const c = find(
      buildPostureReport(input({ keys: [k], checks: new Map([[k.id, old]]) })),
      'key.withdraw_disabled',
    );
    expect(c.status).toBe('unknown');
    expect(c.evidence).toContain('key version 1; the key is now version 2');
  });

  it('is unknown when the exchange did not report permissions, quoting its reason', () => {
    const k = key();
    const c = find(
      buildPostureReport(
        input({
          checks: new Map([[k.id, check(k, { available: false, reason: 'binance did not answer' })]]),
        }),
      ),
      'key.withdraw_disabled',
    );
    expect(c.status).toBe('unknown');
    expect(c.evidence).toContain('binance did not answer');
    expect(c.fix?.action).toContain('confirm by hand: Binance → API Management');
  });
});

describe('posture: exchange-side IP restriction', () => {
  it('fails an unrestricted key and names the setting and the egress IP when known', () => {
    const k = key({ exchange: 'okx' });
    const report = buildPostureReport(
      input({
        keys: [k],
        checks: new Map([[k.id, check(k, introspection({ ipRestricted: false, ipList: [] }))]]),
        egressIp: '198.51.100.99',
      }),
    );
    const c = find(report, 'key.ip_restricted');
    expect(c.status).toBe('fail');
    expect(c.fix?.action).toBe(
      'OKX → Profile → API → Edit → IP address → add 198.51.100.99; then verify again',
    );
    expect(c.fix?.commands).toEqual(['keywarden key verify bot-key']);
  });

  it('passes a restricted key with its list as evidence', () => {
    expect(find(buildPostureReport(input()), 'key.ip_restricted').evidence).toContain(
      'restricted to 198.51.100.7',
    );
  });

  it('is unknown for Coinbase, which does not report a key’s allow-list', () => {
    const k = key({ exchange: 'coinbase' });
    const c = find(
      buildPostureReport(
        input({ keys: [k], checks: new Map([[k.id, check(k, introspection({ ipRestricted: false }))]]) }),
      ),
      'key.ip_restricted',
    );
    expect(c.status).toBe('unknown');
    expect(c.fix?.action).toContain('IP allowlist');
  });

  it("quotes each exchange's own console text (from its adapter) in the fixes", () => {
    for (const e of exchanges) {
      const site = adapterFor(e).console;
      const k = key({ exchange: e, label: `${e}-key` });
      const intro = introspection({ canWithdraw: true, canTransfer: true, ipRestricted: false });
      const report = buildPostureReport(input({ keys: [k], checks: new Map([[k.id, check(k, intro)]]) }));
      expect(find(report, 'key.withdraw_disabled').fix?.action).toContain(site.disableWithdrawals);
      expect(find(report, 'key.transfer_disabled').fix?.action).toContain(site.disableTransfers);
      expect(find(report, 'key.ip_restricted').fix?.action).toContain(`${site.restrictIp} → add`);
      expect(find(report, 'key.withdraw_disabled').evidence).toContain(`ENABLED on ${site.name}`);
    }
  });
});

describe('posture: rotation age', () => {
  it('fails an overdue prod key with the rotate command', () => {
    const k = key({ label: 'old', createdAt: NOW - 120 * DAY });
    const c = find(
      buildPostureReport(input({ keys: [k], checks: new Map([[k.id, check(k)]]) })),
      'key.rotation',
    );
    expect(c.status).toBe('fail');
    expect(c.evidence).toContain('OVERDUE since 2025-05-02 (registered 2025-02-01');
    expect(c.evidence).toContain('120 days old, policy 90 days');
    expect(c.fix?.commands).toEqual(['keywarden key rotate old --stdin']);
  });

  it('counts from the last rotation, passes a key due soon with the due date', () => {
    const k = key({ createdAt: NOW - 400 * DAY, rotatedAt: NOW - 80 * DAY });
    const c = find(
      buildPostureReport(input({ keys: [k], checks: new Map([[k.id, check(k)]]) })),
      'key.rotation',
    );
    expect(c.status).toBe('pass');
    expect(c.evidence).toContain('rotated 2025-03-13, 80 days old');
    expect(c.evidence).toContain('(in 10 days)');
  });

  it('is not applicable without a policy for the environment', () => {
    const k = key({ environment: 'dev', createdAt: NOW - 1000 * DAY });
    const report = buildPostureReport(
      input({ keys: [k], clients: [client({ environment: 'dev' })], checks: new Map([[k.id, check(k)]]) }),
    );
    const c = find(report, 'key.rotation');
    expect(c).toMatchObject({ status: 'not_applicable', weight: 0 });
    expect(c.evidence).toContain('lifecycle.rotationDays.dev');
  });

  it('follows the configured policy', () => {
    const k = key({ environment: 'test', createdAt: NOW - 40 * DAY });
    const report = buildPostureReport(
      input({
        keys: [k],
        clients: [client({ environment: 'test' })],
        checks: new Map([[k.id, check(k)]]),
        rotation: { prod: 90, test: 30, dev: null },
      }),
    );
    expect(find(report, 'key.rotation').status).toBe('fail');
  });
});

describe('posture: sharing across environments and registrations', () => {
  it('fails a key whose clients span environments, with commands that split it', () => {
    const report = buildPostureReport(
      input({ clients: [client(), client({ name: 'qa-bot', environment: 'test' })] }),
    );
    const c = find(report, 'key.single_environment');
    expect(c.status).toBe('fail');
    expect(c.evidence).toBe('prod key used by qa-bot (test)');
    expect(c.fix?.commands).toEqual([
      'keywarden key add binance --label bot-key-test --env test --stdin',
      'keywarden client add --key bot-key-test --name qa-bot-test --env test',
      'keywarden client revoke qa-bot',
    ]);
  });

  it('ignores revoked clients', () => {
    const report = buildPostureReport(
      input({ clients: [client(), client({ name: 'old', environment: 'test', status: 'revoked' })] }),
    );
    expect(find(report, 'key.single_environment').status).toBe('pass');
    expect(report.clients.map((c) => c.name)).toEqual(['bot-1']);
  });

  it('fails an exchange key registered twice and retires the newer registration from both sides', () => {
    const a = key({ label: 'a', fingerprint: 'same', createdAt: NOW - 20 * DAY });
    const b = key({ label: 'b', fingerprint: 'same', environment: 'test', createdAt: NOW - 2 * DAY });
    const report = buildPostureReport(
      input({
        keys: [a, b],
        checks: new Map([
          [a.id, check(a)],
          [b.id, check(b)],
        ]),
      }),
    );
    expect(find(report, 'key.unique', 'a').evidence).toContain('also registered as b (test)');
    expect(find(report, 'key.unique', 'a').fix?.commands).toEqual(['keywarden key retire b']);
    expect(find(report, 'key.unique', 'b').fix?.commands).toEqual(['keywarden key retire b']);
  });
});

describe('posture: clients', () => {
  it('fails a client without an allow-list (or a catch-all one)', () => {
    for (const ipAllow of [[], ['0.0.0.0/0']]) {
      const c = find(buildPostureReport(input({ clients: [client({ ipAllow })] })), 'client.ip_allowlist');
      expect(c.status).toBe('fail');
      // One command, in place: the gateway applies it on the client's next request.
      expect(c.fix?.commands).toEqual(['keywarden client set-ip bot-1 <bot-ip>/32']);
    }
  });

  it('fails a policy that allows withdraw or transfer, and one in monitor mode', () => {
    const report = buildPostureReport(
      input({
        clients: [
          client({
            policy: {
              mode: 'monitor',
              actions: ['read', 'withdraw'],
              withdrawals: { addresses: ['addr1'] },
            },
          }),
        ],
      }),
    );
    const w = find(report, 'client.policy_no_withdraw');
    expect(w).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(w.evidence).toBe('policy allows withdraw (to 1 allow-listed address, no daily cap)');
    expect(w.fix?.commands).toEqual(['keywarden client set-policy bot-1 --default']);
    const enforced = find(report, 'client.policy_enforced');
    expect(enforced.status).toBe('fail');
    expect(enforced.fix?.commands).toEqual(['keywarden client set-policy bot-1 --default']);
  });

  it('fails a credential older than the environment’s rotation policy, counting from its newest issue', () => {
    const old = client({ createdAt: NOW - 200 * DAY });
    const stale = find(buildPostureReport(input({ clients: [old] })), 'client.credential_age');
    expect(stale.status).toBe('fail');
    expect(stale.fix?.commands).toEqual(['keywarden client reroll bot-1 --grace 1h']);
    const rerolled = find(
      buildPostureReport(input({ clients: [old], credentialIssuedAt: new Map([[old.id, NOW - DAY]]) })),
      'client.credential_age',
    );
    expect(rerolled.status).toBe('pass');
  });
});

describe('posture: gateway', () => {
  it('requires TLS on a non-loopback listener only', () => {
    const on = (listen: string, tls: boolean) =>
      find(buildPostureReport(input({ gateway: { listen, tls } })), 'gateway.tls').status;
    expect(on('127.0.0.1:8787', false)).toBe('pass');
    expect(on('[::1]:8787', false)).toBe('pass');
    expect(on('0.0.0.0:8787', false)).toBe('fail');
    expect(on('10.0.0.5:8787', false)).toBe('fail');
    expect(on('0.0.0.0:8787', true)).toBe('pass');
    expect(on('nonsense', false)).toBe('unknown');
    const fail = find(
      buildPostureReport(input({ gateway: { listen: '0.0.0.0:8787', tls: false } })),
      'gateway.tls',
    );
    expect(fail.fix?.action).toContain('server.tls.cert and server.tls.key');
  });

  it('fails without alert sinks or with monitoring off', () => {
    const none = find(buildPostureReport(input({ monitor: { enabled: true, sinks: [] } })), 'monitor.sinks');
    expect(none.status).toBe('fail');
    expect(none.fix?.commands).toEqual(['keywarden alerts test']);
    const withConfig = buildPostureReport(
      input({ monitor: { enabled: true, sinks: [] }, configPath: '/etc/kw/my config.yaml' }),
    );
    expect(find(withConfig, 'monitor.sinks').fix?.commands).toEqual([
      "keywarden alerts test --config '/etc/kw/my config.yaml'",
    ]);
    const off = find(
      buildPostureReport(
        input({ monitor: { enabled: false, sinks: [{ name: 'a', type: 'slack', minSeverity: 'info' }] } }),
      ),
      'monitor.sinks',
    );
    expect(off.evidence).toContain('monitor.enabled: false');
  });

  it('reports admin MFA honestly: not applicable without operators, failing when one lacks it', () => {
    expect(find(buildPostureReport(input()), 'admin.mfa')).toMatchObject({
      status: 'not_applicable',
      weight: 0,
    });
    expect(find(buildPostureReport(input({ operators: { total: 3, withMfa: 2 } })), 'admin.mfa').status).toBe(
      'fail',
    );
    expect(find(buildPostureReport(input({ operators: { total: 2, withMfa: 2 } })), 'admin.mfa').status).toBe(
      'pass',
    );
  });

  it('warns while no audit checkpoint key is pinned outside the store, with the fix', () => {
    const unpinned = find(
      buildPostureReport(input({ audit: { fingerprintPinned: false }, configPath: 'kw.yaml' })),
      'audit.key_pinned',
    );
    expect(unpinned).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(unpinned.evidence).toContain('re-signed with another key passes audit verify');
    expect(unpinned.fix?.action).toContain('audit.checkpointKeyFingerprint');
    expect(unpinned.fix?.commands).toEqual(['keywarden audit verify --config kw.yaml']);
    // Positive control: pinned, and the anchor file named in the evidence.
    const pinned = find(
      buildPostureReport(
        input({ audit: { fingerprintPinned: true, anchorFile: '/var/log/kw/anchor.jsonl' } }),
      ),
      'audit.key_pinned',
    );
    expect(pinned).toMatchObject({ status: 'pass' });
    expect(pinned.evidence).toContain('/var/log/kw/anchor.jsonl');
    expect(pinned.fix).toBeUndefined();
  });
});

describe('posture: score', () => {
  const it_ = (status: CheckItem['status'], weight: number): CheckItem => ({
    id: 'key.rotation',
    title: '',
    status,
    severity: 'high',
    weight,
    evidence: '',
  });

  it('weights items; unknown earns half, not-applicable nothing', () => {
    expect(scoreOf([])).toBe(100);
    expect(scoreOf([it_('pass', 10), it_('fail', 10)])).toBe(50);
    expect(scoreOf([it_('pass', 6), it_('unknown', 6)])).toBe(75);
    expect(scoreOf([it_('pass', 6), it_('not_applicable', 0)])).toBe(100);
    expect(scoreOf([it_('fail', 10), it_('pass', 1)])).toBe(9);
  });

  it('scores each key over its own checks and its clients’, and the whole report over everything', () => {
    const good = key({ label: 'good' });
    const bad = key({ label: 'bad', fingerprint: 'fp2' });
    const report = buildPostureReport(
      input({
        keys: [good, bad],
        clients: [client({ keyId: good.id }), client({ name: 'b2', keyId: bad.id, ipAllow: [] })],
        checks: new Map([
          [good.id, check(good)],
          [bad.id, check(bad, introspection({ canWithdraw: true }))],
        ]),
      }),
    );
    const byLabel = Object.fromEntries(report.keys.map((k) => [k.label, k.score]));
    expect(byLabel.good).toBe(100);
    expect(byLabel.bad).toBeLessThan(100);
    expect(report.clients.find((c) => c.name === 'b2')?.score).toBeLessThan(100);
    expect(report.score).toBeGreaterThan(byLabel.bad ?? 0);
    expect(report.score).toBeLessThan(100);
  });

  it('is deterministic and sorted (stable JSON)', () => {
    const a = key({ label: 'zeta' });
    const b = key({ label: 'alpha', fingerprint: 'x' });
    const one = buildPostureReport(input({ keys: [a, b], checks: new Map() }));
    const two = buildPostureReport(input({ keys: [b, a], checks: new Map() }));
    expect(JSON.stringify(one)).toBe(JSON.stringify(two));
    expect(one.keys.map((k) => k.label)).toEqual(['alpha', 'zeta']);
    expect(one.generatedAt).toBe('2025-06-01T12:00:00.000Z');
  });
});

describe('posture: fix commands', () => {
  it('quote labels for the shell and carry the data dir the report ran with', () => {
    expect(shellArg('plain-label_1.x')).toBe('plain-label_1.x');
    expect(shellArg("it's <b>")).toBe(`'it'\\''s <b>'`);
    const k = key({ label: 'my key; rm -rf /' });
    const report = buildPostureReport(
      input({ keys: [k], clients: [], checks: new Map(), cli: "keywarden --data-dir '/tmp/a b'" }),
    );
    expect(find(report, 'key.withdraw_disabled').fix?.commands).toEqual([
      "keywarden --data-dir '/tmp/a b' key verify 'my key; rm -rf /'",
    ]);
  });
});

describe('posture: third-party integrations', () => {
  const tp = (over: Partial<ThirdParty> = {}, c: Parameters<typeof client>[0] = {}) =>
    client({
      name: 'koinly',
      policy: { mode: 'enforce', actions: ['public', 'read'] },
      thirdParty: { ...VENDOR, ...over },
      ...c,
    });
  /** The item `id` of the report over the default input with these overrides. */
  const judge = (id: CheckId, over: Partial<PostureInput>) => find(buildPostureReport(input(over)), id);
  const items = (report: PostureReport) =>
    (report.clients.find((c) => c.name === 'koinly')?.checks ?? []).filter((c) =>
      c.id.startsWith('client.third_party'),
    );

  it('passes a read-only vendor client on its own key, pinned to the published addresses, review ahead', () => {
    const report = buildPostureReport(input({ clients: [tp()] }));
    expect(items(report).map((c) => `${c.id}:${c.status}`)).toEqual([
      'client.third_party_least_privilege:pass',
      'client.third_party_vendor_ips:pass',
      'client.third_party_review:pass',
      'client.third_party_no_withdraw:pass',
      'client.third_party_own_credential:pass',
    ]);
    expect(report.clients[0]?.thirdParty).toEqual({
      vendor: 'Koinly',
      purpose: 'portfolio',
      reviewBy: '2025-09-01',
    });
    // Our own bots get no third-party items.
    expect(items(buildPostureReport(input({ clients: [client({ name: 'koinly' })] })))).toEqual([]);
  });

  it('fails trade rights for a portfolio tool, with a policy file that allows only what it needs', () => {
    const report = buildPostureReport(
      input({ clients: [tp({}, { policy: { mode: 'enforce', actions: ['public', 'read', 'trade'] } })] }),
    );
    const c = find(report, 'client.third_party_least_privilege', 'koinly');
    expect(c.status).toBe('fail');
    expect(c.evidence).toBe('policy allows trade beyond what portfolio needs (public, read)');
    expect(c.fix?.commands).toEqual([
      "printf '%s\\n' 'mode: enforce' 'actions: [public, read]' > koinly-policy.yaml",
      'keywarden policy check koinly-policy.yaml',
      'keywarden client set-policy koinly --policy koinly-policy.yaml',
    ]);
    expect(judge('client.third_party_least_privilege', { clients: [tp({ purpose: 'other' })] }).status).toBe(
      'unknown',
    );
  });

  it("fails addresses outside the vendor's published ones, and an open client; unknown when none are recorded", () => {
    const outside = judge('client.third_party_vendor_ips', {
      clients: [tp({}, { ipAllow: ['198.51.100.1/32'] })],
    });
    expect(outside.status).toBe('fail');
    expect(outside.fix?.commands).toEqual(['keywarden client set-ip koinly 203.0.113.10/32']);
    expect(judge('client.third_party_vendor_ips', { clients: [tp({}, { ipAllow: [] })] }).status).toBe(
      'fail',
    );
    const none = judge('client.third_party_vendor_ips', { clients: [tp({ vendorIps: undefined })] });
    expect(none.status).toBe('unknown');
  });

  it('fails a passed review date (the day itself still counts), with the command to set the next one', () => {
    const on = judge('client.third_party_review', { clients: [tp({ reviewBy: '2025-06-01' })] });
    expect(on.status).toBe('pass');
    const late = judge('client.third_party_review', { clients: [tp({ reviewBy: '2025-05-31' })] });
    expect(late.status).toBe('fail');
    expect(late.fix?.commands).toEqual(['keywarden client set-third-party koinly --review-by <YYYY-MM-DD>']);
  });

  it('fails withdraw in the policy or on the key; unknown while the key is unverified', () => {
    const k = key();
    const policyWithdraw = buildPostureReport(
      input({ clients: [tp({}, { policy: { mode: 'enforce', actions: ['public', 'read', 'withdraw'] } })] }),
    );
    expect(find(policyWithdraw, 'client.third_party_no_withdraw').status).toBe('fail');
    const keyWithdraw = buildPostureReport(
      input({ clients: [tp()], checks: new Map([[k.id, check(k, introspection({ canWithdraw: true }))]]) }),
    );
    expect(find(keyWithdraw, 'client.third_party_no_withdraw')).toMatchObject({
      status: 'fail',
      severity: 'critical',
    });
    const unverified = buildPostureReport(input({ clients: [tp()], checks: new Map() }));
    expect(find(unverified, 'client.third_party_no_withdraw').status).toBe('unknown');
  });

  it('fails a vendor sharing its exchange key with another client, directly or through a second registration', () => {
    const shared = buildPostureReport(input({ clients: [tp(), client({ name: 'bot-1' })] }));
    const c = find(shared, 'client.third_party_own_credential');
    expect(c.status).toBe('fail');
    expect(c.evidence).toBe('exchange key bot-key also serves bot-1');
    expect(c.fix?.commands).toEqual([
      'keywarden key add binance --label bot-key-koinly --env prod --stdin',
      'keywarden client add --key bot-key-koinly --name koinly-own --third-party --vendor Koinly --purpose portfolio --contact security@vendor.example --review-by 2025-09-01',
      'keywarden client revoke koinly',
    ]);
    const k = key();
    const twin = key({ label: 'twin', fingerprint: k.fingerprint });
    const viaTwin = buildPostureReport(
      input({ keys: [k, twin], clients: [tp(), client({ name: 'bot-2', keyId: twin.id })] }),
    );
    expect(find(viaTwin, 'client.third_party_own_credential').evidence).toBe(
      'exchange key bot-key also serves bot-2',
    );
  });
});

describe('posture: repository hygiene (--repo)', () => {
  it('one item per hygiene check: pass when clean, fail with the places and their fixes', () => {
    const clean = buildPostureReport(input({ repository: { root: '/repo', findings: [] } }));
    expect(clean.repository?.checks.every((c) => c.status === 'pass')).toBe(true);
    expect(clean.repository?.score).toBe(100);
    const dirty = buildPostureReport(
      input({
        repository: {
          root: '/repo',
          findings: [
            {
              check: 'env-tracked',
              severity: 'critical',
              file: '.env',
              message: '.env is tracked',
              fix: { action: 'stop tracking it', commands: ['git rm --cached .env'] },
            },
          ],
        },
      }),
    );
    const c = dirty.repository?.checks.find((i) => i.id === 'repo.env_tracked');
    expect(c).toMatchObject({ status: 'fail', severity: 'critical', evidence: '.env' });
    expect(c?.fix?.commands).toEqual(['git rm --cached .env']);
    expect(dirty.score).toBeLessThan(clean.score);
  });
});
