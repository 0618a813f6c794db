/** `serve` on PostgreSQL warns at start about every limit still counted per process (no Redis named). */
import { describe, expect, it } from 'vitest';
import { unsharedLimits } from '../../src/cli/serve.js';
import { parseConfig } from '../../src/config/index.js';

const PG = 'postgres://kw@db.internal:5432/keywarden';

describe('serve: limits not shared between gateways', () => {
  it('warns on PostgreSQL without a Redis for the rate limits and the budgets', () => {
    const warnings = unsharedLimits(parseConfig({ store: { url: PG } }));
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/rateLimit\.store\.url is not set.*N times/);
    expect(warnings[1]).toMatch(/rateBudgets\.store\.url is not set/);
  });

  it('says nothing when both name a Redis, or for one process on SQLite', () => {
    const redis = { url: 'redis://127.0.0.1:6379' };
    expect(
      unsharedLimits(
        parseConfig({ store: { url: PG }, rateLimit: { store: redis }, rateBudgets: { store: redis } }),
      ),
    ).toEqual([]);
    expect(unsharedLimits(parseConfig({}))).toEqual([]);
  });

  it('old configs stay valid; a bad Redis URL or prefix is refused with its key path', () => {
    expect(parseConfig({ rateLimit: { perSecond: 5, burst: 10 } }).rateLimit.store).toEqual({
      onError: 'closed',
      timeoutMs: 250,
      prefix: 'kw:limit:',
    });
    expect(() => parseConfig({ rateLimit: { store: { url: 'http://x' } } })).toThrow(/rateLimit\.store\.url/);
    expect(() => parseConfig({ rateLimit: { store: { prefix: 'a b' } } })).toThrow(
      /rateLimit\.store\.prefix/,
    );
    expect(parseConfig({ rateBudgets: { store: { onError: 'open' } } }).rateBudgets.store.prefix).toBe(
      'kw:budget:',
    );
  });
});
