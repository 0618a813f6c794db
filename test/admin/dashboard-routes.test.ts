/**
 * The admin routes the dashboard reads, over a real socket: the overview's figures from the audit
 * store (per-minute decisions, denials by rule, latency percentiles, open alerts, keys due only for
 * a role that may read keys), the live feed as JSON and as server-sent events (filters, resume
 * from Last-Event-ID, nothing but the listed fields), the role's permissions, the CCXT connect
 * options, and the built app served at / with the SPA fallback.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminServer, adminRoutes, createAdminServer } from '../../src/admin/index.js';
import { percentile } from '../../src/admin/routes/overview-routes.js';
import { adminServices } from '../../src/cli/admin-root.js';
import { LOCAL_ACTOR } from '../../src/core/index.js';
import { type MonitorHandle, openMonitor } from '../../src/monitor/index.js';
import { startWorld, type World } from '../world.js';

const DAY = 86_400_000;
let world: World;
let monitor: MonitorHandle;
let server: AdminServer;
let base: string;
let webRoot: string;
let offset = 0;
const clock = { now: () => Date.now() + offset };
const tokens: Record<'owner' | 'auditor', string> = { owner: '', auditor: '' };

const get = async (who: 'owner' | 'auditor', path: string) => {
  const res = await fetch(`${base}/api/v1${path}`, { headers: { authorization: `Bearer ${tokens[who]}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

/** Read server-sent events until `want` of them arrived (or the time is up). */
async function events(
  path: string,
  want: number,
  headers: Record<string, string> = {},
  during?: () => Promise<void>,
): Promise<Array<{ id: string; event: string; data: Record<string, unknown> }>> {
  const ac = new AbortController();
  const res = await fetch(`${base}/api/v1${path}`, {
    headers: { authorization: `Bearer ${tokens.auditor}`, accept: 'text/event-stream', ...headers },
    signal: ac.signal,
  });
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  const parsed = () =>
    text
      .split('\n\n')
      .filter((b) => b.includes('data: '))
      .map((b) => {
        const field = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(b)?.[1] ?? '';
        return {
          id: field('id'),
          event: field('event'),
          data: JSON.parse(field('data')) as Record<string, unknown>,
        };
      });
  const deadline = setTimeout(() => ac.abort(), 5000);
  const started = during?.();
  try {
    while (parsed().length < want) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    // aborted at the deadline: answer what arrived
  } finally {
    clearTimeout(deadline);
    ac.abort();
    await started;
  }
  return parsed();
}

const request = (client: string, decision: 'allow' | 'deny' | 'would-deny', rule?: string) =>
  world.audit.append({
    kind: 'request',
    requestId: `r_${Math.random()}`,
    actor: client,
    clientId: `cl_${client}`,
    exchange: 'binance',
    action: 'trade',
    endpoint: 'POST /api/v3/order',
    decision,
    sourceIp: '203.0.113.9',
    sensitive: { clientKeyId: 'kw_secretish' },
    ...(rule ? { rule } : {}),
  });

beforeAll(async () => {
  world = await startWorld();
  monitor = openMonitor(world.config, { audit: world.audit });
  const services = adminServices({ ...world, monitor, clock, gatewayUrl: 'http://127.0.0.1:9999' });
  webRoot = mkdtempSync(join(tmpdir(), 'kw-web-'));
  mkdirSync(join(webRoot, 'assets'));
  writeFileSync(join(webRoot, 'index.html'), '<!doctype html><div id="root"></div>');
  writeFileSync(join(webRoot, 'assets', 'app-abc123.js'), 'console.log(1)');
  server = createAdminServer({ services, routes: adminRoutes(services), webRoot });
  base = await server.listen(0, '127.0.0.1');
  for (const role of ['owner', 'auditor'] as const)
    tokens[role] = (
      await services.operators.createToken({ name: role, role, ttlMs: 89 * DAY }, LOCAL_ACTOR)
    ).token;
  await world.keys.add(
    { label: 'bn-prod', exchange: 'binance', environment: 'prod' },
    world.key('binance', 'trade').credential,
  );
  const c = world.key('binance', 'read').credential;
  await world.keys.add({ label: 'bn-dev', exchange: 'binance', environment: 'dev' }, c);
  const clients = services.clientsFor(LOCAL_ACTOR);
  await clients.add({ name: 'bot1', key: 'bn-prod', policy: {} as never });
  await request('bot1', 'allow');
  await request('bot1', 'allow');
  await request('bot1', 'deny', 'symbols.allow');
  await request('bot2', 'deny', 'priceBand');
  await request('bot2', 'deny', 'symbols.allow');
  await request('bot2', 'would-deny', 'maxOrderNotional');
  for (const latencyMs of [5, 1, 3, 2, 4, 100])
    await world.audit.append({ kind: 'outcome', requestId: 'r', exchange: 'binance', latencyMs });
  await world.audit.append({ kind: 'alert', rule: 'r.one', message: 'one' });
  await world.audit.append({ kind: 'alert', rule: 'r.two', message: 'two' });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await monitor?.close();
  await world?.close();
  if (webRoot) rmSync(webRoot, { recursive: true, force: true });
});

describe('GET /api/v1/overview', () => {
  it('counts decisions per minute and denials by rule, and answers latency percentiles and open alerts', async () => {
    const { status, body } = await get('auditor', '/overview?minutes=5');
    expect(status).toBe(200);
    const buckets = body.requestsPerMinute as Array<{ allow: number; deny: number; wouldDeny: number }>;
    expect(buckets).toHaveLength(5);
    const sum = (k: 'allow' | 'deny' | 'wouldDeny') => buckets.reduce((n, b) => n + b[k], 0);
    expect([sum('allow'), sum('deny'), sum('wouldDeny')]).toEqual([2, 3, 1]);
    expect(body.denialsByRule).toEqual([
      { rule: 'symbols.allow', count: 2 },
      { rule: 'priceBand', count: 1 },
    ]);
    expect(body.latency).toEqual({ p50: 3, p99: 100, samples: 6 });
    expect(body.openAlerts).toBe(2);
  });

  it('an acknowledged alert is no longer open', async () => {
    const [alert] = (await get('owner', '/alerts')).body.alerts as Array<{ seq: number }>;
    const ack = await fetch(`${base}/api/v1/alerts/${alert?.seq}/ack`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.owner}` },
    });
    expect(ack.status).toBe(200);
    expect((await get('auditor', '/overview')).body.openAlerts).toBe(1);
  });

  it('lists keys due for rotation to a role that reads keys, and null to an auditor', async () => {
    expect((await get('owner', '/overview')).body.keysDue).toEqual([]);
    offset = 80 * DAY; // the prod key is due in 90 days: within the 14-day warning
    try {
      const due = (await get('owner', '/overview')).body.keysDue as Array<{ label: string; status: string }>;
      expect(due.map((k) => [k.label, k.status])).toEqual([['bn-prod', 'due_soon']]);
      expect((await get('auditor', '/overview')).body.keysDue).toBeNull();
    } finally {
      offset = 0;
    }
  });

  it('nearest-rank percentiles', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 99)).toBe(4);
  });
});

describe('GET /api/v1/feed', () => {
  it('answers the newest requests as JSON, filtered by client and decision, with only the listed fields', async () => {
    const all = (await get('auditor', '/feed')).body.items as Array<Record<string, unknown>>;
    expect(all).toHaveLength(6);
    const text = JSON.stringify(all);
    expect(text).not.toContain('203.0.113.9');
    expect(text).not.toContain('hmacs');
    const bot2 = (await get('auditor', '/feed?client=bot2&decision=deny')).body.items as Array<{
      rule: string;
    }>;
    expect(bot2.map((i) => i.rule)).toEqual(['priceBand', 'symbols.allow']);
    const byId = (await get('auditor', '/feed?client=cl_bot1')).body.items as unknown[];
    expect(byId).toHaveLength(3);
  });

  it('streams the backlog and then each new request as a server-sent event', async () => {
    const got = await events('/feed?client=bot3', 2, {}, async () => {
      await new Promise((r) => setTimeout(r, 300));
      await request('bot1', 'allow'); // filtered out
      await request('bot3', 'allow');
      await request('bot3', 'deny', 'actions');
    });
    expect(got.map((e) => [e.event, e.data.client, e.data.decision])).toEqual([
      ['request', 'bot3', 'allow'],
      ['request', 'bot3', 'deny'],
    ]);
    expect(Number(got[1]?.id)).toBe(got[1]?.data.seq);
  });

  it('resumes after Last-Event-ID without repeating what was seen', async () => {
    const all = (await get('auditor', '/feed')).body.items as Array<{ seq: number }>;
    const third = all.at(-3)?.seq ?? 0;
    const got = await events('/feed', 2, { 'last-event-id': String(third) });
    expect(got.map((e) => e.data.seq)).toEqual(all.slice(-2).map((i) => i.seq));
  });

  it('a stream still open when the server closes is ended, and the close does not wait for it', async () => {
    const services = adminServices({ ...world, monitor, clock });
    const other = createAdminServer({ services, routes: adminRoutes(services) });
    const url = await other.listen(0, '127.0.0.1');
    const res = await fetch(`${url}/api/v1/feed`, {
      headers: { authorization: `Bearer ${tokens.auditor}`, accept: 'text/event-stream' },
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    const started = Date.now();
    await other.close();
    expect(Date.now() - started).toBeLessThan(2000);
    await expect(
      (async () => {
        for (;;) if ((await reader.read()).done) return 'ended';
      })(),
    ).resolves.toBe('ended');
  });

  it('needs audit.read: no session, no stream', async () => {
    const res = await fetch(`${base}/api/v1/feed`, { headers: { accept: 'text/event-stream' } });
    expect(res.status).toBe(401);
  });
});

describe('the dashboard helpers', () => {
  it("answers the role's permissions from the role table", async () => {
    const { body } = await get('auditor', '/auth/permissions');
    expect(body.role).toBe('auditor');
    expect([...(body.permissions as string[])].sort()).toEqual(
      ['alerts.read', 'audit.read', 'posture.read', 'self'].sort(),
    );
  });

  it("answers a client's gateway URL and CCXT options, no credential, and refuses an auditor", async () => {
    const { status, body } = await get('owner', '/clients/bot1/connect');
    expect(status).toBe(200);
    expect(body.gatewayUrl).toBe('http://127.0.0.1:9999');
    expect(JSON.stringify(body.ccxtOptions)).toContain('http://127.0.0.1:9999/binance');
    expect(JSON.stringify(body)).not.toMatch(/secret|apiKey/);
    expect((await get('auditor', '/clients/bot1/connect')).status).toBe(403);
  });
});

describe('the built app at /', () => {
  it('serves files, falls back to index.html for page paths, and keeps /api JSON', async () => {
    const asset = await fetch(`${base}/assets/app-abc123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    for (const path of ['/', '/clients', '/feed?client=x']) {
      const res = await fetch(`${base}${path}`);
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect([path, res.status, await res.text()]).toEqual([
        path,
        200,
        '<!doctype html><div id="root"></div>',
      ]);
    }
    const api = await fetch(`${base}/api/v1/nothing-here`);
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toMatch(/json/);
    const post = await fetch(`${base}/clients`, { method: 'POST' });
    expect(post.status).toBe(404);
  });
});
