// The bottom layer: types and helpers every other folder may use; it imports no other folder.

export * from './actions.js';
export * from './actor.js';
export * from './clock.js';
export * from './errors.js';
export * from './exchange-ids.js';
export * from './ids.js';
export * from './request.js';
export * from './result.js';
export * from './safe-equal.js';
export * from './shell-arg.js';
export * from './state.js';
export * from './version.js';
