export { DEFAULT_POLICY, defaultPolicy } from './default-policy.js';
export { evaluate, formatAmount, matchesSymbol, notionalOf, withinTradingHours } from './policy-eval.js';
export { DEFAULT_ACTIONS, parsePolicy, policySchema, validatePolicy } from './policy-schema.js';
export type { Decision, Evaluate, Policy, PolicyContext, PolicyRule } from './policy-types.js';
export { createUsageTracker, type UsageTracker } from './usage.js';
