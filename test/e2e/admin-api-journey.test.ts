/**
 * Issue 13's "Done when", as one journey over real sockets with a real HTTP client (fetch, i.e.
 * undici): bootstrap an owner (as `keywarden operator add --role owner` does), enrol TOTP with
 * codes computed from the secret, create two admins and an auditor, register a sandbox key and
 * issue a client through the API; an unmodified CCXT bot trades through the gateway; freezing it
 * through the API denies it; the auditor reads the audit log and gets 403 on every write; tokens
 * work and expire; a widened policy waits for a second admin's approval and only then applies; a
 * withdrawal under approval waits, is approved through the API and executes once (the sandbox
 * shows one withdrawal).
 */
import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminRoute, type AdminServer, adminRoutes, createAdminServer } from '../../src/admin/index.js';
import { adminServices } from '../../src/cli/admin-root.js';
import { LOCAL_ACTOR } from '../../src/core/index.js';
import { type MonitorHandle, openMonitor } from '../../src/monitor/index.js';
import type { SandboxKey } from '../../src/sandbox/emulator.js';
import { errorCode as code, enrol as enrolAt, type Person, Session } from '../admin/admin-http.js';
import { type CcxtExchange, type Harness, startHarness } from '../gateway/harness.js';

const ADDRESS = 'TXYZjourney12345678901234567890123';

let h: Harness;
let monitor: MonitorHandle;
let server: AdminServer;
let routes: AdminRoute[];
let base: string;
let seed: SandboxKey[] = [];
// The admin API's clock: real time to start with, moved one TOTP step per fresh code.
let now = Date.now();
const clock = {
  now: () => now,
  step: () => {
    now += 30_000;
  },
};
const enrol = (name: string, enrolmentCode: string) => enrolAt(base, clock, name, enrolmentCode);

async function refused(call: () => Promise<unknown>, pattern: RegExp): Promise<void> {
  const err = await call().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'the call must fail').toBeInstanceOf(ccxt.BaseError);
  expect(String((err as Error).message)).toMatch(pattern);
}

const withdrawals = () => h.sandbox.log.filter((l) => l.exchange === 'binance' && /withdraw/.test(l.path));
const orders = () => h.sandbox.log.filter((l) => l.method === 'POST' && l.path === '/api/v3/order');

beforeAll(async () => {
  h = await startHarness({
    exchanges: ['binance'],
    approvals: true,
    config: { approvals: { require: ['policy.widen'] } },
    plantKeys: (keys) => {
      seed = keys;
    },
  });
  monitor = openMonitor(h.config, { audit: h.audit });
  const services = adminServices({
    store: h.store,
    vault: h.vault,
    keys: h.keys,
    audit: h.audit,
    monitor,
    clock,
    config: h.config,
  });
  routes = adminRoutes(services);
  server = createAdminServer({ services, routes });
  base = await server.listen(0, '127.0.0.1');
  people.bootstrapCode = (
    await services.operators.add({ name: 'root', role: 'owner' }, LOCAL_ACTOR)
  ).enrolmentCode;
}, 120_000);

afterAll(async () => {
  await server?.close();
  await monitor?.close();
  await h?.close();
});

const people = {} as {
  bootstrapCode: string;
  owner: Person;
  ada: Person;
  bob: Person;
  auditor: Person;
};
let bot: CcxtExchange;

describe.sequential('the admin API journey', () => {
  it('bootstraps the owner, who enrols TOTP and creates two admins and an auditor', async () => {
    people.owner = await enrol('root', people.bootstrapCode);
    for (const [name, role] of [
      ['ada', 'admin'],
      ['bob', 'admin'],
      ['aud', 'auditor'],
    ] as const) {
      const made = await people.owner.session.call(
        'POST',
        '/api/v1/operators',
        { name, role },
        people.owner.otp(),
      );
      expect(made.status).toBe(201);
      const person = await enrol(name, String(made.body.enrolmentCode));
      if (name === 'ada') people.ada = person;
      else if (name === 'bob') people.bob = person;
      else people.auditor = person;
    }
    const list = await people.owner.session.call('GET', '/api/v1/operators');
    const ops = list.body.operators as Array<{ name: string; role: string; mfaEnrolled: boolean }>;
    expect(ops.map((o) => `${o.name}:${o.role}:${o.mfaEnrolled}`).sort()).toEqual(
      ['ada:admin:true', 'aud:auditor:true', 'bob:admin:true', 'root:owner:true'].sort(),
    );
  });

  it('an admin registers a sandbox key (the secret is never answered) and issues a client', async () => {
    const key = seed.find((k) => k.exchange === 'binance' && k.name === 'trade');
    if (!key) throw new Error('no sandbox trade key');
    const reg = await people.ada.session.call(
      'POST',
      '/api/v1/keys',
      { label: 'bn-trade', exchange: 'binance', environment: 'prod', credential: key.credential },
      people.ada.otp(),
    );
    expect(reg.status).toBe(201);
    expect(reg.text).not.toContain(key.credential.secret);
    const issued = await people.ada.session.call('POST', '/api/v1/clients', {
      name: 'bot',
      key: 'bn-trade',
      policy: { actions: ['public', 'read', 'trade', 'cancel'], symbols: { allow: ['BTC/USDT'] } },
    });
    expect(issued.status).toBe(201);
    const credential = issued.body.credential as { apiKey: string; secret: string };
    expect(credential.apiKey).toMatch(/^kw_/);
    // Shown once: no later read answers the client's secret.
    expect((await people.ada.session.call('GET', '/api/v1/clients/bot')).text).not.toContain(
      credential.secret,
    );
    bot = await h.ccxt('binance', credential);
  });

  it('an unmodified CCXT bot trades through the gateway; an off-list symbol is denied', async () => {
    const balance = await bot.fetchBalance();
    expect(balance.total).toBeDefined();
    const before = orders().length;
    const order = await bot.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 50000);
    expect(order.id).toBeTruthy();
    expect(orders().length).toBe(before + 1);
    await refused(() => bot.createOrder('ETH/USDT', 'limit', 'buy', 0.01, 3000), /symbols\.allow/);
    expect(orders().length).toBe(before + 1);
  });

  it('frozen through the API, the bot is denied; unfrozen, it trades again', async () => {
    const frozen = await people.ada.session.call('POST', '/api/v1/clients/bot/freeze');
    expect([frozen.status, frozen.body.status]).toEqual([200, 'frozen']);
    await refused(() => bot.fetchBalance(), /client_frozen|frozen/);
    const thawed = await people.ada.session.call('POST', '/api/v1/clients/bot/unfreeze');
    expect(thawed.body.status).toBe('active');
    expect((await bot.fetchBalance()).total).toBeDefined();
  });

  it('the auditor reads the audit log (the bot, the freeze, who did it) and gets 403 on every write', async () => {
    const audit = await people.auditor.session.call('GET', '/api/v1/audit?limit=500');
    expect(audit.status).toBe(200);
    const records = audit.body.records as Array<{ kind: string; action?: string; actor?: string }>;
    expect(records.some((r) => r.kind === 'request' && r.actor === 'bot' && r.action === 'trade')).toBe(true);
    expect(records.find((r) => r.action === 'client.freeze')?.actor).toBe('operator:ada');
    const writes = routes.filter(
      (r) => r.method !== 'GET' && r.permission !== 'public' && r.permission !== 'self',
    );
    expect(writes.length).toBeGreaterThan(20);
    for (const r of writes) {
      const res = await people.auditor.session.call(r.method, r.url.replace(/:[a-z]+/g, 'bot'), {});
      expect([r.id, res.status, code(res)]).toEqual([r.id, 403, 'role_forbidden']);
    }
    // The NDJSON export streams the same records, one per line.
    const exported = await people.auditor.session.call('GET', '/api/v1/audit/export?kind=admin');
    const lines = exported.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string });
    expect(lines.length).toBeGreaterThan(5);
    expect(lines.every((l) => l.kind === 'admin')).toBe(true);
  });

  it('an API token works until it expires', async () => {
    const made = await people.owner.session.call(
      'POST',
      '/api/v1/tokens',
      { name: 'ci', role: 'auditor', ttlSeconds: 60 },
      people.owner.otp(),
    );
    expect(made.status).toBe(201);
    const token = new Session(base, String(made.body.token));
    expect((await token.call('GET', '/api/v1/audit?limit=1')).status).toBe(200);
    expect(code(await token.call('POST', '/api/v1/clients/bot/freeze'))).toBe('role_forbidden');
    now += 61_000;
    const expired = await token.call('GET', '/api/v1/audit?limit=1');
    expect([expired.status, code(expired)]).toEqual([401, 'session_required']);
  });

  it("a widened policy waits for a second admin's approval and only then applies, once", async () => {
    const wider = {
      actions: ['public', 'read', 'trade', 'cancel'],
      symbols: { allow: ['BTC/USDT', 'ETH/USDT'] },
    };
    const asked = await people.ada.session.call('POST', '/api/v1/clients/bot/policy', { policy: wider });
    expect(asked.status).toBe(202);
    const approval = asked.body.approval as { id: string; kind: string; summary: string };
    expect(approval.kind).toBe('policy.widen');
    expect(approval.summary).toMatch(/new allowed symbol ETH\/USDT/);
    // Not applied yet: the stored policy is unchanged and the bot is still denied.
    const client = await people.ada.session.call('GET', '/api/v1/clients/bot');
    expect((client.body.policy as { symbols: { allow: string[] } }).symbols.allow).toEqual(['BTC/USDT']);
    await refused(() => bot.createOrder('ETH/USDT', 'limit', 'buy', 0.01, 3000), /symbols\.allow/);
    // Its requester cannot approve it; the auditor cannot either; the second admin can, with a fresh code.
    const url = `/api/v1/approvals/${approval.id}/approve`;
    expect(code(await people.ada.session.call('POST', url, undefined, people.ada.otp()))).toBe(
      'approval_self',
    );
    expect(code(await people.auditor.session.call('POST', url))).toBe('role_forbidden');
    expect(code(await people.bob.session.call('POST', url))).toBe('mfa_required');
    const approved = await people.bob.session.call('POST', url, undefined, people.bob.otp());
    expect([approved.status, approved.body.status]).toEqual([200, 'executed']);
    expect(code(await people.owner.session.call('POST', url, undefined, people.owner.otp()))).toBe(
      'approval_closed',
    );
    const before = orders().length;
    const order = await bot.createOrder('ETH/USDT', 'limit', 'buy', 0.01, 3000);
    expect(order.id).toBeTruthy();
    expect(orders().length).toBe(before + 1);
    // The audit names both operators and the approval; the change itself was made once, as ada.
    const audit = await people.auditor.session.call('GET', '/api/v1/audit?kind=admin&limit=500');
    const records = audit.body.records as Array<{
      action?: string;
      actor?: string;
      detail?: Record<string, unknown>;
    }>;
    const executed = records.filter(
      (r) => r.action === 'approval.executed' && r.detail?.approvalId === approval.id,
    );
    expect(executed).toHaveLength(1);
    expect(executed[0]?.detail).toMatchObject({ requester: 'operator:ada', approver: 'operator:bob' });
    expect(
      records.filter((r) => r.action === 'client.set_policy' && r.actor === 'operator:ada'),
    ).toHaveLength(1);
  });

  it('a withdrawal under approval waits, is approved through the API and executes once', async () => {
    const issued = await people.ada.session.call('POST', '/api/v1/clients', {
      name: 'treasury',
      key: h.keyLabel('binance'),
      policy: {
        actions: ['public', 'read', 'withdraw'],
        withdrawals: { addresses: [ADDRESS], dailyCap: { USDT: 1000 }, approval: true },
      },
    });
    expect(issued.status).toBe(201);
    const treasury = await h.ccxt('binance', issued.body.credential as { apiKey: string; secret: string });
    const err = await treasury.withdraw('USDT', 10, ADDRESS, undefined, { network: 'USDT' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ccxt.ExchangeError);
    const id = /pending approval (apr_\w+)/.exec(String((err as Error).message))?.[1] ?? '';
    expect(id).toMatch(/^apr_/);
    expect(withdrawals()).toHaveLength(0);
    const pending = await people.bob.session.call('GET', '/api/v1/approvals?status=pending');
    expect((pending.body.approvals as Array<{ id: string }>).map((a) => a.id)).toContain(id);
    // Nothing is sent while it waits.
    expect(await h.dispatcher?.runOnce()).toEqual([]);
    const approved = await people.bob.session.call(
      'POST',
      `/api/v1/approvals/${id}/approve`,
      undefined,
      people.bob.otp(),
    );
    expect([approved.status, approved.body.status]).toEqual([200, 'approved']);
    // The gateway's dispatcher sends it, freshly signed; running it again sends nothing more.
    expect((await h.dispatcher?.runOnce())?.map((r) => r.status)).toEqual(['executed']);
    expect(await h.dispatcher?.runOnce()).toEqual([]);
    expect(withdrawals()).toHaveLength(1);
    const shown = await people.bob.session.call('GET', `/api/v1/approvals/${id}`);
    expect(shown.body.status).toBe('executed');
  });
});
