import type { Rule } from '../scan-types.js';
import { ci, exchangeRules } from './helpers.js';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const PASSPHRASE = '[^\\s"\'`,;]{6,64}';

/**
 * Exchange credentials. Key shapes come from each exchange's key-management pages and CCXT's
 * `requiredCredentials`; a key is only looked for within a few lines of the exchange's name.
 */
export const EXCHANGE_RULES: Rule[] = [
  ...exchangeRules({
    family: 'binance',
    label: 'Binance',
    keywords: ['binance', 'x-mbx-apikey'],
    key: { value: '[A-Za-z0-9]{64}', entropy: 4.2 },
    secret: { value: '[A-Za-z0-9]{64}', entropy: 4.2 },
  }),
  ...exchangeRules({
    family: 'coinbase',
    label: 'Coinbase',
    keywords: ['coinbase', 'cb-access'],
    key: { value: '[0-9a-f]{32}', entropy: 3.2, description: 'Coinbase legacy (Exchange/Pro) API key' },
    secret: {
      value: '[A-Za-z0-9+/]{86}==',
      entropy: 4.5,
      description: 'Coinbase legacy API secret (base64)',
    },
    password: { value: PASSPHRASE, entropy: 2.5, description: 'Coinbase legacy API passphrase' },
  }),
  {
    id: 'coinbase-cdp-key-name',
    description:
      'Coinbase CDP API key name (organizations/…/apiKeys/…); its EC private key is usually next to it',
    keywords: ['organizations/'],
    pattern: new RegExp(`(?<secret>organizations/${UUID}/apiKeys/${UUID})`, 'g'),
    falsePositives: [/0{8}-0{4}/],
    family: 'coinbase',
    part: 'apiKey',
    confidence: 'high',
  },
  ...exchangeRules({
    family: 'kraken',
    label: 'Kraken',
    keywords: ['kraken', 'api-sign'],
    key: { value: '[A-Za-z0-9+/]{56}', entropy: 4.3 },
    secret: { value: '[A-Za-z0-9+/]{86}==', entropy: 4.5 },
  }),
  ...exchangeRules({
    family: 'okx',
    label: 'OKX',
    keywords: ['okx', 'okex', 'ok-access'],
    key: { value: UUID, entropy: 3.0 },
    secret: { value: '[0-9A-F]{32}', entropy: 3.2 },
    password: { value: PASSPHRASE, entropy: 2.5 },
  }),
  ...exchangeRules({
    family: 'bybit',
    label: 'Bybit',
    keywords: ['bybit', 'x-bapi-api-key'],
    key: { value: '[A-Za-z0-9]{18}', entropy: 3.2 },
    secret: { value: '[A-Za-z0-9]{36}', entropy: 3.9 },
  }),
  ...exchangeRules({
    family: 'kucoin',
    label: 'KuCoin',
    keywords: ['kucoin', 'kc-api'],
    key: { value: '[0-9a-f]{24}', entropy: 3.0 },
    secret: { value: UUID, entropy: 3.0 },
    password: { value: PASSPHRASE, entropy: 2.5 },
  }),
  ...exchangeRules({
    family: 'bitfinex',
    label: 'Bitfinex',
    keywords: ['bitfinex', 'bfx-apikey'],
    key: { value: '[A-Za-z0-9]{43}', entropy: 4.0 },
    secret: { value: '[A-Za-z0-9]{43}', entropy: 4.0 },
  }),
  ...exchangeRules({
    family: 'gemini',
    label: 'Gemini',
    keywords: ['gemini', 'x-gemini-apikey'],
    key: { value: '(?:account|master)-[A-Za-z0-9]{20}', entropy: 3.5 },
    secret: { value: '[A-Za-z0-9]{27,28}', entropy: 3.6 },
  }),
  ...exchangeRules({
    family: 'bitget',
    label: 'Bitget',
    keywords: ['bitget', 'access-key'],
    key: { value: 'bg_[0-9a-f]{32}', entropy: 3.2 },
    secret: { value: '[0-9a-f]{64}', entropy: 3.5 },
    password: { value: PASSPHRASE, entropy: 2.5 },
  }),
  ...exchangeRules({
    family: 'gate',
    label: 'Gate',
    keywords: ['gate.io', 'gateio', 'gate_', 'gate-api', 'gate:', 'ccxt.gate', "'gate'", '"gate"'],
    key: { value: '[0-9a-f]{32}', entropy: 3.2 },
    secret: { value: '[0-9a-f]{64}', entropy: 3.5 },
  }),
  ...exchangeRules({
    family: 'mexc',
    label: 'MEXC',
    keywords: ['mexc'],
    key: { value: 'mx0[A-Za-z0-9]{15}', entropy: 3.5 },
    secret: { value: '[0-9a-f]{32}', entropy: 3.2 },
  }),
  ...exchangeRules({
    family: 'htx',
    label: 'HTX (Huobi)',
    keywords: ['htx', 'huobi'],
    key: { value: '[0-9a-z]{8}-[0-9a-z]{8,10}-[0-9a-z]{8}-[0-9a-z]{5}', entropy: 3.2 },
    secret: { value: '[0-9a-z]{8}-[0-9a-z]{8}-[0-9a-z]{8}-[0-9a-z]{5}', entropy: 3.2 },
  }),
  ...exchangeRules({
    family: 'bitstamp',
    label: 'Bitstamp',
    keywords: ['bitstamp'],
    key: { value: '[A-Za-z0-9]{32}', entropy: 3.7 },
    secret: { value: '[A-Za-z0-9]{32}', entropy: 3.7 },
  }),
  ...exchangeRules({
    family: 'cryptocom',
    label: 'Crypto.com',
    keywords: ['crypto.com', 'cryptocom', 'crypto_com'],
    key: { value: '[A-Za-z0-9]{22}', entropy: 3.4 },
    secret: { value: '[A-Za-z0-9]{22}', entropy: 3.4 },
  }),
  ...exchangeRules({
    family: 'deribit',
    label: 'Deribit',
    keywords: ['deribit'],
    key: {
      value: '[A-Za-z0-9_-]{8}',
      name: ci('(?:client[_.-]?id|clientid|api[_.-]?key|apikey)'),
      entropy: 2.0,
    },
    secret: {
      value: '[A-Za-z0-9_-]{43}',
      name: ci('(?:client[_.-]?secret|clientsecret|secret)'),
      entropy: 4.0,
    },
  }),
];
