export * from './approvals-config.js';
export * from './config.js';
export * from './rate-budgets-config.js';
