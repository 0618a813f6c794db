/** KuCoin spot symbols are `BASE-QUOTE` (`BTC-USDT`); keywarden's are `BASE/QUOTE`. */

const SYMBOL = /^([A-Z0-9]{1,20})-([A-Z0-9]{1,20})$/;

/** `BTC-USDT` → `BTC/USDT`; anything else is not a KuCoin spot symbol. */
export function kucoinSymbol(raw: string): string | undefined {
  const m = SYMBOL.exec(raw);
  return m ? `${m[1]}/${m[2]}` : undefined;
}

/** `BTC/USDT` → `BTC-USDT`. */
export function kucoinMarketId(symbol: string): string {
  return symbol.replace('/', '-');
}
