/**
 * Each anomaly detector, end to end: bots send real token-mode traffic through the gateway to
 * the sandbox for three simulated days (one injected clock shared by the gateway, the sandbox
 * and the monitor), learn their baselines past a small warm-up, then one of them misbehaves in
 * exactly one way. The alert must arrive at a real HMAC-verifying webhook receiver, name what
 * was seen and what is usual, and the well-behaved control bot must raise nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Policy } from '../../src/policy/policy-types.js';
import { type Harness, startHarness } from '../gateway/harness.js';
import {
  type AlertReceiver,
  binanceOrder,
  call,
  HOOK_ENV,
  movableClock,
  startAlertReceiver,
  webhookSink,
} from './monitor-support.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** A Monday, 00:00 UTC; the bots work 10:00–10:05 UTC every day. */
const T0 = Date.UTC(2031, 0, 6);
const WORK = 10 * HOUR;
const HOME_IP = '10.0.0.5';
const BOTS = ['steady', 'spiky', 'explorer', 'roamer', 'whale', 'owl'] as const;
type Bot = (typeof BOTS)[number];

const POLICY: Policy = {
  mode: 'enforce',
  actions: ['public', 'read', 'trade', 'cancel'],
  symbols: { allow: ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'] },
};

const clock = movableClock(T0);
let h: Harness;
let hook: AlertReceiver;
const tokens = new Map<Bot, string>();

function token(bot: Bot): string {
  const t = tokens.get(bot);
  if (!t) throw new Error(`no token for ${bot}`);
  return t;
}

async function ok(bot: Bot, method: string, path: string, body?: string, ip = HOME_IP): Promise<void> {
  const r = await call(h, 'binance', method, path, {
    token: token(bot),
    ip,
    ...(body !== undefined ? { body } : {}),
  });
  expect(r.code, `${bot} ${method} ${path}: ${r.body}`).toBeUndefined();
}

/** One working minute of a well-behaved bot: two reads and two small orders (≈600 USDT each). */
async function routine(bot: Bot, i: number): Promise<void> {
  await ok(bot, 'GET', '/api/v3/account');
  await ok(
    bot,
    'POST',
    '/api/v3/order',
    binanceOrder('BTCUSDT', [0.009, 0.01, 0.011][i % 3] ?? 0.01, 59_000),
  );
  await ok(bot, 'GET', '/api/v3/openOrders?symbol=BTCUSDT');
  await ok(bot, 'POST', '/api/v3/order', binanceOrder('ETHUSDT', [0.19, 0.2, 0.21][i % 3] ?? 0.2, 3_000));
}

/** Every bot's working minutes on `day`, 10:00–10:05 UTC. */
async function workday(day: number, bots: readonly Bot[]): Promise<void> {
  for (let minute = 0; minute < 6; minute++) {
    clock.set(T0 + day * DAY + WORK + minute * MINUTE + 1_000);
    for (const bot of bots) await routine(bot, day * 6 + minute);
  }
}

async function settle(): Promise<void> {
  await h.monitor?.flush();
}

beforeAll(async () => {
  hook = await startAlertReceiver();
  h = await startHarness({
    exchanges: ['binance'],
    clock,
    monitor: { env: HOOK_ENV },
    config: {
      server: { trustedProxies: ['127.0.0.1/32'] },
      // The bots trade in bursts the default bucket would throttle less generously than a spike needs;
      // all of them share one source IP, and the simulated days pass in bursts of real milliseconds.
      rateLimit: { perSecond: 100, burst: 100, perIpPerSecond: 0 },
      monitor: {
        anomaly: {
          warmup: { events: 20, minutes: 0 },
          rate: { floorPerMinute: 10 },
          hours: { minHistoryHours: 48 },
        },
        sinks: [webhookSink(hook.url)],
      },
    },
  });
  for (const bot of BOTS) tokens.set(bot, (await h.issue('binance', bot, { policy: POLICY })).token);
  // Three days of learning: far past the warm-up (20 events), history spans more than 48 h.
  for (let day = 0; day < 3; day++) await workday(day, BOTS);
  await settle();
}, 120_000);

afterAll(async () => {
  await h?.close();
  await hook?.close();
});

describe('anomaly detection, end to end', () => {
  it('learning three days of routine traffic raised nothing', () => {
    expect(hook.alerts).toEqual([]);
    expect(hook.rejected).toEqual([]);
  });

  it('anomaly.unusual_hour: the owl shows up at 03:00 UTC, an hour it never used', async () => {
    clock.set(T0 + 3 * DAY + 3 * HOUR);
    await ok('owl', 'GET', '/api/v3/account');
    await settle();
    expect(hook.alerts.filter((a) => a.client === 'owl')).toMatchObject([
      {
        rule: 'anomaly.unusual_hour',
        severity: 'info',
        message: expect.stringMatching(/03:00–04:00 UTC.*usual hours \(UTC\): 10:00–11:00/),
      },
    ]);
  });

  it('anomaly.rate_spike: the spiky bot sends 30 requests in one minute (usual: 4)', async () => {
    clock.set(T0 + 3 * DAY + WORK + 1_000);
    for (let i = 0; i < 30; i++) await ok('spiky', 'GET', '/api/v3/account');
    await settle();
    const alerts = hook.alerts.filter((a) => a.client === 'spiky');
    expect(alerts.map((a) => a.rule)).toEqual(['anomaly.rate_spike']);
    expect(alerts[0]?.message).toMatch(/rate \d+\/min, usual 4(\.0)?±[\d.]+\/min/);
  });

  it('anomaly.new_symbol: the explorer trades SOL/USDT for the first time (allowed by policy)', async () => {
    clock.set(T0 + 3 * DAY + WORK + MINUTE + 1_000);
    await ok('explorer', 'POST', '/api/v3/order', binanceOrder('SOLUSDT', 4, 150));
    await settle();
    const alerts = hook.alerts.filter((a) => a.client === 'explorer');
    expect(alerts.map((a) => a.rule)).toEqual(['anomaly.new_symbol']);
    expect(alerts[0]?.message).toContain('symbol SOL/USDT seen for the first time');
    expect(alerts[0]?.message).toMatch(/usual symbols: .*BTC\/USDT/);
  });

  it('anomaly.new_ip: the roamer calls from an address it never used', async () => {
    clock.set(T0 + 3 * DAY + WORK + 2 * MINUTE + 1_000);
    await ok('roamer', 'GET', '/api/v3/account', undefined, '10.0.0.77');
    await settle();
    expect(hook.alerts.filter((a) => a.client === 'roamer')).toMatchObject([
      {
        rule: 'anomaly.new_ip',
        message: expect.stringMatching(
          /request from 10\.0\.0\.77 seen for the first time; usual source IPs: 10\.0\.0\.5/,
        ),
      },
    ]);
  });

  it('anomaly.notional_outlier: the whale orders ~100× its usual size', async () => {
    clock.set(T0 + 3 * DAY + WORK + 3 * MINUTE + 1_000);
    await ok('whale', 'POST', '/api/v3/order', binanceOrder('BTCUSDT', 1, 59_000));
    await settle();
    const alerts = hook.alerts.filter((a) => a.client === 'whale');
    expect(alerts.map((a) => a.rule)).toEqual(['anomaly.notional_outlier']);
    expect(alerts[0]?.message).toMatch(/order notional 59,?000, usual ≈/);
  });

  it('the control bot, continuing its routine for two more days, raises nothing', async () => {
    await workday(3, ['steady']);
    await workday(4, ['steady']);
    await settle();
    expect(hook.alerts.filter((a) => a.client === 'steady')).toEqual([]);
    // Exactly one alert per misbehaviour, nothing else.
    expect(hook.alerts.map((a) => `${a.client}:${a.rule}`).sort()).toEqual([
      'explorer:anomaly.new_symbol',
      'owl:anomaly.unusual_hour',
      'roamer:anomaly.new_ip',
      'spiky:anomaly.rate_spike',
      'whale:anomaly.notional_outlier',
    ]);
    expect(hook.rejected).toEqual([]);
  });
});
