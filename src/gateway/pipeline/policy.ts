/**
 * Stage: the client's policy. The exchange key must be active; amends are resolved against the
 * resting order first. Most requests (reads, cancels, limit buys without a band) need no market
 * data: one synchronous evaluation. The others run the data-free rules first, so a denied
 * request costs no upstream call, then fetch, then read the usage again after the await. From
 * that read to the reservation nothing awaits: concurrent requests of one client see each
 * other's usage. With usage shared by several gateways (`usage.lock`), that last read is taken
 * under the client's lock in every process and the reservation written before it is let go.
 */
import { ERROR_CODES, fail, ok, type Result } from '../../core/index.js';
import type { Classification } from '../../exchanges/index.js';
import type { PolicyContext, Reservation, UsageTracker } from '../../policy/index.js';
import { isOrderAction, marketDataNeeds, precheck, sizedOrders } from '../../policy/index.js';
import { advance } from './advance.js';
import { resolveAmends } from './amend.js';
import { MAX_SYMBOLS_PER_REQUEST, type PipelineEnv } from './env.js';
import type { Classified, Decided, Denial } from './types.js';

type PolicyEnv = Pick<PipelineEnv, 'config' | 'keys' | 'clock' | 'usage' | 'evaluate' | 'marketData'>;

export async function policy(env: PolicyEnv, c: Classified): Promise<Result<Decided, Denial>> {
  if (c.caller.kind === 'anonymous') return ok(advance(c, { decision: 'allow' as const, notional: 0 }));
  const r = c.caller.hit.client.record;
  const classification = c.intent.intent;
  const key = await env.keys.record(r.keyId);
  if (key?.status !== 'active')
    return fail({ code: 'auth_unknown_key', message: 'the exchange key behind this client is retired' });
  if (r.policy.actions.includes(classification.action)) {
    const amendDenial = await resolveAmends(env, c, classification, key);
    if (amendDenial) return fail({ code: 'request_rejected', message: amendDenial });
  }
  const now = env.clock.now();
  const policyCtx: PolicyContext = {
    now,
    clientEnvironment: r.environment,
    keyEnvironment: key.environment,
    prices: {},
    specs: {},
    slippagePercent: env.config.prices.slippagePercent,
    usage: env.usage.snapshot(r.id, now),
  };
  const needs = marketDataNeeds(r.policy, classification);
  const market = env.marketData.get(c.exchange);
  if (market && needs.prices.length + needs.specs.length > 0) {
    const early = precheck(r.policy, classification, policyCtx);
    if (early && (r.policy.mode !== 'monitor' || early.rule === 'environment'))
      return fail({
        code: 'policy_denied',
        message: `policy rule ${early.rule}: ${early.message}`,
        rule: early.rule,
      });
    if (needs.prices.length + needs.specs.length > MAX_SYMBOLS_PER_REQUEST)
      return fail({
        code: 'request_rejected',
        message: `a request may name at most ${MAX_SYMBOLS_PER_REQUEST} symbols that need market data`,
      });
    await market.fill(needs, policyCtx);
    policyCtx.usage = env.usage.snapshot(r.id, now);
  }
  // Shared usage (several gateways): from here to the reservation, the client's usage is locked
  // in every process and read fresh; one process needs no lock, nothing below awaits.
  // Only orders and withdrawals reserve or are capped by usage; reads skip the lock.
  const locks =
    env.usage.lock !== undefined &&
    (isOrderAction(classification.action) || classification.action === 'withdraw');
  const lease = locks ? await env.usage.lock?.(r.id, now).catch(() => undefined) : undefined;
  if (locks && !lease) return fail(storeDown());
  if (lease) policyCtx.usage = env.usage.snapshot(r.id, now);
  const result = env.evaluate(r.policy, classification, policyCtx);
  if (!result.allowed) {
    await lease?.abort().catch(() => undefined);
    return fail({
      code: 'policy_denied',
      message: `policy rule ${result.rule}: ${result.message}`,
      rule: result.rule,
      ...(result.notional !== undefined && result.notional > 0
        ? { learned: { notional: result.notional } }
        : {}),
    });
  }
  const reservation = reserve(env.usage, r.id, now, classification, result.notional);
  if (lease) {
    try {
      await lease.commit();
    } catch {
      // Not written: nothing to give back, and the request must not pass uncounted.
      return fail(storeDown());
    }
  }
  const decided: Decided = advance(c, {
    decision: result.wouldDeny ? ('would-deny' as const) : ('allow' as const),
    notional: result.notional,
    reservation,
    key,
  });
  if (result.wouldDeny) decided.wouldDeny = result.wouldDeny;
  return ok(decided);
}

const storeDown = (): Denial => ({
  code: 'store_unavailable',
  message: ERROR_CODES.store_unavailable.message,
});

function reserve(
  usage: UsageTracker,
  clientId: string,
  at: number,
  c: Classification,
  notional: number,
): Reservation {
  const w = c.withdrawal;
  return usage.reserve(clientId, at, {
    orders: isOrderAction(c.action) ? sizedOrders(c) : 0,
    notional,
    ...(c.action === 'withdraw' && w?.coin && w.amount !== undefined
      ? { withdrawal: { coin: w.coin, amount: w.amount } }
      : {}),
  });
}
