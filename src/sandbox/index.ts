export * from './emulator.js';
export * from './emulators.js';
export * from './server.js';
