/** Binance symbols: `BTCUSDT` ↔ the unified `BTC/USDT` (spot only: this adapter serves api.binance.com). */

/** Quote assets tried longest-first when splitting `BTCUSDT` into `BTC/USDT`. */
export const BINANCE_QUOTE_ASSETS = [
  'FDUSD',
  'USDT',
  'USDC',
  'BUSD',
  'TUSD',
  'USDP',
  'AEUR',
  'EURI',
  'BIDR',
  'IDRT',
  'DAI',
  'BTC',
  'ETH',
  'BNB',
  'EUR',
  'TRY',
  'BRL',
  'GBP',
  'AUD',
  'JPY',
  'RUB',
  'UAH',
  'ZAR',
  'PLN',
  'RON',
  'ARS',
  'MXN',
  'COP',
  'NGN',
  'CZK',
  'XRP',
  'TRX',
  'DOGE',
  'DOT',
  'SOL',
  'USD',
].sort((a, b) => b.length - a.length);

/** `BTCUSDT` → `BTC/USDT` using the known quote assets; undefined when no quote matches. */
export function binanceSymbol(raw: string): string | undefined {
  const s = raw.toUpperCase();
  if (s.includes('/')) return s;
  for (const quote of BINANCE_QUOTE_ASSETS) {
    if (s.length > quote.length && s.endsWith(quote)) return `${s.slice(0, -quote.length)}/${quote}`;
  }
  return undefined;
}

/** `BTC/USDT` → `BTCUSDT`. */
export function binanceMarketId(symbol: string): string {
  return symbol.replace('/', '').toUpperCase();
}
