export * from './approvals-config.js';
export * from './config.js';
