export * from './compose.js';
export * from './https-option.js';
export * from './ip.js';
export * from './store-state.js';
export * from './upstream.js';
