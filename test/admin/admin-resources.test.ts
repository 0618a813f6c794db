/**
 * The admin API's approval gates and the resources added with them, over a real socket:
 * registering and rotating a prod key, changing a role and ending a lockdown wait for a second
 * person when `approvals.require` lists them and apply exactly once on approval (a held
 * credential is stored encrypted and never answered); key verify; policy validate, explain and
 * dry run; the streamed NDJSON audit export; stored alert acknowledgements; posture.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminServer, adminRoutes, createAdminServer } from '../../src/admin/index.js';
import { adminServices } from '../../src/cli/admin-root.js';
import { LOCAL_ACTOR } from '../../src/core/index.js';
import { type MonitorHandle, openMonitor } from '../../src/monitor/index.js';
import { startWorld, type World } from '../world.js';
import { errorCode as code, enrol, type Person, Session } from './admin-http.js';

let world: World;
let monitor: MonitorHandle;
let server: AdminServer;
let services: ReturnType<typeof adminServices>;
let base: string;
let now = Date.UTC(2026, 0, 1, 12, 0, 0);
const clock = {
  now: () => now,
  step: () => {
    now += 30_000;
  },
};
let owner: Person;
let ada: Person;
let bob: Person;
let op: Person;

const pendingId = (a: { status: number; body: Record<string, unknown> }): string => {
  expect(a.status).toBe(202);
  expect(a.body.pending).toBe(true);
  return (a.body.approval as { id: string }).id;
};

beforeAll(async () => {
  world = await startWorld({
    config: {
      approvals: {
        require: ['key.register', 'key.rotate', 'policy.widen', 'lockdown.unlock', 'operator.role'],
      },
    },
  });
  monitor = openMonitor(world.config, { audit: world.audit });
  services = adminServices({ ...world, monitor, clock });
  server = createAdminServer({ services, routes: adminRoutes(services) });
  base = await server.listen(0, '127.0.0.1');
  const first = await services.operators.add({ name: 'root', role: 'owner' }, LOCAL_ACTOR);
  owner = await enrol(base, clock, 'root', first.enrolmentCode);
  const make = async (name: string, role: string) => {
    const made = await owner.session.call('POST', '/api/v1/operators', { name, role }, owner.otp());
    expect(made.status).toBe(201);
    return enrol(base, clock, name, String(made.body.enrolmentCode));
  };
  ada = await make('ada', 'admin');
  bob = await make('bob', 'admin');
  op = await make('opal', 'operator');
}, 120_000);

afterAll(async () => {
  await server?.close();
  await monitor?.close();
  await world?.close();
});

describe('approval gates', () => {
  it('registering a prod key waits; the credential is held encrypted, never answered, and added once on approval', async () => {
    const k = world.key('binance', 'trade');
    const asked = await ada.session.call(
      'POST',
      '/api/v1/keys',
      { label: 'bn-prod', exchange: 'binance', environment: 'prod', credential: k.credential },
      ada.otp(),
    );
    const id = pendingId(asked);
    expect(asked.text).not.toContain(k.credential.secret);
    expect(await services.keys.get('bn-prod')).toBeUndefined();
    const row = await world.store.db
      .selectFrom('approvals')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    expect(row?.payload_json).not.toContain(k.credential.secret);
    expect(row?.payload_json).not.toContain(k.credential.apiKey);
    const shown = await bob.session.call('GET', `/api/v1/approvals/${id}`);
    expect(shown.text).not.toContain(k.credential.secret);
    expect(
      code(await ada.session.call('POST', `/api/v1/approvals/${id}/approve`, undefined, ada.otp())),
    ).toBe('approval_self');
    const approved = await bob.session.call('POST', `/api/v1/approvals/${id}/approve`, undefined, bob.otp());
    expect(approved.body.status).toBe('executed');
    expect(approved.text).not.toContain(k.credential.secret);
    const key = await services.keys.get('bn-prod');
    expect(key?.environment).toBe('prod');
    expect((await services.keys.credential(key?.id ?? '', key?.version ?? 0)).secret).toBe(
      k.credential.secret,
    );
    // Once: a second decision is refused and nothing runs again.
    expect(
      code(await owner.session.call('POST', `/api/v1/approvals/${id}/approve`, undefined, owner.otp())),
    ).toBe('approval_closed');
    expect(world.diskText()).not.toContain(k.credential.secret);
  });

  it('a test key registers at once (only prod keys wait); verify asks the exchange', async () => {
    const k = world.key('binance', 'read');
    const reg = await ada.session.call(
      'POST',
      '/api/v1/keys',
      { label: 'bn-read', exchange: 'binance', environment: 'test', credential: k.credential },
      ada.otp(),
    );
    expect(reg.status).toBe(201);
    const verified = await ada.session.call('POST', '/api/v1/keys/bn-read/verify');
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ live: true, permissions: { read: true, withdraw: false } });
    expect(verified.text).not.toContain(k.credential.secret);
    expect(code(await op.session.call('POST', '/api/v1/keys/bn-read/verify'))).toBe('role_forbidden');
  });

  it('rotating a prod key waits for approval, then switches once; the new secret is never answered', async () => {
    const next = world.key('binance', 'trade-next');
    const body = { credential: next.credential, graceSeconds: 0 };
    const id = pendingId(await ada.session.call('POST', '/api/v1/keys/bn-prod/rotate', body, ada.otp()));
    expect((await services.keys.get('bn-prod'))?.version).toBe(1);
    const approved = await bob.session.call('POST', `/api/v1/approvals/${id}/approve`, undefined, bob.otp());
    expect(approved.body.status).toBe('executed');
    expect(approved.text).not.toContain(next.credential.secret);
    const key = await services.keys.get('bn-prod');
    expect(key?.version).toBe(2);
    expect((await services.keys.credential(key?.id ?? '', 2)).apiKey).toBe(next.credential.apiKey);
  });

  it('a role change waits; applied once on approval', async () => {
    const id = pendingId(
      await owner.session.call('POST', '/api/v1/operators/opal/role', { role: 'auditor' }, owner.otp()),
    );
    expect((await services.operators.get('opal')).role).toBe('operator');
    const approved = await ada.session.call('POST', `/api/v1/approvals/${id}/approve`, undefined, ada.otp());
    expect(approved.body.status).toBe('executed');
    expect((await services.operators.get('opal')).role).toBe('auditor');
  });

  it('a policy change that narrows applies at once; one that widens waits; a stale one fails instead of applying', async () => {
    const issued = await ada.session.call('POST', '/api/v1/clients', {
      name: 'bot',
      key: 'bn-read',
      environment: 'test',
      policy: { actions: ['public', 'read', 'trade'], symbols: { allow: ['BTC/USDT'] } },
    });
    expect(issued.status).toBe(201);
    const narrower = await ada.session.call('POST', '/api/v1/clients/bot/policy', {
      policy: { actions: ['public', 'read'], symbols: { allow: ['BTC/USDT'] } },
    });
    expect(narrower.status).toBe(200);
    const wider = { actions: ['public', 'read', 'trade'], symbols: { allow: ['BTC/USDT'] } };
    const id = pendingId(await ada.session.call('POST', '/api/v1/clients/bot/policy', { policy: wider }));
    // The policy moves on before the decision: approving the old request must not apply it.
    await ada.session.call('POST', '/api/v1/clients/bot/policy', {
      policy: { actions: ['public'], symbols: { allow: ['BTC/USDT'] } },
    });
    const decided = await bob.session.call('POST', `/api/v1/approvals/${id}/approve`, undefined, bob.otp());
    expect(decided.body.status).toBe('failed');
    expect((await services.clientsFor(LOCAL_ACTOR).get('bot'))?.policy.actions).toEqual(['public']);
  });

  it('unlock after a lockdown waits; on approval it unfreezes once', async () => {
    const scope = { kind: 'client', ref: 'bot' };
    const locked = await ada.session.call('POST', '/api/v1/lockdown', { scope, reason: 'drill' }, ada.otp());
    expect(locked.status).toBe(200);
    expect((await services.clientsFor(LOCAL_ACTOR).get('bot'))?.status).toBe('frozen');
    const id = pendingId(
      await ada.session.call('POST', '/api/v1/unlock', { scope, reason: 'drill over' }, ada.otp()),
    );
    expect((await services.clientsFor(LOCAL_ACTOR).get('bot'))?.status).toBe('frozen');
    const approved = await bob.session.call('POST', `/api/v1/approvals/${id}/approve`, undefined, bob.otp());
    expect(approved.body.status).toBe('executed');
    expect((await services.clientsFor(LOCAL_ACTOR).get('bot'))?.status).toBe('active');
  });

  it('an API token cannot request a gated change (it cannot prove MFA)', async () => {
    const t = await services.operators.createToken(
      { name: 'auto', role: 'admin', ttlMs: 60_000 },
      LOCAL_ACTOR,
    );
    const res = await new Session(base, t.token).call('POST', '/api/v1/clients/bot/policy', {
      policy: { actions: ['public', 'read', 'trade', 'cancel'] },
    });
    expect(code(res)).toBe('mfa_required');
  });
});

describe('policies', () => {
  it('validate answers the normalised policy or the first problem', async () => {
    const ok = await ada.session.call('POST', '/api/v1/policies/validate', { policy: { actions: ['read'] } });
    expect(ok.body).toMatchObject({ valid: true, policy: { mode: 'enforce', actions: ['read'] } });
    const bad = await ada.session.call('POST', '/api/v1/policies/validate', { policy: { actions: ['fly'] } });
    expect(bad.body.valid).toBe(false);
    expect(String(bad.body.problem)).toMatch(/actions/);
  });

  it('explain classifies a raw request and names the rule', async () => {
    const res = await ada.session.call('POST', '/api/v1/policies/explain', {
      policy: { actions: ['trade'], symbols: { allow: ['BTC/USDT'] } },
      exchange: 'binance',
      method: 'POST',
      path: '/api/v3/order',
      body: 'symbol=ETHUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=3000',
    });
    expect(res.status).toBe(200);
    expect(res.body.decision).toMatchObject({ allowed: false, rule: 'symbols.allow' });
  });

  it('a dry run over the audited requests says what a policy would have denied and what it cannot tell', async () => {
    // Two recorded requests of the bot: a read and a trade (as the gateway records them).
    const bot = await services.clientsFor(LOCAL_ACTOR).get('bot');
    for (const r of [
      { action: 'read', endpoint: 'GET /api/v3/account' },
      { action: 'trade', endpoint: 'POST /api/v3/order', symbol: 'ETH/USDT', side: 'buy', notional: 30 },
    ])
      await world.audit.append({
        kind: 'request',
        actor: 'bot',
        clientId: bot?.id ?? '',
        keyId: bot?.keyId ?? '',
        exchange: 'binance',
        decision: 'allow',
        ...r,
      });
    const res = await ada.session.call('POST', '/api/v1/policies/dry-run', {
      policy: { actions: ['read', 'trade'], symbols: { allow: ['BTC/USDT'] }, priceBandPercent: 1 },
      client: 'bot',
      last: 50,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ records: 2, evaluated: 2 });
    expect(res.body.wouldDeny).toEqual([
      expect.objectContaining({ rule: 'symbols.allow', symbol: 'ETH/USDT' }),
    ]);
    expect((res.body.notEvaluated as string[]).join('\n')).toMatch(/priceBand/);
  });
});

describe('audit export, alerts, posture', () => {
  it('exports the audit log as streamed NDJSON, the same records as the query', async () => {
    const res = await owner.session.call('GET', '/api/v1/audit/export');
    expect(res.status).toBe(200);
    expect(res.contentType).toMatch(/application\/x-ndjson/);
    const lines = res.text.trim().split('\n');
    const seqs = lines.map((l) => (JSON.parse(l) as { seq: number }).seq);
    const queried = (await services.auditRecords({})).map((r) => r.seq);
    expect(seqs).toEqual(queried.slice(0, seqs.length));
    expect(seqs.length).toBeGreaterThan(20);
  });

  it('an acknowledged alert shows who and when; the first acknowledgement stands', async () => {
    await new Session(base).call('POST', '/api/v1/auth/login', {
      name: 'ada',
      password: 'wrong password!!',
      code: '000000',
    });
    await monitor.flush();
    const listed = await owner.session.call('GET', '/api/v1/alerts');
    const alert = (listed.body.alerts as Array<{ seq: number; acknowledgedBy: string | null }>)[0];
    expect(alert?.acknowledgedBy).toBeNull();
    const acked = await ada.session.call('POST', `/api/v1/alerts/${alert?.seq}/ack`, { note: 'my typo' });
    expect(acked.body).toMatchObject({
      acknowledgedBy: 'operator:ada',
      acknowledgedAt: now,
      note: 'my typo',
    });
    const again = await bob.session.call('POST', `/api/v1/alerts/${alert?.seq}/ack`, {});
    expect(again.body.acknowledgedBy).toBe('operator:ada');
    const after = await bob.session.call('GET', '/api/v1/alerts');
    expect((after.body.alerts as Array<{ seq: number }>).find((a) => a.seq === alert?.seq)).toMatchObject({
      acknowledgedBy: 'operator:ada',
      acknowledgedAt: now,
    });
  });

  it('posture answers the report; admin.mfa passes with every operator enrolled', async () => {
    const res = await bob.session.call('GET', '/api/v1/posture');
    expect(res.status).toBe(200);
    const checks = (res.body.gateway as { checks: Array<{ id: string; status: string }> }).checks;
    expect(checks.find((c) => c.id === 'admin.mfa')?.status).toBe('pass');
    // An active admin account without TOTP (a row changed behind keywarden's back) makes it fail.
    await world.store.db
      .updateTable('operators')
      .set({ mfa_enrolled_at: null })
      .where('name', '=', 'ada')
      .execute();
    const again = await bob.session.call('GET', '/api/v1/posture');
    const mfa = (again.body.gateway as { checks: Array<{ id: string; status: string }> }).checks.find(
      (c) => c.id === 'admin.mfa',
    );
    expect(mfa?.status).toBe('fail');
  });
});
