/**
 * The registered exchanges. This tuple is the one list: `ADAPTERS` (src/exchanges) and
 * `EMULATORS` (src/sandbox) are typed `Record<ExchangeId, …>`, so the compiler refuses an id
 * without both an adapter and an emulator, and an adapter or emulator without an id here.
 */
export const EXCHANGE_IDS = ['binance', 'coinbase', 'kraken', 'okx', 'bybit', 'bitget', 'kucoin'] as const;
export type ExchangeId = (typeof EXCHANGE_IDS)[number];

export function isExchangeId(value: string): value is ExchangeId {
  return (EXCHANGE_IDS as readonly string[]).includes(value);
}
