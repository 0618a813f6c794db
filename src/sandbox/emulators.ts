import type { ExchangeId } from '../core/index.js';
import { binanceEmulator } from './binance.js';
import { bitgetEmulator } from './bitget.js';
import { bybitEmulator } from './bybit.js';
import { coinbaseEmulator } from './coinbase.js';
import type { SandboxEmulator } from './emulator.js';
import { krakenEmulator } from './kraken.js';
import { kucoinEmulator } from './kucoin.js';
import { okxEmulator } from './okx.js';

/** Every exchange emulator by id, one per src/sandbox/<name>.ts; the compiler refuses a missing one. */
export const EMULATOR_REGISTRY = {
  binance: binanceEmulator,
  coinbase: coinbaseEmulator,
  kraken: krakenEmulator,
  okx: okxEmulator,
  bybit: bybitEmulator,
  bitget: bitgetEmulator,
  kucoin: kucoinEmulator,
} as const satisfies Record<ExchangeId, SandboxEmulator>;

export const EMULATORS: readonly SandboxEmulator[] = Object.values(EMULATOR_REGISTRY);
