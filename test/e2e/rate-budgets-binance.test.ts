/**
 * Exchange-aware rate budgets end to end (issue 15): several unmodified CCXT bots, each its own
 * keywarden client of the same Binance key, through the real gateway to the sandbox, which
 * enforces Binance's request weight per IP per minute (429 -1003 with Retry-After, then 418).
 * A burst that would break the limit never draws a 429 from the sandbox: keywarden sheds first,
 * in Binance's 429 shape with Retry-After. An injected exchange 429 stops every bot of the key
 * until its Retry-After lifts; then traffic resumes, and an alert was raised.
 */
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import ccxt from 'ccxt';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/monitor/index.js';
import { type CcxtExchange, type Harness, startHarness } from '../gateway/harness.js';

const READ = { mode: 'enforce' as const, actions: ['public' as const, 'read' as const] };

/** Many bots, each a client of the one `binance-main` key. */
async function bots(h: Harness, prefix: string, n: number): Promise<CcxtExchange[]> {
  const out: CcxtExchange[] = [];
  for (let i = 0; i < n; i++) {
    const issued = await h.issue('binance', `${prefix}-${i}`, { policy: READ });
    out.push(await h.ccxt('binance', issued.credential));
  }
  return out;
}

interface Attempt {
  ok: boolean;
  status?: number;
  error?: string;
  headers: Record<string, string>;
}

/** GET /api/v3/account (weight 20) through one bot, as CCXT's implicit API sends it. */
async function account(bot: CcxtExchange, i = 0): Promise<Attempt> {
  try {
    // A distinct recvWindow per concurrent call: two calls signed in one millisecond would be one replay.
    await bot.privateGetAccount({ recvWindow: 5_000 + i });
    return { ok: true, headers: { ...bot.last_response_headers } };
  } catch (err) {
    return {
      ok: false,
      error: err instanceof ccxt.BaseError ? `${err.constructor.name}: ${err.message}` : String(err),
      headers: Object.fromEntries(
        Object.entries(bot.last_response_headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]),
      ),
    };
  }
}

/** Not within 3 s of a minute boundary: the burst's weight falls in one Binance minute. */
async function awayFromMinuteEdge(): Promise<void> {
  const into = Date.now() % 60_000;
  if (into > 55_000) await new Promise((r) => setTimeout(r, 60_500 - into));
}

const sandboxStatuses = (h: Harness, from: number) =>
  h.sandbox.log
    .slice(from)
    .filter((l) => l.exchange === 'binance')
    .map((l) => l.status);

describe('a burst of bots over Binance’s weight limit', () => {
  const LIMIT = 200; // weight per IP per minute, the sandbox's and (so configured) keywarden's
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      exchanges: ['binance'],
      sandboxLimits: { weightPerMinute: LIMIT },
      config: { rateBudgets: { limits: { binance: { 'ip-weight-1m': LIMIT } } } },
    });
  });
  afterAll(() => h?.close());

  it('never draws a 429 from the sandbox: keywarden sheds first, in Binance’s 429 shape with Retry-After', async () => {
    const fleet = await bots(h, 'burst', 5);
    await awayFromMinuteEdge();
    const mark = h.sandbox.log.length;
    // 5 bots × 4 concurrent GET /api/v3/account = 400 weight against a 200 limit.
    const attempts = await Promise.all(fleet.flatMap((bot) => [0, 1, 2, 3].map((i) => account(bot, i))));
    const statuses = sandboxStatuses(h, mark);
    expect(statuses.filter((s) => s === 429 || s === 418)).toEqual([]);
    // What did reach the sandbox stayed within the limit (5% headroom: 190 of 200 → 9 × 20).
    expect(statuses.length).toBe(9);
    const shed = attempts.filter((a) => !a.ok);
    expect(shed.length).toBe(20 - 9);
    // Each was allowed by the policy, recorded, and its outcome record says it was held back.
    await new Promise((r) => setTimeout(r, 50));
    const heldBack = h.audit.records.filter((r) => r.kind === 'outcome' && r.rule === 'rate_budget_exceeded');
    expect(heldBack.length).toBe(shed.length);
    for (const a of shed) {
      expect(a.error).toMatch(/RateLimitExceeded|DDoSProtection/);
      expect(a.error).toContain('-1003');
      expect(a.error).toContain('rate_budget_exceeded');
      expect(Number(a.headers['retry-after'])).toBeGreaterThan(0);
      expect(a.headers['x-keywarden-code']).toBe('rate_budget_exceeded');
    }
  });

  it('the shed answer is Binance’s own 429 body: {code: -1003, msg}, status 429, Retry-After in seconds', async () => {
    const issued = await h.issue('binance', 'raw-http', { policy: READ });
    const token = issued.token;
    expect(token).toBeTruthy();
    const r = await request(`${h.url}/binance/api/v3/account`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const body = (await r.body.json()) as { code: number; msg: string };
    expect(r.statusCode).toBe(429);
    expect(body).toEqual({ code: -1003, msg: expect.stringContaining('rate_budget_exceeded') });
    expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(r.headers['retry-after'])).toBeLessThanOrEqual(60);
  });
});

describe('without keywarden’s budgets (the control): the same burst breaks the limit', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      exchanges: ['binance'],
      sandboxLimits: { weightPerMinute: 200 },
      config: { rateBudgets: { enabled: false } },
    });
  });
  afterAll(() => h?.close());

  it('the sandbox answers 429 -1003 with Retry-After, and 418 once the IP keeps sending', async () => {
    const fleet = await bots(h, 'control', 5);
    await awayFromMinuteEdge();
    const mark = h.sandbox.log.length;
    const attempts = await Promise.all(fleet.flatMap((bot) => [0, 1, 2, 3].map((i) => account(bot, i))));
    const statuses = sandboxStatuses(h, mark);
    expect(statuses.filter((s) => s === 200).length).toBe(10);
    expect(statuses.filter((s) => s === 429 || s === 418).length).toBe(10);
    expect(statuses).toContain(418);
    expect(attempts.find((a) => !a.ok)?.headers['retry-after']).toBeDefined();
  });
});

describe('an exchange 429 with Retry-After', () => {
  let h: Harness;
  const alerts: Alert[] = [];
  beforeAll(async () => {
    h = await startHarness({ exchanges: ['binance'], monitor: {} });
    h.monitor?.monitor.onAlert((a) => alerts.push(a));
  });
  afterAll(() => h?.close());

  it('stops every bot of the key until it lifts, then traffic resumes, and an alert was raised', async () => {
    const [first, ...others] = await bots(h, 'stop', 4);
    if (!first) throw new Error('no bots');
    expect((await account(first)).ok).toBe(true);
    const injected = await request(
      `${h.sandbox.baseUrl('binance').replace(/\/binance$/, '')}/_sandbox/fault`,
      {
        method: 'POST',
        body: JSON.stringify({ exchange: 'binance', status: 429, retryAfterSeconds: 2 }),
      },
    );
    expect(injected.statusCode).toBe(200);
    await injected.body.text();

    const mark = h.sandbox.log.length;
    const refused = await account(first);
    const stoppedAt = Date.now();
    expect(refused.ok).toBe(false);
    expect(refused.headers['x-keywarden-code']).toBeUndefined(); // the exchange's own 429, passed through
    expect(refused.headers['retry-after']).toBe('2');
    expect(sandboxStatuses(h, mark)).toEqual([429]);

    // Every bot of the key is held back while the stop stands: nothing reaches the sandbox.
    const during = await Promise.all([...others, first].map((b) => account(b)));
    if (Date.now() - stoppedAt < 1_900) {
      for (const a of during) {
        expect(a.ok).toBe(false);
        expect(a.headers['x-keywarden-code']).toBe('rate_budget_exceeded');
        expect(Number(a.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      }
      expect(sandboxStatuses(h, mark)).toEqual([429]);
    }

    await new Promise((r) => setTimeout(r, Math.max(0, stoppedAt + 2_100 - Date.now())));
    const after = await Promise.all([...others, first].map((b) => account(b)));
    expect(after.map((a) => a.ok)).toEqual([true, true, true, true]);
    expect(sandboxStatuses(h, mark).filter((s) => s === 429 || s === 418)).toEqual([429]);

    await h.monitor?.monitor.flush();
    const alert = alerts.find((a) => a.rule === 'exchange.rate_limited');
    expect(alert?.severity).toBe('warning');
    expect(alert?.message).toMatch(/binance answered 429 .*egress IP.* 2 s/);
  });
});

const redisUp = await new Promise<boolean>((resolve) => {
  const s = connect(6379, '127.0.0.1');
  s.once('connect', () => {
    s.destroy();
    resolve(true);
  });
  s.once('error', () => resolve(false));
});

describe.skipIf(!redisUp)('two gateways sharing one egress IP budget in Redis', () => {
  const LIMIT = 200;
  let a: Harness;
  let b: Harness;
  beforeAll(async () => {
    const rateBudgets = {
      store: { url: 'redis://127.0.0.1:6379' },
      egressId: `e2e-${randomUUID()}`,
      limits: { binance: { 'ip-weight-1m': LIMIT } },
    };
    a = await startHarness({
      exchanges: ['binance'],
      sandboxLimits: { weightPerMinute: LIMIT },
      config: { rateBudgets },
    });
    // The second gateway holds the same exchange key and sends to the same sandbox (the same exchange IP).
    const shared = a.sandbox.keys;
    b = await startHarness({
      exchanges: ['binance'],
      plantKeys: (keys) => keys.splice(0, keys.length, ...shared),
      baseUrls: { binance: a.sandbox.baseUrl('binance') },
      config: { rateBudgets },
    });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('a burst split across both never draws a 429 from the exchange: together they spend one budget', async () => {
    const fleet = [...(await bots(a, 'gw-a', 3)), ...(await bots(b, 'gw-b', 3))];
    await awayFromMinuteEdge();
    const mark = a.sandbox.log.length;
    const attempts = await Promise.all(fleet.flatMap((bot) => [0, 1, 2, 3].map((i) => account(bot, i))));
    const statuses = sandboxStatuses(a, mark);
    expect(statuses.filter((s) => s === 429 || s === 418)).toEqual([]);
    expect(statuses.length).toBe(9);
    expect(
      attempts.filter((x) => !x.ok).every((x) => x.headers['x-keywarden-code'] === 'rate_budget_exceeded'),
    ).toBe(true);
  });
});
