import type { Alert, MonitorEvent, RequestEvent, SystemEvent } from '../../src/monitor/monitor-types.js';

export const T0 = Date.UTC(2026, 10, 2, 8, 0, 0);
let seq = 0;

/** A normal, allowed request from the bot `bot-a` unless overridden. */
export function req(at: number, over: Partial<RequestEvent> = {}): RequestEvent {
  seq += 1;
  return {
    type: 'request',
    at,
    requestId: `req_${seq}`,
    client: 'bot-a',
    keyLabel: 'binance-main',
    exchange: 'binance',
    action: 'trade',
    endpoint: 'POST /api/v3/order',
    symbols: ['BTC/USDT'],
    notional: 150,
    sourceIp: '10.0.0.5',
    decision: 'allow',
    latencyMs: 42,
    ...over,
  };
}

export function sys(kind: SystemEvent['kind'], over: Partial<SystemEvent> = {}): SystemEvent {
  return { type: 'system', at: T0, kind, message: `${kind} happened`, ...over };
}

/** Deterministic pseudo-random numbers (mulberry32) so streams are realistic but repeatable. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Several days of a well-behaved trading bot: 8–15 requests a minute during 08:00–17:59 UTC,
 * BTC/USDT and ETH/USDT, orders worth 80–250, always from 10.0.0.5 (reads mixed in).
 */
export function normalTraffic(days: number, seed = 1, client = 'bot-a'): RequestEvent[] {
  const random = rng(seed);
  const out: RequestEvent[] = [];
  for (let day = 0; day < days; day++) {
    for (let minute = 0; minute < 10 * 60; minute++) {
      const start = T0 + day * 86_400_000 + minute * 60_000;
      const n = 8 + Math.floor(random() * 8);
      for (let i = 0; i < n; i++) {
        const at = start + Math.floor((i / n) * 60_000);
        const trade = random() < 0.4;
        out.push(
          req(at, {
            client,
            action: trade ? 'trade' : 'read',
            endpoint: trade ? 'POST /api/v3/order' : 'GET /api/v3/openOrders',
            symbols: [random() < 0.7 ? 'BTC/USDT' : 'ETH/USDT'],
            notional: trade ? 80 + random() * 170 : undefined,
          }),
        );
      }
    }
  }
  return out;
}

export function feed(observe: (e: MonitorEvent) => void, events: MonitorEvent[]): void {
  for (const e of events) observe(e);
}

export function rulesOf(alerts: Alert[]): string[] {
  return alerts.map((a) => a.rule);
}
