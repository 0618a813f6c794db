export * from './emulator.js';
export * from './emulators.js';
export * from './rate-limits.js';
export * from './server.js';
