/**
 * Does a policy change give a client more than it had? `isWidening(before, after)` answers the
 * reasons, one line each (empty: the change widens nothing). Approvals hold a widening change
 * (`policy.widen`) for a second person. It errs towards reporting: a change it cannot prove
 * narrower (a new symbol pattern that an old glob may already cover) counts as widening.
 */
import { withinTradingHours } from './policy-eval.js';
import type { Policy } from './policy-types.js';

type Cap =
  | 'maxOrderNotional'
  | 'maxDailyNotional'
  | 'maxOrdersPerMinute'
  | 'priceBandPercent'
  | 'maxLeverage';
const CAPS: readonly Cap[] = [
  'maxOrderNotional',
  'maxDailyNotional',
  'maxOrdersPerMinute',
  'priceBandPercent',
  'maxLeverage',
];

const added = (before: readonly string[] | undefined, after: readonly string[] | undefined) =>
  (after ?? []).filter((x) => !(before ?? []).includes(x));

export function isWidening(before: Policy, after: Policy): string[] {
  const out: string[] = [];
  if (before.mode === 'enforce' && after.mode === 'monitor') out.push('mode enforce → monitor');
  for (const a of added(before.actions, after.actions)) out.push(`new action ${a}`);
  for (const m of added(before.markets ?? ['spot'], after.markets ?? ['spot'])) out.push(`new market ${m}`);
  const allowBefore = allowList(before);
  const allowAfter = allowList(after);
  if (allowBefore !== undefined && allowAfter === undefined) out.push('symbols.allow removed (every symbol)');
  else if (allowBefore !== undefined)
    for (const s of added(allowBefore, allowAfter)) out.push(`new allowed symbol ${s}`);
  for (const s of added(after.symbols?.deny, before.symbols?.deny)) out.push(`symbol deny ${s} removed`);
  for (const cap of CAPS) {
    const b = before[cap];
    const a = after[cap];
    if (b === undefined) continue;
    if (a === undefined) out.push(`${cap} removed (was ${b})`);
    else if (a > b) out.push(`${cap} raised ${b} → ${a}`);
  }
  if (before.tradingHours && !tradingHoursWithin(after.tradingHours, before.tradingHours))
    out.push(after.tradingHours ? 'tradingHours allow times they did not' : 'tradingHours removed');
  out.push(...withdrawalsWidening(before.withdrawals, after.withdrawals));
  return out;
}

/** The symbol allow-list in force, undefined when every symbol is allowed (an empty list allows none). */
function allowList(p: Policy): readonly string[] | undefined {
  return p.symbols?.allow;
}

function withdrawalsWidening(before: Policy['withdrawals'], after: Policy['withdrawals']): string[] {
  const out: string[] = [];
  // Without a `withdrawals` block no address is allowed (policy-eval.ts): nothing to widen from.
  for (const a of added(before?.addresses, after?.addresses)) out.push(`new withdrawal address ${a}`);
  const capsBefore = before?.dailyCap;
  if (capsBefore !== undefined) {
    const capsAfter = after?.dailyCap;
    if (capsAfter === undefined) out.push('withdrawals.dailyCap removed');
    // With a dailyCap, a coin it does not name cannot be withdrawn: naming a new one widens, dropping one narrows.
    else
      for (const coin of new Set(Object.keys(capsAfter).map(upper))) {
        const was = capOf(capsBefore, coin);
        const now = capOf(capsAfter, coin) ?? 0;
        if (was === undefined) out.push(`withdrawals.dailyCap ${coin} added (was not withdrawable)`);
        else if (now > was) out.push(`withdrawals.dailyCap ${coin} raised ${was} → ${now}`);
      }
  }
  if (before?.approval === true && after?.approval !== true && (after?.addresses.length ?? 0) > 0)
    out.push('withdrawals.approval turned off');
  return out;
}

/** Every minute of a reference week that `inner` allows, `outer` allows too (undefined: always). */
function tradingHoursWithin(
  inner: Policy['tradingHours'],
  outer: NonNullable<Policy['tradingHours']>,
): boolean {
  // 2026-01-04 is a Sunday; one UTC week, minute by minute (10,080 checks, done on a policy change only).
  const week = Date.UTC(2026, 0, 4);
  for (let m = 0; m < 7 * 1440; m++) {
    const t = week + m * 60_000;
    if ((inner === undefined || withinTradingHours(inner, t)) && !withinTradingHours(outer, t)) return false;
  }
  return true;
}

/**
 * An IP allow-list change (a client setting, not part of the policy): the addresses or blocks
 * it newly allows. An empty list allows every address (src/gateway/ip.ts), so emptying one is
 * the widest change and nothing widens an empty one.
 */
export function widerIpList(before: readonly string[], after: readonly string[]): string[] {
  if (before.length === 0) return [];
  if (after.length === 0) return ['IP allow-list removed (any address)'];
  return added(before, after).map((ip) => `new allowed IP ${ip}`);
}

const upper = (coin: string) => coin.toUpperCase();

/** As policy-eval.ts reads a cap: coin names case-insensitive, the first match. */
function capOf(caps: Record<string, number>, coin: string): number | undefined {
  for (const [k, v] of Object.entries(caps)) if (k.toUpperCase() === coin) return v;
  return undefined;
}
