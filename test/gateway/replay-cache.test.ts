import { describe, expect, it } from 'vitest';
import { createReplayCache } from '../../src/gateway/replay-cache.js';

describe('replay cache', () => {
  it('refuses a key seen inside its window, per client, and accepts it again once the window passed', () => {
    let t = 0;
    const c = createReplayCache(() => t);
    expect(c.accept('a', 'sig1', 1_000)).toBe(true);
    expect(c.accept('a', 'sig1', 1_000)).toBe(false);
    expect(c.accept('b', 'sig1', 1_000)).toBe(true);
    t = 999;
    expect(c.accept('a', 'sig1', 1_000)).toBe(false);
    t = 1_000;
    expect(c.accept('a', 'sig1', 1_000)).toBe(true);
    expect(c.accept('a', 'sig1', 1_000)).toBe(false);
  });
  it('windows of different lengths expire independently', () => {
    let t = 0;
    const c = createReplayCache(() => t);
    c.accept('a', 'long', 60_000);
    c.accept('a', 'short', 10);
    t = 20;
    expect(c.accept('a', 'short', 10)).toBe(true);
    expect(c.accept('a', 'long', 60_000)).toBe(false);
  });
  it('stays bounded: the oldest entries go first past maxEntries', () => {
    const t = 0;
    const c = createReplayCache(() => t, 100);
    for (let i = 0; i < 10_000; i++) expect(c.accept('a', `k${i}`, 60_000)).toBe(true);
    expect(c.accept('a', 'k9999', 60_000)).toBe(false);
    expect(c.accept('a', 'k0', 60_000)).toBe(true);
  });
});
