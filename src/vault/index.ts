export * from './vault.js';
export * from './vault-types.js';
