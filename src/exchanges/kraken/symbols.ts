/** Kraken's asset codes and pair names, to and from keywarden's `BASE/QUOTE`. */

/** Kraken's legacy fiat codes: an asset, and a quote a pair name may end in. */
const LEGACY_FIAT = ['ZUSD', 'ZEUR', 'ZGBP', 'ZCAD', 'ZJPY', 'ZCHF', 'ZAUD'];

/** Kraken's legacy 4-letter asset codes (X for crypto, Z for fiat) and its own names for BTC and DOGE. */
const LEGACY_ASSETS = new Set([
  'XXBT',
  'XETH',
  'XXDG',
  'XLTC',
  'XXRP',
  'XXLM',
  'XETC',
  'XZEC',
  'XXMR',
  'XREP',
  'XMLN',
  ...LEGACY_FIAT,
]);
const RENAMED: Record<string, string> = { XBT: 'BTC', XDG: 'DOGE' };
const QUOTES = [
  'PYUSD',
  'USDT',
  'USDC',
  ...LEGACY_FIAT,
  'XXBT',
  'XETH',
  'USD',
  'EUR',
  'GBP',
  'CAD',
  'JPY',
  'CHF',
  'AUD',
  'XBT',
  'BTC',
  'ETH',
  'DAI',
  'DOT',
];

/** `XXBT` → `BTC`, `ZUSD` → `USD`, `XDG` → `DOGE`, `SOL` → `SOL`. */
export function krakenAsset(code: string): string {
  const c = code.toUpperCase();
  const short = LEGACY_ASSETS.has(c) ? c.slice(1) : c;
  return RENAMED[short] ?? short;
}

/** `XXBTZUSD`, `XBTUSD`, `XBT/USD`, `XDGUSD` → `BTC/USD`-style; undefined when it cannot be split. */
export function krakenSymbol(raw: string): string | undefined {
  const s = raw.toUpperCase();
  if (s.includes('/')) {
    const [b, q] = s.split('/');
    return b && q ? `${krakenAsset(b)}/${krakenAsset(q)}` : undefined;
  }
  if (s.length === 8 && LEGACY_ASSETS.has(s.slice(0, 4)) && LEGACY_ASSETS.has(s.slice(4))) {
    return `${krakenAsset(s.slice(0, 4))}/${krakenAsset(s.slice(4))}`;
  }
  for (const q of QUOTES) {
    if (s.length > q.length && s.endsWith(q))
      return `${krakenAsset(s.slice(0, -q.length))}/${krakenAsset(q)}`;
  }
  return undefined;
}

/** `BTC/USD` → `XBTUSD` (the pair name Kraken's REST API accepts). */
export function krakenPairId(symbol: string): string {
  const toKraken = (a: string) => (a === 'BTC' ? 'XBT' : a === 'DOGE' ? 'XDG' : a);
  const [base = '', quote = ''] = symbol.toUpperCase().split('/');
  return `${toKraken(base)}${toKraken(quote)}`;
}
