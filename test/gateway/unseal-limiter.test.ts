import { describe, expect, it } from 'vitest';
import { createUnsealLimiter } from '../../src/gateway/unseal-limiter.js';

const limits = { baseDelayMs: 1_000, maxDelayMs: 4_000, maxFailures: 4, lockoutMs: 60_000 };

describe('unseal limiter', () => {
  it('runs one attempt per peer at a time; other peers are independent', () => {
    const now = 0;
    const l = createUnsealLimiter({ now: () => now }, limits);
    expect(l.begin('127.0.0.1')).toEqual({ ok: true });
    expect(l.begin('127.0.0.1')).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(l.begin('::1')).toEqual({ ok: true });
    l.end('127.0.0.1', true);
    expect(l.begin('127.0.0.1')).toEqual({ ok: true });
  });

  it('doubles the delay per failure up to the cap, then locks out, then forgets', () => {
    let now = 0;
    const l = createUnsealLimiter({ now: () => now }, limits);
    const fail = () => {
      expect(l.begin('p')).toEqual({ ok: true });
      l.end('p', false);
    };
    // Waits of 1, 2, 4 s (the cap), then the lockout; each waited out before the next failure.
    for (const wait of [1, 2, 4, 60]) {
      fail();
      expect(l.begin('p')).toEqual({ ok: false, retryAfterSeconds: wait });
      now += wait * 1_000;
    }
    fail();
    // After a lockout the count starts again: the next delay is the base delay.
    expect(l.begin('p')).toEqual({ ok: false, retryAfterSeconds: 1 });
    // Quiet for a lockout period: failures forgotten.
    now += 1_000 + 60_000;
    fail();
    expect(l.begin('p')).toEqual({ ok: false, retryAfterSeconds: 1 });
  });
});
