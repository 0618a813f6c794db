/**
 * Rate budgets over WebSocket, end to end: clients of one Binance key send a burst of signed
 * `account.status` frames (weight 20 each, the REST `GET /api/v3/account` weight) through the
 * gateway's `/binance/ws-api/v3` to the sandbox, whose WebSocket API counts the same per-IP
 * minute as its REST face (429 with `retryAfter`, then 418). keywarden sheds first, in Binance's
 * WebSocket error shape under the frame's id, so the sandbox never answers 429; without the
 * budgets (the control) the same burst draws the sandbox's 429s. An exchange 429 in a WebSocket
 * frame stops the IP for REST and WebSocket alike.
 */
import ccxt from 'ccxt';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Credential } from '../../src/exchanges/adapter.js';
import { binanceSignature } from '../../src/exchanges/binance/index.js';
import { type Harness, startHarness } from '../gateway/harness.js';

const READ = { mode: 'enforce' as const, actions: ['public' as const, 'read' as const] };
type Frame = {
  id?: unknown;
  status?: number;
  error?: { code?: number; msg?: string; data?: { retryAfter?: number } };
};

async function socket(h: Harness) {
  const ws = new WebSocket(`${h.url.replace(/^http/, 'ws')}/binance/ws-api/v3`);
  const waiting = new Map<unknown, (v: Frame) => void>();
  ws.on('message', (d) => {
    const v = JSON.parse(d.toString()) as Frame;
    waiting.get(v.id)?.(v);
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return {
    ws,
    request: (frame: { id: string; method: string; params: object }) =>
      new Promise<Frame>((resolve) => {
        waiting.set(frame.id, resolve);
        ws.send(JSON.stringify(frame));
      }),
  };
}

/** A signed account.status; a distinct recvWindow per frame (two signed in one millisecond would be one replay). */
function accountStatus(credential: Credential, id: string, i: number) {
  const params: Record<string, string | number> = {
    apiKey: credential.apiKey,
    recvWindow: 5_000 + i,
    timestamp: Date.now(),
  };
  const payload = Object.keys(params)
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');
  return {
    id,
    method: 'account.status',
    params: { ...params, signature: binanceSignature(payload, credential.secret) },
  };
}

async function awayFromMinuteEdge(): Promise<void> {
  const into = Date.now() % 60_000;
  if (into > 54_000) await new Promise((r) => setTimeout(r, 60_500 - into));
}

const wsStatuses = (h: Harness, from: number) =>
  h.sandbox.log
    .slice(from)
    .filter((l) => l.exchange === 'binance' && l.method === 'WS')
    .map((l) => l.status);

/** 3 clients × 5 concurrent account.status = 300 weight against a 200 limit. */
async function burst(h: Harness, prefix: string) {
  const sockets = [];
  for (let c = 0; c < 3; c++) {
    const issued = await h.issue('binance', `${prefix}-${c}`, { policy: READ });
    sockets.push({ credential: issued.credential, s: await socket(h), c });
  }
  await awayFromMinuteEdge();
  const mark = h.sandbox.log.length;
  const frames = await Promise.all(
    sockets.flatMap(({ credential, s, c }) =>
      [0, 1, 2, 3, 4].map(async (i) => {
        const id = `${prefix}-${c}-${i}`;
        return { id, answer: await s.request(accountStatus(credential, id, i)) };
      }),
    ),
  );
  for (const { s } of sockets) s.ws.close();
  return { frames, statuses: wsStatuses(h, mark) };
}

describe('a WebSocket burst over Binance’s weight limit', () => {
  const LIMIT = 200;
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      exchanges: ['binance'],
      sandboxLimits: { weightPerMinute: LIMIT },
      config: { rateBudgets: { limits: { binance: { 'ip-weight-1m': LIMIT } } } },
    });
  });
  afterAll(() => h?.close());

  it('never draws a 429 from the sandbox: keywarden sheds first, status 429 -1003 with retryAfter, under the frame’s id', async () => {
    const { frames, statuses } = await burst(h, 'wsb');
    expect(statuses.filter((s) => s === 429 || s === 418)).toEqual([]);
    const sent = frames.filter((f) => f.answer.status === 200);
    const shed = frames.filter((f) => f.answer.status !== 200);
    // What reached the sandbox: 190 of 200 (5% headroom) = 3 connections × 2 + 9 × 20 = 186.
    expect(sent.length).toBe(statuses.length);
    expect(sent.length).toBe(9);
    expect(shed.length).toBe(15 - 9);
    const before = Date.now();
    for (const f of shed) {
      expect(f.answer.id).toBe(f.id);
      expect(f.answer.status).toBe(429);
      expect(f.answer.error?.code).toBe(-1003);
      expect(f.answer.error?.msg).toContain('rate_budget_exceeded');
      expect(f.answer.error?.data?.retryAfter).toBeGreaterThan(before - 1_000);
    }
    await new Promise((r) => setTimeout(r, 50));
    const heldBack = h.audit.records.filter((r) => r.kind === 'outcome' && r.rule === 'rate_budget_exceeded');
    expect(heldBack.length).toBe(shed.length);
  });
});

describe('without keywarden’s budgets (the control): the same WebSocket burst breaks the limit', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      exchanges: ['binance'],
      sandboxLimits: { weightPerMinute: 200 },
      config: { rateBudgets: { enabled: false } },
    });
  });
  afterAll(() => h?.close());

  it('the sandbox answers status 429 -1003 with retryAfter, then 418', async () => {
    const { frames, statuses } = await burst(h, 'wsc');
    // 3 connections × 2 + 9 × 20 = 186 ≤ 200: the tenth account.status breaks the minute.
    expect(statuses.filter((s) => s === 200).length).toBe(9);
    expect(statuses.filter((s) => s === 429 || s === 418).length).toBe(6);
    expect(statuses).toContain(418);
    const refused = frames.find((f) => f.answer.status === 429);
    expect(refused?.answer.error?.code).toBe(-1003);
    expect(refused?.answer.error?.msg).not.toContain('keywarden');
    expect(refused?.answer.error?.data?.retryAfter).toBeGreaterThan(Date.now());
  });
});

describe('an exchange 429 in a WebSocket frame', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ exchanges: ['binance'] });
  });
  afterAll(() => h?.close());

  it('stops the IP for WebSocket and REST alike until its retryAfter lifts', async () => {
    const issued = await h.issue('binance', 'ws-stop', { policy: READ });
    const s = await socket(h);
    try {
      expect((await s.request(accountStatus(issued.credential, 'a', 0))).status).toBe(200);
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
      const refused = await s.request(accountStatus(issued.credential, 'b', 1));
      const stoppedAt = Date.now();
      expect(refused).toMatchObject({ id: 'b', status: 429, error: { code: -1003 } });
      expect(refused.error?.msg).not.toContain('keywarden');
      // Held back while the stop stands: a WebSocket frame and a REST call, neither reaches the sandbox.
      const ws = await s.request(accountStatus(issued.credential, 'c', 2));
      const bot = await h.ccxt('binance', issued.credential);
      const rest = await bot.privateGetAccount({ recvWindow: 7_000 }).then(
        () => 'sent',
        (err: unknown) => (err instanceof ccxt.BaseError ? err.message : String(err)),
      );
      if (Date.now() - stoppedAt < 1_900) {
        expect(ws).toMatchObject({ id: 'c', status: 429, error: { code: -1003 } });
        expect(ws.error?.msg).toContain('rate_budget_exceeded');
        expect(rest).toContain('rate_budget_exceeded');
        expect(h.sandbox.log.slice(mark).map((l) => l.status)).toEqual([429]);
      }
      await new Promise((r) => setTimeout(r, Math.max(0, stoppedAt + 2_100 - Date.now())));
      expect((await s.request(accountStatus(issued.credential, 'd', 3))).status).toBe(200);
    } finally {
      s.ws.close();
    }
  });
});
