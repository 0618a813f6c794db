import type { MarketType, Side } from '../core/index.js';
import type { OrderIntent, PriceField } from './adapter.js';

/** One order as an exchange's request gives it, already read from that exchange's field names. */
export interface OrderFields {
  symbol?: string | undefined;
  rawSymbol?: string | undefined;
  market?: MarketType | undefined;
  side?: Side | undefined;
  type?: string | undefined;
  /** Defaults to `market` when `type` is `market`, else `limit`. */
  pricing?: 'limit' | 'market' | undefined;
  /** The limit (execution) price; ignored for market pricing. */
  price?: number | undefined;
  /** The order size: quote units when `sizeInQuote`, base units (or contracts) otherwise. */
  size?: number | undefined;
  sizeInQuote: boolean;
  contracts?: boolean | undefined;
  /** Price fields besides the limit price: stop, trigger, TP/SL, by the exchange's field name. */
  otherPrices?: Array<[field: string, value: number | undefined]> | undefined;
  /** The exchange's name of the limit price field, for `prices` (default `price`). */
  priceField?: string | undefined;
  unevaluable?: string | undefined;
  amend?: boolean | undefined;
  leverage?: number | undefined;
}

/** The intent with only the fields the request gave. Notional is the policy's to compute. */
export function orderIntentOf(f: OrderFields): OrderIntent {
  const intent: OrderIntent = {};
  if (f.symbol !== undefined) intent.symbol = f.symbol;
  if (f.rawSymbol !== undefined) intent.rawSymbol = f.rawSymbol;
  intent.market = f.market ?? 'spot';
  if (f.side !== undefined) intent.side = f.side;
  if (f.type !== undefined) intent.type = f.type;
  intent.pricing = f.pricing ?? (f.type === 'market' ? 'market' : 'limit');
  const prices: PriceField[] = [];
  if (intent.pricing === 'limit' && f.price !== undefined) {
    intent.price = f.price;
    prices.push({ field: f.priceField ?? 'price', value: f.price });
  }
  for (const [field, value] of f.otherPrices ?? []) if (value !== undefined) prices.push({ field, value });
  intent.prices = prices;
  if (f.size !== undefined) {
    if (f.sizeInQuote) intent.quoteQuantity = f.size;
    else intent.quantity = f.size;
  }
  if (f.contracts) intent.contracts = true;
  if (f.unevaluable !== undefined) intent.unevaluable = f.unevaluable;
  if (f.amend) intent.amend = true;
  if (f.leverage !== undefined) intent.leverage = f.leverage;
  return intent;
}

/**
 * A conversion as an order for the symbol rules: `from` sold for `to`, oriented as the
 * market that quotes it (a conversion from a quote-like asset is a buy of `to`).
 * `amount` is in `from` units.
 */
export function convertIntent(from: string, to: string, amount: number | undefined): OrderIntent {
  const f = from.toUpperCase();
  const t = to.toUpperCase();
  const fromIsQuote = quoteRank(f) > quoteRank(t);
  return orderIntentOf(
    fromIsQuote
      ? { symbol: `${t}/${f}`, side: 'buy', type: 'market', size: amount, sizeInQuote: true }
      : { symbol: `${f}/${t}`, side: 'sell', type: 'market', size: amount, sizeInQuote: false },
  );
}

/** Fiat quotes stablecoins (`USDC/USD`), a stablecoin quotes crypto (`BTC/USDT`). */
function quoteRank(asset: string): number {
  return FIAT.has(asset) ? 2 : QUOTE_LIKE.has(asset) ? 1 : 0;
}

const FIAT = new Set(['USD', 'EUR', 'GBP']);

/** Fiat and stablecoins: the quote side of a conversion involving one of them. */
export const QUOTE_LIKE: ReadonlySet<string> = new Set([
  'USD',
  'USDT',
  'USDC',
  'EUR',
  'GBP',
  'FDUSD',
  'DAI',
  'BUSD',
  'TUSD',
  'USDP',
  'PYUSD',
  'EURC',
]);
