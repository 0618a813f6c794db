import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binanceEmulator } from '../../src/sandbox/binance.js';
import { krakenEmulator } from '../../src/sandbox/kraken.js';
import { createSandbox, loadOrCreateSeed, type Sandbox } from '../../src/sandbox/server.js';

describe('sandbox server', () => {
  let sandbox: Sandbox;
  let origin: string;

  beforeAll(async () => {
    sandbox = createSandbox({
      emulators: [binanceEmulator, krakenEmulator],
      keys: [...binanceEmulator.generateKeys(), ...krakenEmulator.generateKeys()],
      maxBodyBytes: 1024,
    });
    origin = await sandbox.listen(0);
  });
  afterAll(() => sandbox.close());

  it('routes /<exchange>/... to that emulator and logs every request', async () => {
    const b = await fetch(`${origin}/binance/api/v3/ticker/price?symbol=ETHUSDT`);
    expect(await b.json()).toEqual({ symbol: 'ETHUSDT', price: '3000.00000000' });
    const k = await fetch(`${origin}/kraken/0/public/Time`);
    expect(((await k.json()) as { error: unknown[] }).error).toEqual([]);
    const log = (await (await fetch(`${origin}/_sandbox/requests`)).json()) as Array<Record<string, unknown>>;
    expect(log.slice(-2)).toMatchObject([
      {
        exchange: 'binance',
        method: 'GET',
        path: '/api/v3/ticker/price',
        query: 'symbol=ETHUSDT',
        status: 200,
        sourceIp: '127.0.0.1',
      },
      { exchange: 'kraken', path: '/0/public/Time', status: 200 },
    ]);
  });

  it('scripts prices through /_sandbox/price and refuses bad input', async () => {
    const ok = await fetch(`${origin}/_sandbox/price`, {
      method: 'POST',
      body: JSON.stringify({ symbol: 'BTC/USDT', price: 61000 }),
    });
    expect(ok.status).toBe(200);
    const t = await fetch(`${origin}/binance/api/v3/ticker/price?symbol=BTCUSDT`);
    expect(((await t.json()) as { price: string }).price).toBe('61000.00000000');
    const bad = await fetch(`${origin}/_sandbox/price`, {
      method: 'POST',
      body: '{"symbol":"BTC/USDT","price":-1}',
    });
    expect(bad.status).toBe(400);
  });

  it('answers 404 for an unknown exchange and 413 for an oversized body', async () => {
    expect((await fetch(`${origin}/nope/x`)).status).toBe(404);
    const big = await fetch(`${origin}/kraken/0/private/Balance`, { method: 'POST', body: 'x'.repeat(4096) });
    expect(big.status).toBe(413);
    expect(sandbox.log.at(-1)?.status).toBe(413);
  });
});

describe('loadOrCreateSeed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kw-seed-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the seed once with mode 0600, reuses it, and adds keys for a newly registered emulator', () => {
    const first = loadOrCreateSeed(dir, [binanceEmulator]);
    expect(first.keys.map((k) => `${k.exchange}:${k.name}`)).toEqual([
      'binance:read',
      'binance:trade',
      'binance:full',
      'binance:iprestricted',
      'binance:ed25519',
    ]);
    expect(statSync(join(dir, 'seed.json')).mode & 0o777).toBe(0o600);
    expect(loadOrCreateSeed(dir, [binanceEmulator])).toEqual(first);
    const merged = loadOrCreateSeed(dir, [binanceEmulator, krakenEmulator]);
    expect(merged.keys.slice(0, 5)).toEqual(first.keys);
    expect(merged.keys.filter((k) => k.exchange === 'kraken')).toHaveLength(4);
    expect(JSON.parse(readFileSync(join(dir, 'seed.json'), 'utf8'))).toEqual(merged);
  });

  it('refuses an unreadable seed with one clear error instead of replacing its keys', () => {
    const bad = mkdtempSync(join(tmpdir(), 'kw-seed-bad-'));
    writeFileSync(join(bad, 'seed.json'), '{not json');
    expect(() => loadOrCreateSeed(bad, [binanceEmulator])).toThrow(/sandbox seed .* is unreadable/);
    expect(readFileSync(join(bad, 'seed.json'), 'utf8')).toBe('{not json');
    rmSync(bad, { recursive: true, force: true });
  });
});
