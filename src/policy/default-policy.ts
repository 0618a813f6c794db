import type { Policy } from './policy-types.js';

/**
 * What a client gets when none is given: trade and cancel with modest caps, nothing that
 * moves funds off the exchange (withdraw/transfer/account-admin/unknown stay denied), limit
 * prices kept near the market. Caps are in the quote currency of each order.
 */
export const DEFAULT_POLICY: Readonly<Policy> = Object.freeze<Policy>({
  mode: 'enforce',
  actions: ['public', 'read', 'trade', 'cancel'],
  markets: ['spot'],
  maxOrderNotional: 1_000,
  maxDailyNotional: 10_000,
  maxOrdersPerMinute: 60,
  priceBandPercent: 5,
});

/** A fresh mutable copy of the default policy. */
export function defaultPolicy(): Policy {
  return { ...DEFAULT_POLICY, actions: [...DEFAULT_POLICY.actions], markets: ['spot'] };
}
