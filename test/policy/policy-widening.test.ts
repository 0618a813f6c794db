/**
 * isWidening, property-tested: any chain of narrowing edits reports nothing; any single
 * widening edit is reported. Plus the IP allow-list counterpart.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Action } from '../../src/core/index.js';
import { isWidening, type Policy, widerIpList } from '../../src/policy/index.js';

const ACTIONS: Action[] = ['public', 'read', 'trade', 'cancel', 'withdraw', 'transfer', 'margin', 'convert'];
const MARKETS = ['spot', 'swap', 'future', 'option'] as const;
const SYMBOLS = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT', 'BTC/*', '*/USDC', 'BTC/USDT:USDT'];
const ADDRESSES = ['addr-a', 'addr-b', 'addr-c', 'addr-d'];
const COINS = ['BTC', 'USDT', 'ETH'];
const CAPS = [
  'maxOrderNotional',
  'maxDailyNotional',
  'maxOrdersPerMinute',
  'priceBandPercent',
  'maxLeverage',
] as const;
const HHMM = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 15, 30, 45))
  .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
const sub = <T>(xs: readonly T[]) => fc.subarray([...xs]);

const policyArb: fc.Arbitrary<Policy> = fc
  .record(
    {
      mode: fc.constantFrom('enforce' as const, 'monitor' as const),
      actions: sub(ACTIONS),
      markets: fc.subarray([...MARKETS], { minLength: 1 }),
      symbols: fc.record({ allow: sub(SYMBOLS), deny: sub(SYMBOLS) }, { requiredKeys: [] }),
      maxOrderNotional: fc.integer({ min: 1, max: 100_000 }),
      maxDailyNotional: fc.integer({ min: 1, max: 1_000_000 }),
      maxOrdersPerMinute: fc.integer({ min: 1, max: 600 }),
      priceBandPercent: fc.integer({ min: 1, max: 50 }),
      maxLeverage: fc.integer({ min: 1, max: 100 }),
      tradingHours: fc.record(
        { start: HHMM, end: HHMM, days: fc.subarray([0, 1, 2, 3, 4, 5, 6], { minLength: 1 }) },
        { requiredKeys: ['start', 'end'] },
      ),
      withdrawals: fc.record(
        {
          addresses: sub(ADDRESSES),
          dailyCap: fc.dictionary(fc.constantFrom(...COINS), fc.integer({ min: 0, max: 1000 })),
          approval: fc.boolean(),
        },
        { requiredKeys: ['addresses'] },
      ),
    },
    { requiredKeys: ['mode', 'actions'] },
  )
  .map((p) => p as Policy);

type Edit = (p: Policy) => Policy;

/** Each edit gives a policy that allows no request the input denied. */
const narrowing: fc.Arbitrary<Edit> = fc.oneof(
  fc.constant<Edit>((p) => ({ ...p, mode: 'enforce' })),
  fc.constantFrom(...ACTIONS).map<Edit>((a) => (p) => ({ ...p, actions: p.actions.filter((x) => x !== a) })),
  fc.constantFrom(...MARKETS).map<Edit>((m) => (p) => {
    const markets = (p.markets ?? ['spot']).filter((x) => x !== m);
    return markets.length > 0 ? { ...p, markets } : p;
  }),
  fc.constantFrom(...SYMBOLS).map<Edit>((s) => (p) => ({
    ...p,
    symbols: { ...p.symbols, deny: [...new Set([...(p.symbols?.deny ?? []), s])] },
  })),
  fc.constantFrom(...SYMBOLS).map<Edit>((s) => (p) => {
    // No allow list allows every symbol; an empty one allows none, so emptying a list narrows too.
    const allow = p.symbols?.allow;
    if (allow === undefined) return { ...p, symbols: { ...p.symbols, allow: [s] } };
    return { ...p, symbols: { ...p.symbols, allow: allow.filter((x) => x !== s) } };
  }),
  fc.tuple(fc.constantFrom(...CAPS), fc.integer({ min: 1, max: 1000 })).map<Edit>(([cap, v]) => (p) => ({
    ...p,
    [cap]: Math.min(p[cap] ?? Number.POSITIVE_INFINITY, v),
  })),
  fc.tuple(HHMM, HHMM).map<Edit>(
    ([start, end]) =>
      (p) =>
        p.tradingHours ? p : { ...p, tradingHours: { start, end } },
  ),
  fc.integer({ min: 0, max: 6 }).map<Edit>((day) => (p) => {
    if (!p.tradingHours) return p;
    const days = (p.tradingHours.days ?? [0, 1, 2, 3, 4, 5, 6]).filter((d) => d !== day);
    return days.length > 0 ? { ...p, tradingHours: { ...p.tradingHours, days } } : p;
  }),
  fc.constantFrom(...ADDRESSES).map<Edit>(
    (a) => (p) =>
      p.withdrawals
        ? {
            ...p,
            withdrawals: { ...p.withdrawals, addresses: p.withdrawals.addresses.filter((x) => x !== a) },
          }
        : p,
  ),
  fc.tuple(fc.constantFrom(...COINS), fc.integer({ min: 0, max: 1000 })).map<Edit>(([coin, v]) => (p) => {
    if (!p.withdrawals) return p;
    const caps = p.withdrawals.dailyCap;
    // No dailyCap means no cap: setting one narrows; with one, a named coin may only go down.
    if (caps === undefined) return { ...p, withdrawals: { ...p.withdrawals, dailyCap: { [coin]: v } } };
    if (caps[coin] === undefined) return p;
    return {
      ...p,
      withdrawals: { ...p.withdrawals, dailyCap: { ...caps, [coin]: Math.min(caps[coin], v) } },
    };
  }),
  fc.constantFrom(...COINS).map<Edit>((coin) => (p) => {
    const caps = p.withdrawals?.dailyCap;
    if (!p.withdrawals || caps === undefined) return p;
    const { [coin]: _dropped, ...rest } = caps;
    return { ...p, withdrawals: { ...p.withdrawals, dailyCap: rest } };
  }),
  fc.constant<Edit>((p) => (p.withdrawals ? { ...p, withdrawals: { ...p.withdrawals, approval: true } } : p)),
);

/** Each gives a (before, after) pair that differs by one widening edit. */
const widening: fc.Arbitrary<(p: Policy) => [Policy, Policy]> = fc.oneof(
  fc.constant((p: Policy): [Policy, Policy] => [
    { ...p, mode: 'enforce' },
    { ...p, mode: 'monitor' },
  ]),
  fc.constantFrom(...ACTIONS).map((a) => (p: Policy): [Policy, Policy] => {
    const before = { ...p, actions: p.actions.filter((x) => x !== a) };
    return [before, { ...before, actions: [...before.actions, a] }];
  }),
  fc.constantFrom('swap', 'future', 'option' as const).map((m) => (p: Policy): [Policy, Policy] => {
    const before: Policy = { ...p, markets: ['spot'] };
    return [before, { ...before, markets: ['spot', m] }];
  }),
  fc.constantFrom(...SYMBOLS).map((s) => (p: Policy): [Policy, Policy] => {
    const others = SYMBOLS.filter((x) => x !== s);
    const before: Policy = { ...p, symbols: { ...p.symbols, allow: [others[0] ?? 'BTC/USDT'] } };
    return [before, { ...before, symbols: { ...before.symbols, allow: [others[0] ?? 'BTC/USDT', s] } }];
  }),
  fc.constant((p: Policy): [Policy, Policy] => {
    const before: Policy = { ...p, symbols: { ...p.symbols, allow: ['BTC/USDT'] } };
    const { allow: _a, ...rest } = before.symbols ?? {};
    return [before, { ...before, symbols: rest }];
  }),
  fc.constantFrom(...SYMBOLS).map((s) => (p: Policy): [Policy, Policy] => {
    const deny = [...new Set([...(p.symbols?.deny ?? []), s])];
    const before: Policy = { ...p, symbols: { ...p.symbols, deny } };
    return [before, { ...before, symbols: { ...before.symbols, deny: deny.filter((x) => x !== s) } }];
  }),
  fc.tuple(fc.constantFrom(...CAPS), fc.boolean()).map(([cap, remove]) => (p: Policy): [Policy, Policy] => {
    const before: Policy = { ...p, [cap]: p[cap] ?? 10 };
    const after: Policy = { ...before };
    if (remove) delete after[cap];
    else after[cap] = (before[cap] ?? 10) + 1;
    return [before, after];
  }),
  fc
    .tuple(HHMM, HHMM)
    .filter(([a, b]) => a !== b)
    .map(([start, end]) => (p: Policy): [Policy, Policy] => {
      const before: Policy = { ...p, tradingHours: { start, end } };
      const { tradingHours: _t, ...after } = before;
      return [before, after];
    }),
  fc.constantFrom(...ADDRESSES).map((a) => (p: Policy): [Policy, Policy] => {
    const w = p.withdrawals ?? { addresses: [] };
    const before: Policy = { ...p, withdrawals: { ...w, addresses: w.addresses.filter((x) => x !== a) } };
    return [
      before,
      { ...before, withdrawals: { ...w, addresses: [...(before.withdrawals?.addresses ?? []), a] } },
    ];
  }),
  fc
    .tuple(fc.constantFrom(...COINS), fc.constantFrom('raise', 'add', 'drop-all'))
    .map(([coin, how]) => (p: Policy): [Policy, Policy] => {
      const w = p.withdrawals ?? { addresses: ['addr-a'] };
      const others = Object.fromEntries(Object.entries(w.dailyCap ?? {}).filter(([c]) => c !== coin));
      const before: Policy = { ...p, withdrawals: { ...w, dailyCap: { ...others, [coin]: 5 } } };
      if (how === 'raise')
        return [before, { ...before, withdrawals: { ...w, dailyCap: { ...others, [coin]: 6 } } }];
      if (how === 'drop-all') {
        const { dailyCap: _d, ...rest } = w;
        return [before, { ...before, withdrawals: rest }];
      }
      const without: Policy = { ...p, withdrawals: { ...w, dailyCap: others } };
      return [without, { ...without, withdrawals: { ...w, dailyCap: { ...others, [coin]: 5 } } }];
    }),
  fc.constant((p: Policy): [Policy, Policy] => {
    const before: Policy = { ...p, withdrawals: { addresses: ['addr-a'], ...p.withdrawals, approval: true } };
    if (before.withdrawals && before.withdrawals.addresses.length === 0)
      before.withdrawals.addresses = ['addr-a'];
    return [
      before,
      {
        ...before,
        withdrawals: {
          addresses: before.withdrawals?.addresses ?? [],
          approval: false,
          ...(before.withdrawals?.dailyCap ? { dailyCap: before.withdrawals.dailyCap } : {}),
        },
      },
    ];
  }),
);

describe('isWidening', () => {
  it('an unchanged policy widens nothing', () => {
    fc.assert(
      fc.property(policyArb, (p) => {
        expect(isWidening(p, structuredClone(p))).toEqual([]);
      }),
    );
  });

  it('any chain of narrowing edits reports no widening', () => {
    fc.assert(
      fc.property(policyArb, fc.array(narrowing, { minLength: 1, maxLength: 4 }), (p, edits) => {
        const after = edits.reduce((q, e) => e(q), p);
        expect(isWidening(p, after)).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('any single widening edit is reported', () => {
    fc.assert(
      fc.property(policyArb, widening, (p, edit) => {
        const [before, after] = edit(p);
        expect(isWidening(before, after).length).toBeGreaterThan(0);
      }),
      { numRuns: 200 },
    );
  });

  it('names what widened', () => {
    const before: Policy = {
      mode: 'enforce',
      actions: ['read', 'trade'],
      maxOrderNotional: 100,
      symbols: { allow: ['BTC/USDT'] },
    };
    const after: Policy = {
      mode: 'monitor',
      actions: ['read', 'trade', 'withdraw'],
      maxOrderNotional: 200,
      symbols: { allow: ['BTC/USDT', 'ETH/USDT'] },
    };
    expect(isWidening(before, after)).toEqual([
      'mode enforce → monitor',
      'new action withdraw',
      'new allowed symbol ETH/USDT',
      'maxOrderNotional raised 100 → 200',
    ]);
  });

  it('an empty allow list allows nothing, so emptying it narrows and filling it widens', () => {
    const none: Policy = { mode: 'enforce', actions: ['trade'], symbols: { allow: [] } };
    const btc: Policy = { mode: 'enforce', actions: ['trade'], symbols: { allow: ['BTC/USDT'] } };
    const every: Policy = { mode: 'enforce', actions: ['trade'] };
    expect(isWidening(btc, none)).toEqual([]);
    expect(isWidening(none, btc)).toEqual(['new allowed symbol BTC/USDT']);
    expect(isWidening(none, every)).toEqual(['symbols.allow removed (every symbol)']);
  });

  it('a narrower trading window is not widening, a shifted one is', () => {
    const p: Policy = { mode: 'enforce', actions: ['trade'], tradingHours: { start: '08:00', end: '18:00' } };
    expect(isWidening(p, { ...p, tradingHours: { start: '09:00', end: '17:00', days: [1, 2] } })).toEqual([]);
    expect(isWidening(p, { ...p, tradingHours: { start: '07:00', end: '17:00' } })).toEqual([
      'tradingHours allow times they did not',
    ]);
  });
});

describe('widerIpList', () => {
  it('reports new entries and an emptied list (which allows any address); narrowing reports nothing', () => {
    expect(widerIpList(['10.0.0.1'], ['10.0.0.1', '10.0.0.0/8'])).toEqual(['new allowed IP 10.0.0.0/8']);
    expect(widerIpList(['10.0.0.1'], [])).toEqual(['IP allow-list removed (any address)']);
    expect(widerIpList(['10.0.0.1', '10.0.0.2'], ['10.0.0.2'])).toEqual([]);
    expect(widerIpList([], ['10.0.0.2'])).toEqual([]);
  });
});
