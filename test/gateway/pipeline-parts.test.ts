import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientAddress, createAllowList } from '../../src/gateway/ip.js';
import { createRateLimiter } from '../../src/gateway/rate-limit.js';
import { checkTarget, isSaneHost } from '../../src/gateway/target.js';

describe('request target checks', () => {
  it('accepts exchange paths and splits the query', () => {
    expect(checkTarget('/binance/api/v3/order?symbol=BTCUSDT')).toEqual({
      ok: true,
      exchange: 'binance',
      path: '/api/v3/order',
      query: 'symbol=BTCUSDT',
    });
    expect(checkTarget('/kraken/0/private/AddOrder').ok).toBe(true);
  });

  it('never yields a path with a dot segment, a percent sign, a backslash or an empty segment', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (tail) => {
        const r = checkTarget(`/binance/${tail}`);
        if (!r.ok) return;
        const segs = r.path.split('/').slice(1, -1);
        expect(r.path).not.toMatch(/%|\\|\s/);
        expect(segs.every((s) => s !== '' && s !== '.' && s !== '..')).toBe(true);
      }),
    );
  });

  it('refuses unknown exchanges and absolute forms', () => {
    expect(checkTarget('/ftx/api').ok).toBe(false);
    expect(checkTarget('http://x/binance/api').ok).toBe(false);
    expect(checkTarget('//x/binance/api').ok).toBe(false);
  });

  it('host header sanity', () => {
    expect(isSaneHost('127.0.0.1:8787')).toBe(true);
    expect(isSaneHost('[::1]:8787')).toBe(true);
    expect(isSaneHost('gateway.internal')).toBe(true);
    expect(isSaneHost('a/b')).toBe(false);
    expect(isSaneHost('a@b')).toBe(false);
    expect(isSaneHost(undefined)).toBe(false);
  });
});

describe('IP allow-list', () => {
  it('matches IPv4 and IPv6 CIDRs, including IPv4-mapped addresses', () => {
    const list = createAllowList(['10.0.0.0/8', '2001:db8::/32', '192.0.2.7']);
    expect(list.allows('10.1.2.3')).toBe(true);
    expect(list.allows('::ffff:10.1.2.3')).toBe(true);
    expect(list.allows('2001:db8::1')).toBe(true);
    expect(list.allows('192.0.2.7')).toBe(true);
    expect(list.allows('192.0.2.8')).toBe(false);
    expect(list.allows('11.0.0.1')).toBe(false);
    expect(list.allows('2001:db9::1')).toBe(false);
    expect(list.allows('garbage')).toBe(false);
    expect(createAllowList([]).allows('1.2.3.4')).toBe(true);
  });

  it('believes X-Forwarded-For only from trusted proxies', () => {
    const trusted = createAllowList(['127.0.0.1', '10.0.0.0/8']);
    expect(clientAddress('127.0.0.1', '203.0.113.5', trusted)).toBe('203.0.113.5');
    expect(clientAddress('198.51.100.1', '10.0.0.9', trusted)).toBe('198.51.100.1');
    // A client cannot prepend a forged hop: the right-most untrusted entry wins.
    expect(clientAddress('127.0.0.1', '10.9.9.9, 203.0.113.5, 10.0.0.2', trusted)).toBe('203.0.113.5');
    expect(clientAddress('127.0.0.1', 'not-an-ip', trusted)).toBe('127.0.0.1');
    expect(clientAddress('::ffff:127.0.0.1', undefined, createAllowList([]))).toBe('127.0.0.1');
  });
});

describe('token bucket', () => {
  it('allows a burst, then refills at the configured rate; 0 is unlimited', async () => {
    let t = 0;
    const rl = createRateLimiter(() => t);
    const burst = [];
    for (let i = 0; i < 6; i++) burst.push(await rl.take('c', 2, 5));
    expect(burst).toEqual(['admitted', 'admitted', 'admitted', 'admitted', 'admitted', 'limited']);
    t += 500;
    expect(await rl.take('c', 2, 5)).toBe('admitted');
    expect(await rl.take('c', 2, 5)).toBe('limited');
    expect(await rl.take('other', 2, 5)).toBe('admitted');
    for (let i = 0; i < 1000; i++) expect(await rl.take('free', 0, 1)).toBe('admitted');
  });

  it('a store that does not answer refuses (closed, the default) or admits (open), and says so', async () => {
    const down = { take: () => Promise.reject(new Error('connect ECONNREFUSED')) };
    const errors: unknown[] = [];
    const closed = createRateLimiter(() => 0, { store: down, onStoreError: (e) => errors.push(e) });
    expect(await closed.take('c', 2, 5)).toBe('unavailable');
    expect(errors).toHaveLength(1);
    const open = createRateLimiter(() => 0, { store: down, onError: 'open' });
    expect(await open.take('c', 2, 5)).toBe('admitted');
    // Control: an unlimited bucket never asks the store.
    expect(await closed.take('c', 0, 5)).toBe('admitted');
    expect(errors).toHaveLength(1);
  });
});
