import type { Rule } from '../scan-types.js';
import { EXCHANGE_RULES } from './exchanges.js';
import { GENERIC_RULES } from './generic.js';
import { WALLET_RULES } from './wallets.js';

/** Every built-in rule. Order matters only for ties: specific rules first. */
export const RULES: readonly Rule[] = [...EXCHANGE_RULES, ...WALLET_RULES, ...GENERIC_RULES];

/** Families whose secret may be a private-key PEM next to the key id (Binance Ed25519/RSA, Coinbase CDP EC). */
export const PEM_FAMILIES = new Set(['binance', 'coinbase']);

const LABELS: Record<string, string> = {
  binance: 'Binance',
  coinbase: 'Coinbase',
  kraken: 'Kraken',
  okx: 'OKX',
  bybit: 'Bybit',
  kucoin: 'KuCoin',
  bitfinex: 'Bitfinex',
  gemini: 'Gemini',
  bitget: 'Bitget',
  gate: 'Gate',
  mexc: 'MEXC',
  htx: 'HTX',
  bitstamp: 'Bitstamp',
  cryptocom: 'Crypto.com',
  deribit: 'Deribit',
  aws: 'AWS',
};

/** Description of a merged multi-part finding `<family>-credentials`. */
export function compositeDescription(family: string): string {
  return `${LABELS[family] ?? family} API credentials: key with its secret/passphrase/private key`;
}

export function describeRule(ruleId: string): string {
  const rule = RULES.find((r) => r.id === ruleId);
  if (rule) return rule.description;
  if (ruleId.endsWith('-credentials')) return compositeDescription(ruleId.slice(0, -'-credentials'.length));
  return ruleId;
}

/** Every rule id a finding can carry (single rules and merged families), for SARIF rule metadata. */
export function allRuleIds(): string[] {
  const families = new Set(RULES.flatMap((r) => (r.family ? [r.family] : [])));
  // One id may have several matchers (evm-private-key: named values and account lists).
  return [...new Set(RULES.map((r) => r.id)), ...[...families].map((f) => `${f}-credentials`)];
}
