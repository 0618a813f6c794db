import { binanceEmulator } from './binance.js';
import { bybitEmulator } from './bybit.js';
import { coinbaseEmulator } from './coinbase.js';
import type { SandboxEmulator } from './emulator.js';
import { krakenEmulator } from './kraken.js';
import { okxEmulator } from './okx.js';

/** Every exchange emulator the sandbox serves, one per src/sandbox/<name>.ts. */
export const EMULATORS: SandboxEmulator[] = [
  // binance, coinbase, kraken, okx, bybit register here
  binanceEmulator,
  krakenEmulator,
  coinbaseEmulator,
  okxEmulator,
  bybitEmulator,
];
