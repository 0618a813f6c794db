import type { ExchangeId } from '../core/index.js';
import { binanceRateRules } from './binance/index.js';
import { bitgetRateRules } from './bitget/index.js';
import { bybitRateRules } from './bybit/index.js';
import { coinbaseRateRules } from './coinbase/index.js';
import { krakenRateRules } from './kraken/index.js';
import { kucoinRateRules } from './kucoin/index.js';
import { okxRateRules } from './okx/index.js';
import type { RateRules } from './rate-rules.js';

/** Every exchange's rate limits by id (src/exchanges/<name>/rate-rules.ts); the compiler refuses a missing one. */
export const RATE_RULES = {
  binance: binanceRateRules,
  coinbase: coinbaseRateRules,
  kraken: krakenRateRules,
  okx: okxRateRules,
  bybit: bybitRateRules,
  bitget: bitgetRateRules,
  kucoin: kucoinRateRules,
} as const satisfies Record<ExchangeId, RateRules>;
