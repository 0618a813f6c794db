/**
 * Bybit's instrument names and CCXT's symbols, both ways. The category (`spot`, `linear`,
 * `inverse`) says how to read a name: `BTCUSDT` is the spot pair `BTC/USDT` or the linear
 * perpetual `BTC/USDT:USDT`; `BTCUSD` inverse is `BTC/USD:BTC`; `BTCUSDT-26DEC25` linear is the
 * dated future `BTC/USDT:USDT-251226`. Anything else (options, USDC `BTCPERP`, inverse futures
 * `BTCUSDH25`) is not understood: the adapter refuses orders for it.
 */
import type { MarketType } from '../../core/index.js';

export type BybitCategory = 'spot' | 'linear' | 'inverse';

const SPOT_QUOTES = ['USDT', 'USDC', 'USDE', 'FDUSD', 'DAI', 'EUR', 'BRL', 'USD', 'BTC', 'ETH', 'MNT'];
const LINEAR_QUOTES = ['USDT', 'USDC'];
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const BASE = /^[A-Z0-9]{1,20}$/;
const DATED = /^([A-Z0-9]+)-(\d{2})([A-Z]{3})(\d{2})$/;

export interface BybitInstrument {
  symbol: string;
  market: MarketType;
}

function split(raw: string, quotes: readonly string[]): [base: string, quote: string] | undefined {
  const quote = quotes.find((q) => raw.endsWith(q) && raw.length > q.length);
  if (quote === undefined) return undefined;
  const base = raw.slice(0, -quote.length);
  return BASE.test(base) ? [base, quote] : undefined;
}

/** The CCXT symbol and market type of Bybit's `raw` instrument in `category`, if understood. */
export function bybitInstrument(raw: string, category: string | undefined): BybitInstrument | undefined {
  if (category === 'spot') {
    const pair = split(raw, SPOT_QUOTES);
    return pair ? { symbol: `${pair[0]}/${pair[1]}`, market: 'spot' } : undefined;
  }
  if (category === 'inverse') {
    const pair = split(raw, ['USD']);
    return pair ? { symbol: `${pair[0]}/USD:${pair[0]}`, market: 'swap' } : undefined;
  }
  if (category !== 'linear') return undefined;
  const dated = DATED.exec(raw);
  if (dated) {
    const [, name = '', day = '', month = '', year = ''] = dated;
    const m = MONTHS.indexOf(month) + 1;
    const pair = split(name, LINEAR_QUOTES);
    if (!pair || m === 0) return undefined;
    const yymmdd = `${year}${String(m).padStart(2, '0')}${day}`;
    return { symbol: `${pair[0]}/${pair[1]}:${pair[1]}-${yymmdd}`, market: 'future' };
  }
  const pair = split(raw, LINEAR_QUOTES);
  return pair ? { symbol: `${pair[0]}/${pair[1]}:${pair[1]}`, market: 'swap' } : undefined;
}

/** `BTCUSDT` + category → `BTC/USDT` (spot), `BTC/USDT:USDT` (linear), `BTC/USD:BTC` (inverse). */
export function bybitSymbol(raw: string, category: string | undefined): string | undefined {
  return bybitInstrument(raw, category)?.symbol;
}

/** Bybit's category and instrument name for a CCXT symbol (the inverse of `bybitInstrument`). */
export function bybitMarketOf(symbol: string): { category: BybitCategory; id: string } {
  const [pair = '', settlePart] = symbol.split(':');
  const [base = '', quote = ''] = pair.split('/');
  if (settlePart === undefined) return { category: 'spot', id: `${base}${quote}` };
  const [settle = '', expiry] = settlePart.split('-');
  const category: BybitCategory = settle === base && settle !== quote ? 'inverse' : 'linear';
  if (expiry === undefined || !/^\d{6}$/.test(expiry)) return { category, id: `${base}${quote}` };
  const month = MONTHS[Number(expiry.slice(2, 4)) - 1] ?? '';
  return { category, id: `${base}${quote}-${expiry.slice(4, 6)}${month}${expiry.slice(0, 2)}` };
}

/** Bybit's instrument name for a CCXT symbol: `BTC/USDT` and `BTC/USDT:USDT` are both `BTCUSDT`. */
export function bybitMarketId(symbol: string): string {
  return bybitMarketOf(symbol).id;
}
