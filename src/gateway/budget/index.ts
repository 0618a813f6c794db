export * from './budget-metrics.js';
export * from './budget-store.js';
export * from './connection-budgets.js';
export * from './memory-budget-store.js';
export * from './rate-budgets.js';
export * from './redis-budget-store.js';
