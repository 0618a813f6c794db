import type { OrderIntent, Side } from './adapter.js';

/** One order as an exchange's request gives it, already read from that exchange's field names. */
export interface OrderFields {
  symbol?: string | undefined;
  rawSymbol?: string | undefined;
  side?: Side | undefined;
  type?: string | undefined;
  price?: number | undefined;
  /** The order size: quote units when `sizeInQuote`, base units otherwise. */
  size?: number | undefined;
  sizeInQuote: boolean;
  /** False where size × price is no quote amount (e.g. inverse contracts, sized in USD contracts). */
  priceTimesSize: boolean;
}

/** The intent with only the fields the request gave; notional = the quote size, else size × price. */
export function orderIntentOf(f: OrderFields): OrderIntent {
  const intent: OrderIntent = {};
  if (f.symbol !== undefined) intent.symbol = f.symbol;
  if (f.rawSymbol !== undefined) intent.rawSymbol = f.rawSymbol;
  if (f.side !== undefined) intent.side = f.side;
  if (f.type !== undefined) intent.type = f.type;
  if (f.price !== undefined) intent.price = f.price;
  if (f.size !== undefined) {
    if (f.sizeInQuote) intent.quoteQuantity = f.size;
    else intent.quantity = f.size;
  }
  if (intent.quoteQuantity !== undefined) intent.notional = intent.quoteQuantity;
  else if (f.priceTimesSize && intent.quantity !== undefined && intent.price !== undefined) {
    intent.notional = intent.quantity * intent.price;
  }
  return intent;
}
