export * from './compose.js';
export * from './ip.js';
export * from './store-state.js';
export * from './upstream.js';
