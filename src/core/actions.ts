/**
 * What a request does, as the policy sees it. Every adapter maps each endpoint to one. The one
 * list: the policy schema and the metrics labels read it, so a new action reaches both.
 */
export const ACTIONS = [
  'public',
  'read',
  'trade',
  'cancel',
  'withdraw',
  'transfer',
  'account-admin',
  // Borrowing, leverage and cross/isolated margin modes, on any endpoint (an order with a margin flag is one).
  'margin',
  // Asset conversion (Coinbase convert, ...): its orders carry the from/to pair for the symbol rules.
  'convert',
  'unknown',
] as const;

export type Action = (typeof ACTIONS)[number];

export type Side = 'buy' | 'sell';

/** `spot` unless the instrument is a derivative; derivatives are opt-in per policy (`markets`). */
export type MarketType = 'spot' | 'swap' | 'future' | 'option';

/** How a keywarden refusal is rendered in an exchange's own error shape. */
export type ExchangeErrorKind =
  | 'auth'
  | 'timestamp'
  | 'permission'
  | 'policy'
  | 'rate_limited'
  | 'bad_request'
  | 'not_found'
  | 'sealed'
  | 'unavailable'
  | 'internal';
