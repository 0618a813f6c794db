/**
 * The oracle of the differential policy tests (one per exchange, test/security/differential-*.test.ts):
 * random order requests, with extra, decoy and duplicated fields and odd number forms, go
 * through the real gateway to the sandbox under random policies. Whatever the sandbox
 * executed must satisfy the policy, judged from the sandbox's own orders, fills and
 * withdrawals, never from keywarden's view of the request.
 *
 * Each exchange's test builds requests in its own wire format; this file knows none.
 */
import fc from 'fast-check';
import type { MarketType } from '../../src/core/index.js';
import { matchesSymbol } from '../../src/policy/policy-eval.js';
import type { Policy } from '../../src/policy/policy-types.js';
import type { Engine, Order, Withdrawal } from '../../src/sandbox/engine.js';

/** Cases per exchange in `npm test`; `npm run fuzz` raises it (KW_FUZZ_RUNS, read only by the fuzz script). */
function differentialRuns(): number {
  const n = Number(process.env.KW_FUZZ_RUNS);
  return Number.isInteger(n) && n > 0 ? n : 500;
}

/**
 * fast-check parameters for one differential run. A failure prints its seed and path;
 * `KW_FUZZ_SEED=<seed> KW_FUZZ_PATH=<path>` replays exactly that case.
 */
export function differentialParams(): { numRuns: number; seed?: number; path?: string } {
  const seed = Number(process.env.KW_FUZZ_SEED);
  const path = process.env.KW_FUZZ_PATH;
  return {
    numRuns: differentialRuns(),
    ...(Number.isInteger(seed) && process.env.KW_FUZZ_SEED !== undefined ? { seed } : {}),
    ...(path ? { path } : {}),
  };
}

/** What the sandbox did between two marks of one account. */
export interface Executed {
  orders: Order[];
  withdrawals: Withdrawal[];
}

/** Remember the account's orders and withdrawals now; the returned function gives what is new since. */
export function markEngine(engine: Engine, account = 'main'): () => Executed {
  const all = () => [...engine.openOrders(account), ...engine.closedOrders(account)];
  const seenOrders = new Set(all().map((o) => o.id));
  const seenWithdrawals = new Set(engine.withdrawals(account).map((w) => w.id));
  return () => ({
    orders: all().filter((o) => !seenOrders.has(o.id)),
    withdrawals: engine.withdrawals(account).filter((w) => !seenWithdrawals.has(w.id)),
  });
}

const marketOf = (symbol: string): MarketType => (symbol.includes(':') ? 'swap' : 'spot');

/**
 * Every way what executed breaks `policy` (empty when it does not). `marketPrice` is the
 * sandbox's price when the order was placed. Notional is what the order spent or can spend:
 * its fills at their prices plus any resting remainder at its limit price.
 */
export function violations(
  policy: Policy,
  executed: Executed,
  marketPrice: (symbol: string) => number | undefined,
  usedToday = { notional: 0, withdrawn: {} as Record<string, number> },
): string[] {
  const out: string[] = [];
  const trades = executed.orders;
  if (trades.length > 0 && !policy.actions.some((a) => a === 'trade' || a === 'margin' || a === 'convert'))
    out.push(`${trades.length} order(s) executed without a trading action`);
  let daily = usedToday.notional;
  for (const o of trades) {
    const where = `${o.side} ${o.quantity} ${o.symbol}`;
    const markets = policy.markets ?? ['spot'];
    if (!markets.includes(marketOf(o.symbol))) out.push(`${where}: market ${marketOf(o.symbol)} not allowed`);
    const lists = policy.symbols;
    if (lists?.deny?.some((p) => matchesSymbol(p, o.symbol))) out.push(`${where}: symbol denied`);
    if (lists?.allow && lists.allow.length > 0 && !lists.allow.some((p) => matchesSymbol(p, o.symbol)))
      out.push(`${where}: symbol not allowed`);
    const filled = o.filled * (o.averagePrice ?? 0);
    const resting = o.status === 'open' ? (o.quantity - o.filled) * (o.price ?? 0) : 0;
    const notional = filled + resting;
    // Fills at the sandbox price may exceed a cap computed at the ticker by the slippage margin only.
    const slack = 1 + 1e-9;
    if (policy.maxOrderNotional !== undefined && notional > policy.maxOrderNotional * slack)
      out.push(`${where}: notional ${notional} over maxOrderNotional ${policy.maxOrderNotional}`);
    daily += notional;
    const market = marketPrice(o.symbol);
    if (policy.priceBandPercent !== undefined && o.type === 'limit' && o.price !== undefined && market) {
      const off = (Math.abs(o.price - market) / market) * 100;
      if (off > policy.priceBandPercent + 1e-9)
        out.push(
          `${where}: limit ${o.price} is ${off.toFixed(2)}% from ${market}, band ${policy.priceBandPercent}%`,
        );
    }
  }
  if (policy.maxDailyNotional !== undefined && daily > policy.maxDailyNotional * (1 + 1e-9))
    out.push(`daily notional ${daily} over maxDailyNotional ${policy.maxDailyNotional}`);
  const withdrawn = { ...usedToday.withdrawn };
  for (const w of executed.withdrawals) {
    if (!policy.actions.includes('withdraw'))
      out.push(`withdrawal of ${w.amount} ${w.coin} without withdraw`);
    if (!policy.withdrawals?.addresses.includes(w.address))
      out.push(`withdrawal to ${w.address} not allow-listed`);
    const coin = w.coin.toUpperCase();
    withdrawn[coin] = (withdrawn[coin] ?? 0) + w.amount;
    const cap = policy.withdrawals?.dailyCap?.[coin];
    if (policy.withdrawals?.dailyCap && (cap === undefined || (withdrawn[coin] ?? 0) > cap))
      out.push(`withdrawn ${withdrawn[coin]} ${coin} over the daily cap ${cap}`);
  }
  return out;
}

/** Random policies over the sandbox's markets: symbol lists, caps, bands, markets and actions. */
export function policyArb(spotSymbols: string[], swapSymbols: string[] = []): fc.Arbitrary<Policy> {
  const all = [...spotSymbols, ...swapSymbols];
  return fc.record(
    {
      mode: fc.constant('enforce' as const),
      actions: fc
        .subarray(['public', 'read', 'trade', 'cancel', 'margin', 'convert'] as const, { minLength: 1 })
        .map((a) => [...a]),
      markets: fc.subarray(['spot', 'swap'] as const, { minLength: 1 }).map((m) => [...m]),
      symbols: fc.option(
        fc.record({ allow: fc.subarray([...all, 'BTC/*', '*/USDT', 'BTC/USDT:*'], { minLength: 1 }) }),
        { nil: undefined },
      ),
      maxOrderNotional: fc.option(fc.constantFrom(50, 500, 1_000, 20_000), { nil: undefined }),
      maxDailyNotional: fc.option(fc.constantFrom(1_000, 5_000, 100_000), { nil: undefined }),
      priceBandPercent: fc.option(fc.constantFrom(1, 5, 20), { nil: undefined }),
    },
    { requiredKeys: ['mode', 'actions', 'markets'] },
  ) as fc.Arbitrary<Policy>;
}

/** Odd number forms a client may try where a decimal is expected. */
export const oddNumber = fc.constantFrom(
  '1e300',
  '-1',
  '+5',
  '#5',
  '5%',
  'Infinity',
  'NaN',
  '0x10',
  ' 1',
  '1,5',
  '',
  '00.5',
  '1e-3',
);
