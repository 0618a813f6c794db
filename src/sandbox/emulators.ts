import type { SandboxEmulator } from './emulator.js';

/** Every exchange emulator the sandbox serves, one per src/sandbox/<name>.ts. */
export const EMULATORS: SandboxEmulator[] = [
  // binance, coinbase, kraken, okx, bybit register here
];
