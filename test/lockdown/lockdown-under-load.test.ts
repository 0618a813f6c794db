/**
 * Lockdown under load: bots send requests in a loop through the real gateway while a lockdown
 * runs on a separate store connection (as the CLI in another process does). No request that
 * started after `lockdown()` returned is accepted or reaches the exchange; requests in flight
 * at that moment may finish; a bot on another key is not disturbed.
 */
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExchangeId } from '../../src/core/index.js';
import { type Harness, startHarness } from '../gateway/harness.js';
import { call, lockdownProcess, READ, type SecondProcess } from './lockdown-helpers.js';

interface Sample {
  bot: string;
  exchange: ExchangeId;
  start: number;
  end: number;
  status: number;
  code: string | undefined;
}

let h: Harness;
let p: SecondProcess;
beforeAll(async () => {
  // The bots loop as fast as the sandbox answers, past OKX's 20 requests per endpoint per 2 s
  // that keywarden's rate budget models; this test is about lockdown, so that limit is lifted.
  h = await startHarness({
    exchanges: ['binance', 'okx'],
    config: {
      rateBudgets: { limits: { okx: { 'key-endpoint-2s': 1_000_000, 'ip-endpoint-2s': 1_000_000 } } },
    },
  });
  p = await lockdownProcess(h);
}, 60_000);
afterAll(async () => {
  await p.close();
  await h.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('lockdown under load', () => {
  it('accepts no request that started after lockdown returned', async () => {
    const bots: Array<{ name: string; exchange: ExchangeId; token: string }> = [];
    for (const [name, exchange] of [
      ['load-1', 'binance'],
      ['load-2', 'binance'],
      ['load-3', 'binance'],
      ['control', 'okx'],
    ] as const)
      bots.push({ name, exchange, token: (await h.issue(exchange, name, { ratePerSecond: 0 })).token });

    const samples: Sample[] = [];
    const inFlight = new Map<number, { exchange: ExchangeId; start: number }>();
    let seq = 0;
    let stop = false;
    const deadline = performance.now() + 60_000;
    const loop = async (bot: (typeof bots)[number]) => {
      for (let i = 0; i < 20_000 && !stop && performance.now() < deadline; i++) {
        const id = seq++;
        const start = performance.now();
        inFlight.set(id, { exchange: bot.exchange, start });
        const r = await call(h, bot.exchange, bot.token);
        inFlight.delete(id);
        samples.push({ bot: bot.name, exchange: bot.exchange, start, end: performance.now(), ...r });
      }
    };
    const sandboxMark = h.sandbox.log.length;
    // Two loops per bot: requests of one client overlap, as a busy bot's do.
    const running = bots.flatMap((b) => [loop(b), loop(b)]);
    const accepted = (after = 0) =>
      samples.filter((s) => s.exchange === 'binance' && s.status === 200 && s.start > after).length;
    while (accepted() < 150 && performance.now() < deadline) await sleep(10);

    const { lockdown } = await p.service.lockdown({
      scope: { kind: 'key', ref: 'binance-main' },
      reason: 'load test',
    });
    const returned = performance.now();
    const sandboxAtReturn = h.sandbox.log.length;
    const inFlightAtReturn = [...inFlight.values()].filter((f) => f.exchange === 'binance').length;
    expect(lockdown.frozen.sort()).toEqual(['load-1', 'load-2', 'load-3']);

    const startedAfter = () => samples.filter((s) => s.start > returned);
    while (
      (startedAfter().filter((s) => s.exchange === 'binance').length < 150 ||
        startedAfter().filter((s) => s.exchange === 'okx').length < 50) &&
      performance.now() < deadline
    )
      await sleep(10);
    stop = true;
    await Promise.all(running);

    const after = startedAfter();
    const binanceAfter = after.filter((s) => s.exchange === 'binance');
    // The test means something: plenty of traffic on both sides of the lockdown.
    expect(accepted()).toBeGreaterThanOrEqual(150);
    expect(binanceAfter.length).toBeGreaterThanOrEqual(150);
    // Not one request that started after the lockdown returned was accepted …
    expect(binanceAfter.filter((s) => s.status === 200)).toEqual([]);
    expect(new Set(binanceAfter.map((s) => s.code))).toEqual(new Set(['client_frozen']));
    // … while the bot on another key kept working (positive control).
    const okxAfter = after.filter((s) => s.exchange === 'okx');
    expect(okxAfter.length).toBeGreaterThanOrEqual(50);
    expect(okxAfter.every((s) => s.status === 200)).toBe(true);

    // The exchange saw exactly the accepted requests, and after the return at most those in flight.
    const binanceLog = (from: number) =>
      h.sandbox.log.slice(from).filter((l) => l.exchange === 'binance' && l.path === READ.binance.path);
    expect(binanceLog(sandboxMark)).toHaveLength(accepted());
    expect(binanceLog(sandboxAtReturn).length).toBeLessThanOrEqual(inFlightAtReturn);
  }, 120_000);
});
