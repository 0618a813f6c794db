/**
 * safeEqual must decide through crypto's timingSafeEqual over fixed-length digests, for equal and
 * unequal inputs alike (a `===` or an early length check would leak through timing). Timing itself
 * is too noisy to measure here, so the test checks the mechanism.
 */
import * as crypto from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';

vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  return { ...real, timingSafeEqual: vi.fn(real.timingSafeEqual) };
});

const { safeEqual } = await import('../../src/core/safe-equal.js');
const spy = vi.mocked(crypto.timingSafeEqual);

describe('safeEqual', () => {
  it('answers correctly for equal, different and differently long inputs', () => {
    expect(safeEqual('kw_abc', 'kw_abc')).toBe(true);
    expect(safeEqual(Buffer.from('kw_abc'), 'kw_abc')).toBe(true);
    expect(safeEqual('kw_abc', 'kw_abd')).toBe(false);
    expect(safeEqual('kw_abc', 'kw_abc_longer')).toBe(false);
    expect(safeEqual('', 'x')).toBe(false);
  });

  it('always compares two 32-byte digests with timingSafeEqual, whatever the input lengths', () => {
    spy.mockClear();
    for (const [a, b] of [
      ['same', 'same'],
      ['a', 'b'],
      ['short', 'a much longer value than the other one'],
    ] as const)
      safeEqual(a, b);
    expect(spy).toHaveBeenCalledTimes(3);
    for (const [x, y] of spy.mock.calls) {
      expect((x as Buffer).length).toBe(32);
      expect((y as Buffer).length).toBe(32);
    }
  });
});
