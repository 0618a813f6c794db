/**
 * The admin API over a real socket with a real HTTP client (fetch): bootstrap an owner over the
 * enrolment code, enrol TOTP computing codes from the secret, create an admin and an auditor,
 * register a sandbox key, issue a client and freeze it, and the security properties of issue 13
 * (roles on every route, CSRF, session fixation, brute force, TOTP replay, canary over every GET,
 * token expiry, the OpenAPI document).
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AdminRoute,
  type AdminServer,
  adminRoutes,
  allows,
  createAdminServer,
  openApiPath,
  PERMISSIONS,
} from '../../src/admin/index.js';
import { adminServices } from '../../src/cli/admin-root.js';
import { LOCAL_ACTOR, ROLES, type Role } from '../../src/core/index.js';
import { type MonitorHandle, openMonitor } from '../../src/monitor/index.js';
import { totpCode } from '../../src/operators/index.js';
import { startWorld, type World } from '../world.js';

let world: World;
let monitor: MonitorHandle;
let server: AdminServer;
let base: string;
let routes: AdminRoute[];
let now = Date.UTC(2026, 0, 1, 12, 0, 0);
const clock = { now: () => now };
const tick = () => {
  now += 30_000; // one TOTP step, so each fresh code is a new one
};
let services: ReturnType<typeof adminServices>;
const PASSWORD = 'a long enough password';

interface Answer {
  status: number;
  body: Record<string, unknown>;
  text: string;
  setCookie: string[];
}

/** A browser-like client: keeps the cookies it was given, sends the CSRF header on writes. */
class Session {
  cookies = new Map<string, string>();
  csrf = true;
  constructor(readonly bearer?: string) {}
  async call(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer> {
    const h: Record<string, string> = { ...headers };
    if (body !== undefined) h['content-type'] = 'application/json';
    if (this.bearer) h.authorization = `Bearer ${this.bearer}`;
    if (this.cookies.size > 0) h.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const csrf = this.cookies.get('kw_csrf');
    if (this.csrf && method !== 'GET' && csrf) h['x-keywarden-csrf'] = csrf;
    const res = await fetch(`${base}${path}`, {
      method,
      headers: h,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const setCookie = res.headers.getSetCookie();
    for (const c of setCookie) {
      const [pair] = c.split(';');
      const [k, ...v] = (pair ?? '').split('=');
      if (k) {
        if (/Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(c)) this.cookies.delete(k);
        else this.cookies.set(k, v.join('='));
      }
    }
    const text = await res.text();
    return {
      status: res.status,
      body:
        text && res.headers.get('content-type')?.includes('application/json')
          ? (JSON.parse(text) as Record<string, unknown>)
          : {},
      text,
      setCookie,
    };
  }
}

const code = (a: Answer) => (a.body.error as { code?: string } | undefined)?.code;

interface Person {
  name: string;
  secret: string;
  session: Session;
  otp(): Record<string, string>;
}

async function enrol(name: string, enrolmentCode: string): Promise<Person> {
  const anon = new Session();
  const start = await anon.call('POST', '/api/v1/auth/enrol', { name, enrolmentCode, password: PASSWORD });
  expect(start.status).toBe(200);
  const secret = String(start.body.totpSecret);
  const done = await anon.call('POST', '/api/v1/auth/enrol/confirm', {
    name,
    enrolmentCode,
    code: totpCode(secret, now),
  });
  expect(done.status).toBe(200);
  expect(done.body.recoveryCodes).toHaveLength(10);
  tick();
  const session = new Session();
  const login = await session.call('POST', '/api/v1/auth/login', {
    name,
    password: PASSWORD,
    code: totpCode(secret, now),
  });
  expect(login.status).toBe(200);
  const cookie = login.setCookie.find((c) => c.startsWith('kw_session='));
  expect(cookie).toMatch(/HttpOnly/i);
  expect(cookie).toMatch(/SameSite=Strict/i);
  return {
    name,
    secret,
    session,
    otp() {
      tick();
      return { 'x-keywarden-otp': totpCode(secret, now) };
    },
  };
}

let owner: Person;
let admin: Person;
let auditor: Person;
const CANARY_SECRET = `canary${'S'.repeat(40)}`;

beforeAll(async () => {
  world = await startWorld();
  monitor = openMonitor(world.config, { audit: world.audit });
  services = adminServices({ ...world, monitor, clock });
  routes = adminRoutes(services);
  server = createAdminServer({ services, routes });
  base = await server.listen(0, '127.0.0.1');
  // Bootstrap as `keywarden operator add --role owner` does: the local actor, an enrolment code.
  const first = await services.operators.add({ name: 'root', role: 'owner' }, LOCAL_ACTOR);
  owner = await enrol('root', first.enrolmentCode);
  const a = await owner.session.call(
    'POST',
    '/api/v1/operators',
    { name: 'ada', role: 'admin' },
    owner.otp(),
  );
  expect(a.status).toBe(201);
  admin = await enrol('ada', String(a.body.enrolmentCode));
  const b = await owner.session.call(
    'POST',
    '/api/v1/operators',
    { name: 'aud', role: 'auditor' },
    owner.otp(),
  );
  auditor = await enrol('aud', String(b.body.enrolmentCode));
}, 120_000);

afterAll(async () => {
  await server?.close();
  await monitor?.close();
  await world?.close();
});

describe('admin API end to end', () => {
  let clientName = '';
  it('an admin registers a sandbox key (secret never answered), issues a client, freezes it', async () => {
    const k = world.key('binance', 'trade');
    const reg = await admin.session.call(
      'POST',
      '/api/v1/keys',
      { label: 'bn-trade', exchange: 'binance', environment: 'test', credential: k.credential },
      admin.otp(),
    );
    expect(reg.status).toBe(201);
    expect(reg.text).not.toContain(k.credential.secret);
    expect(reg.text).not.toContain(k.credential.apiKey);
    const issued = await admin.session.call('POST', '/api/v1/clients', {
      name: 'bot1',
      key: 'bn-trade',
      environment: 'test',
      policy: { actions: ['read', 'trade'] },
    });
    expect(issued.status).toBe(201);
    expect((issued.body.credential as { apiKey: string }).apiKey).toMatch(/^kw_/);
    clientName = 'bot1';
    const frozen = await admin.session.call('POST', `/api/v1/clients/${clientName}/freeze`);
    expect(frozen.status).toBe(200);
    expect(frozen.body.status).toBe('frozen');
    const live = await world.store.db
      .selectFrom('clients')
      .select('status')
      .where('name', '=', 'bot1')
      .executeTakeFirst();
    expect(live?.status).toBe('frozen');
    // every admin action names its actor in the audit log
    const audit = await auditor.session.call('GET', '/api/v1/audit?kind=admin&limit=500');
    expect(audit.status).toBe(200);
    const records = audit.body.records as Array<{ action?: string; actor?: string }>;
    expect(records.find((r) => r.action === 'keys.register')?.actor).toBe('operator:ada');
    expect(records.find((r) => r.action === 'client.freeze')?.actor).toBe('operator:ada');
    expect(records.find((r) => r.action === 'operator.add')?.actor).toBe('local');
  });

  it('the auditor reads audit, posture-free reads work, and every write answers 403', async () => {
    expect((await auditor.session.call('GET', '/api/v1/audit')).status).toBe(200);
    expect((await auditor.session.call('GET', '/api/v1/alerts')).status).toBe(200);
    for (const r of routes.filter(
      (r) => r.method !== 'GET' && r.permission !== 'public' && r.permission !== 'self',
    )) {
      const res = await auditor.session.call(r.method, r.url.replace(/:[a-z]+/g, 'x'), {});
      expect([r.id, res.status, code(res)]).toEqual([r.id, 403, 'role_forbidden']);
    }
  });

  it('a held withdrawal waits for a second person: the auditor cannot see or decide it, its requester cannot approve it, an admin approves it with a fresh code, once', async () => {
    const held = await services.approvals.request({
      kind: 'withdrawal',
      summary: 'withdraw 0.1 BTC to bc1q-allowed for bot1',
      payload: { note: 'the checked withdrawal, as the gateway stores it' },
      requestedBy: { kind: 'client', id: 'cl_bot1', name: 'bot1' },
    });
    expect(code(await auditor.session.call('GET', '/api/v1/approvals'))).toBe('role_forbidden');
    const listed = await owner.session.call('GET', '/api/v1/approvals?status=pending');
    expect(listed.status).toBe(200);
    expect((listed.body.approvals as Array<{ id: string }>).map((a) => a.id)).toContain(held.id);
    expect(listed.text).not.toContain('the checked withdrawal');
    const url = `/api/v1/approvals/${held.id}/approve`;
    expect(code(await admin.session.call('POST', url))).toBe('mfa_required');
    const approved = await admin.session.call('POST', url, undefined, admin.otp());
    expect([approved.status, approved.body.status]).toEqual([200, 'approved']);
    expect((approved.body.decidedBy as { name: string }).name).toBe('ada');
    expect(code(await owner.session.call('POST', url, undefined, owner.otp()))).toBe('approval_closed');
    // An operator's own request: the same operator cannot decide it, another can.
    const own = await services.approvals.request({
      kind: 'policy.widen',
      summary: 'bot1 may trade ETH/USDT',
      payload: {},
      requestedBy: {
        kind: 'operator',
        id: String((await admin.session.call('GET', '/api/v1/auth/me')).body.id),
        name: 'ada',
        role: 'admin',
      },
    });
    const self = await admin.session.call(
      'POST',
      `/api/v1/approvals/${own.id}/reject`,
      undefined,
      admin.otp(),
    );
    expect(code(self)).toBe('approval_self');
    const other = await owner.session.call(
      'POST',
      `/api/v1/approvals/${own.id}/reject`,
      undefined,
      owner.otp(),
    );
    expect(other.body.status).toBe('rejected');
  });

  it('the auditor never sees a credential: no client read route is open to it', async () => {
    expect(code(await auditor.session.call('GET', '/api/v1/clients'))).toBe('role_forbidden');
    expect(code(await auditor.session.call('GET', '/api/v1/keys'))).toBe('role_forbidden');
  });
});

describe('routes and roles (meta)', () => {
  it('every route declares a known permission; public ones are exactly login and enrolment', () => {
    for (const r of routes) expect(PERMISSIONS, r.id).toContain(r.permission);
    expect(
      routes
        .filter((r) => r.permission === 'public')
        .map((r) => r.id)
        .sort(),
    ).toEqual(['auth.enrol', 'auth.enrol.confirm', 'auth.login'].sort());
  });

  it('every gated route is a non-public write documented with its 202, and a route taking a credential needs a fresh code', async () => {
    const doc = (await new Session().call('GET', '/api/v1/openapi.json')).body as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    const gated = routes.filter((r) => r.approval !== undefined);
    expect(gated.map((r) => r.id).sort()).toEqual(
      ['clients.set-policy', 'keys.register', 'keys.rotate', 'lockdown.unlock', 'operators.role'].sort(),
    );
    for (const r of gated) {
      expect([r.id, r.method, r.permission === 'public']).toEqual([r.id, 'POST', false]);
      expect(doc.paths[openApiPath(r.url)]?.post?.responses, r.id).toHaveProperty('202');
    }
    for (const r of routes.filter(
      (r) => r.body && 'credential' in ((r.body as { shape?: object }).shape ?? {}),
    ))
      expect([r.id, r.mfa]).toEqual([r.id, true]);
  });

  it('each role against each route: the server refuses exactly what the table refuses', async () => {
    const tokens: Record<Role, string> = {} as Record<Role, string>;
    for (const role of ROLES)
      tokens[role] = (
        await services.operators.createToken({ name: `meta-${role}`, role, ttlMs: 3_600_000 }, LOCAL_ACTOR)
      ).token;
    for (const role of ROLES) {
      const s = new Session(tokens[role]);
      for (const r of routes.filter((r) => r.permission !== 'public')) {
        const res = await s.call(
          r.method,
          r.url.replace(/:[a-z]+/g, 'zz-none'),
          r.method === 'GET' ? undefined : {},
        );
        const refused = code(res) === 'role_forbidden';
        expect([role, r.id, refused]).toEqual([role, r.id, !allows(role, r.permission)]);
        // POST /system/seal went through for a role allowed it: unseal for the next request.
        if (world.vault.isSealed()) await world.vault.unseal({ kind: 'key-file', path: world.keyFile });
      }
    }
  });

  it('no route answers without a session or token (positive control: a token does)', async () => {
    const anon = new Session();
    for (const r of routes.filter((r) => r.permission !== 'public')) {
      const res = await anon.call(
        r.method,
        r.url.replace(/:[a-z]+/g, 'x'),
        r.method === 'GET' ? undefined : {},
      );
      expect([r.id, res.status, code(res)]).toEqual([r.id, 401, 'session_required']);
    }
  });
});

describe('sessions, CSRF, MFA', () => {
  it('a cookie write without the CSRF header is refused; with it, it passes', async () => {
    admin.session.csrf = false;
    const refused = await admin.session.call('POST', '/api/v1/clients/bot1/unfreeze');
    admin.session.csrf = true;
    expect([refused.status, code(refused)]).toEqual([403, 'csrf_failed']);
    // a header equal to the cookie but not the session's own token is refused too
    const forged = await admin.session.call('POST', '/api/v1/clients/bot1/unfreeze', undefined, {});
    expect(forged.status).toBe(200);
    const other = new Session();
    other.cookies.set('kw_session', admin.session.cookies.get('kw_session') ?? '');
    other.cookies.set('kw_csrf', 'attacker-chosen');
    const mismatched = await other.call('POST', '/api/v1/clients/bot1/freeze');
    expect(code(mismatched)).toBe('csrf_failed');
  });

  it('no session fixation: a session id the client brings is never adopted, and login replaces it', async () => {
    const s = new Session();
    s.cookies.set('kw_session', 'attacker-fixed-id');
    tick();
    const login = await s.call('POST', '/api/v1/auth/login', {
      name: 'aud',
      password: PASSWORD,
      code: totpCode(auditor.secret, now),
    });
    expect(login.status).toBe(200);
    expect(s.cookies.get('kw_session')).not.toBe('attacker-fixed-id');
    const fixed = new Session();
    fixed.cookies.set('kw_session', 'attacker-fixed-id');
    expect((await fixed.call('GET', '/api/v1/auth/me')).status).toBe(401);
    // logging in again with a live session cookie ends that session
    const before = s.cookies.get('kw_session') ?? '';
    tick();
    await s.call('POST', '/api/v1/auth/login', {
      name: 'aud',
      password: PASSWORD,
      code: totpCode(auditor.secret, now),
    });
    const stale = new Session();
    stale.cookies.set('kw_session', before);
    expect((await stale.call('GET', '/api/v1/auth/me')).status).toBe(401);
    expect((await s.call('GET', '/api/v1/auth/me')).status).toBe(200);
  });

  it('a fresh TOTP code is required for sensitive routes, and is refused when replayed', async () => {
    const body = { name: 'tok1', role: 'auditor', ttlSeconds: 60 };
    expect(code(await owner.session.call('POST', '/api/v1/tokens', body))).toBe('mfa_required');
    const otp = owner.otp();
    expect((await owner.session.call('POST', '/api/v1/tokens', body, otp)).status).toBe(201);
    expect(code(await owner.session.call('POST', '/api/v1/tokens', { ...body, name: 'tok2' }, otp))).toBe(
      'mfa_invalid',
    );
  });

  it('API tokens work until they expire, and an API token cannot do an MFA-gated operation', async () => {
    const made = await owner.session.call(
      'POST',
      '/api/v1/tokens',
      { name: 'ci', role: 'auditor', ttlSeconds: 60 },
      owner.otp(),
    );
    const token = String(made.body.token);
    const list = await owner.session.call('GET', '/api/v1/tokens');
    expect(list.text).not.toContain(token);
    const t = new Session(token);
    expect((await t.call('GET', '/api/v1/audit?limit=1')).status).toBe(200);
    now += 61_000;
    expect(code(await t.call('GET', '/api/v1/audit?limit=1'))).toBe('session_required');
    const ownerToken = (
      await services.operators.createToken({ name: 'o', role: 'owner', ttlMs: 60_000 }, LOCAL_ACTOR)
    ).token;
    const res = await new Session(ownerToken).call(
      'POST',
      '/api/v1/operators',
      { name: 'x-op', role: 'auditor' },
      { 'x-keywarden-otp': '123456' },
    );
    expect(code(res)).toBe('mfa_required');
  });

  it('brute force: the account locks after repeated failures, raises an alert, and refuses the right password', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await new Session().call('POST', '/api/v1/auth/login', {
        name: 'ada',
        password: 'wrong wrong wrong',
        code: '000000',
      });
      expect(r.status).toBe(401);
      now += 31_000;
    }
    const locked = await new Session().call('POST', '/api/v1/auth/login', {
      name: 'ada',
      password: PASSWORD,
      code: totpCode(admin.secret, now),
    });
    expect([locked.status, code(locked)]).toEqual([429, 'login_blocked']);
    await monitor.flush();
    const alerts = (await services.auditRecords({ kind: 'alert' })).filter(
      (a) => a.rule === 'admin.login_failed',
    );
    expect(alerts.length).toBeGreaterThan(0);
    now += 16 * 60_000; // leave the lockout for the tests after this one
  });
});

describe('secrets and the OpenAPI document', () => {
  it('no GET answer holds a stored secret (canary key)', async () => {
    await services.keys.add(
      { label: 'canary', exchange: 'binance', environment: 'test' },
      { apiKey: `canaryKey${'K'.repeat(30)}`, secret: CANARY_SECRET },
    );
    const issued = await owner.session.call('POST', '/api/v1/clients', {
      name: 'canary-bot',
      key: 'canary',
      environment: 'test',
    });
    const clientSecret = (issued.body.credential as { secret: string }).secret;
    const refs: Record<string, string> = { ref: 'canary', id: 'x', seq: '1' };
    for (const r of routes.filter((r) => r.method === 'GET')) {
      const url = r.url
        .replace(/:([a-z]+)/g, (_m, p: string) => refs[p] ?? 'x')
        .replace('/clients/canary', '/clients/canary-bot');
      const res = await owner.session.call('GET', url);
      expect(res.text, r.id).not.toContain(CANARY_SECRET);
      expect(res.text, r.id).not.toContain(clientSecret);
    }
  });

  it('the OpenAPI document validates as 3.1, lists every route, and documents only routes that exist', async () => {
    const res = await new Session().call('GET', '/api/v1/openapi.json');
    expect(res.status).toBe(200);
    const validator = new Validator();
    const result = await validator.validate(res.body);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    const paths = res.body.paths as Record<string, Record<string, unknown>>;
    const documented = Object.entries(paths).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
    );
    const declared = routes
      .map((r) => `${r.method} ${openApiPath(r.url)}`)
      .concat('GET /api/v1/openapi.json');
    expect(documented.sort()).toEqual(declared.sort());
  });
});
