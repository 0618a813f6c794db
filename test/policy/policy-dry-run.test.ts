/**
 * A policy's dry run over recorded requests: rules judged on the recorded facts, the daily and
 * per-minute caps replayed in order, withdrawal addresses matched by HMAC, and what a record
 * cannot tell reported as undetermined rather than guessed.
 */
import { describe, expect, it } from 'vitest';
import { dryRunPolicy, type RecordedRequest, validatePolicy } from '../../src/policy/index.js';

const T = Date.UTC(2026, 0, 5, 12);
const ctx = {
  clientEnvironment: () => 'prod',
  keyEnvironment: () => 'prod',
  hmac: (v: string) => `h(${v})`,
};
const rec = (seq: number, extra: Partial<RecordedRequest>): RecordedRequest => ({
  seq,
  at: T + seq * 1000,
  kind: 'request',
  clientId: 'cl_1',
  actor: 'bot',
  decision: 'allow',
  ...extra,
});
const trade = (seq: number, notional: number, symbol = 'BTC/USDT') =>
  rec(seq, { action: 'trade', endpoint: 'POST /api/v3/order', symbol, side: 'buy', notional });

describe('policy dry run', () => {
  it('replays the daily notional cap in order: only what the new policy would have let through counts', () => {
    const policy = validatePolicy({ actions: ['trade'], maxDailyNotional: 100 });
    const r = dryRunPolicy(policy, [trade(1, 60), trade(2, 60), trade(3, 30)], ctx);
    expect(r.wouldDeny.map((d) => [d.seq, d.rule])).toEqual([[2, 'maxDailyNotional']]);
    expect(r.evaluated).toBe(3);
  });

  it('matches a withdrawal address by its audit HMAC; an unknown one would be denied', () => {
    const policy = validatePolicy({ actions: ['withdraw'], withdrawals: { addresses: ['addrA'] } });
    const w = (seq: number, address: string) =>
      rec(seq, { action: 'withdraw', endpoint: 'POST /withdraw', hmacs: { address: `h(${address})` } });
    const r = dryRunPolicy(policy, [w(1, 'addrA'), w(2, 'addrB')], ctx);
    expect(r.wouldDeny.map((d) => [d.seq, d.rule])).toEqual([[2, 'withdrawals.address']]);
  });

  it('says what it cannot judge: unpriced orders are undetermined, requests refused before the policy skipped', () => {
    const policy = validatePolicy({ actions: ['trade'], maxOrderNotional: 50, priceBandPercent: 1 });
    const unpriced = rec(1, {
      action: 'trade',
      endpoint: 'POST /api/v3/order',
      symbol: 'BTC/USDT',
      side: 'buy',
    });
    const refused = rec(2, { decision: 'deny', rule: 'auth_bad_signature' });
    const r = dryRunPolicy(policy, [unpriced, refused, trade(3, 80)], ctx);
    expect(r.undetermined).toEqual([expect.objectContaining({ seq: 1, rule: 'unpriced' })]);
    expect(r.skipped).toBe(1);
    expect(r.wouldDeny.map((d) => [d.seq, d.rule])).toEqual([[3, 'maxOrderNotional']]);
    expect(r.notEvaluated.join('\n')).toMatch(/priceBand/);
  });
});
