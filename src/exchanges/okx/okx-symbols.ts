import type { MarketType } from '../../core/index.js';

/** `BTC-USDT` → `BTC/USDT`; `BTC-USDT-SWAP` → `BTC/USDT:USDT`; `BTC-USD-SWAP` → `BTC/USD:BTC`; futures keep their expiry. */
export function okxSymbol(instId: string): string | undefined {
  const parts = instId.split('-');
  const [base, quote] = parts;
  if (!base || !quote) return undefined;
  if (parts.length === 2) return `${base}/${quote}`;
  const settle = quote === 'USD' ? base : quote;
  const rest = parts.slice(2).join('-');
  return rest === 'SWAP' ? `${base}/${quote}:${settle}` : `${base}/${quote}:${settle}-${rest}`;
}

/** The inverse of okxSymbol: `BTC/USDT:USDT` → `BTC-USDT-SWAP`, `BTC/USDT:USDT-250627` → `BTC-USDT-250627`. */
export function okxInstId(symbol: string): string {
  const [pair = '', settle] = symbol.split(':');
  const spot = pair.replace('/', '-');
  if (settle === undefined) return spot;
  const dash = settle.indexOf('-');
  return dash < 0 ? `${spot}-SWAP` : `${spot}${settle.slice(dash)}`;
}

/** OKX's instrument kind from the id's shape (SPOT has two parts, SWAP ends in -SWAP, options in -C/-P). */
export function okxMarket(instId: string): MarketType {
  const parts = instId.split('-');
  if (parts.length === 2) return 'spot';
  if (parts[2] === 'SWAP') return 'swap';
  return parts.length >= 5 ? 'option' : 'future';
}

/** The `instType` the public instruments endpoint takes for a market kind. */
export function okxInstType(market: MarketType): string {
  return market === 'swap'
    ? 'SWAP'
    : market === 'future'
      ? 'FUTURES'
      : market === 'option'
        ? 'OPTION'
        : 'SPOT';
}
