export { DEFAULT_POLICY, defaultPolicy } from './default-policy.js';
export { DEFAULT_SLIPPAGE_PERCENT, priceOrder } from './notional.js';
export {
  type DryRunContext,
  type DryRunDenial,
  type DryRunResult,
  dryRunPolicy,
  type RecordedRequest,
} from './policy-dry-run.js';
export {
  evaluate,
  formatAmount,
  isOrderAction,
  marketDataNeeds,
  matchesSymbol,
  precheck,
  sizedOrders,
  withinTradingHours,
} from './policy-eval.js';
export { type ExplainInput, type Explanation, explainRequest } from './policy-explain.js';
export { DEFAULT_ACTIONS, parsePolicy, policySchema, validatePolicy } from './policy-schema.js';
export type { Decision, Evaluate, Policy, PolicyContext, PolicyRule, PricedOrder } from './policy-types.js';
export { POLICY_RULES } from './policy-types.js';
export { isWidening, widerIpList } from './policy-widening.js';
export { createSharedUsageTracker, type SharedUsageTracker } from './shared-usage.js';
export { createUsageTracker, type Reservation, type UsageLease, type UsageTracker } from './usage.js';
