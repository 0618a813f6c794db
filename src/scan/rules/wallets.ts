import type { Rule } from '../scan-types.js';
import { ci, PLACEHOLDERS } from './helpers.js';
import {
  isBase58Keypair,
  isByteArrayKeypair,
  isExtendedPrivateKey,
  isSecp256k1Key,
  isWif,
  TEST_VECTOR_REMARK,
} from './wallet-checks.js';

/**
 * Wallet keys: EVM private keys, Solana keypairs, Bitcoin WIF and BIP-32 extended private keys,
 * encrypted keystores. Each format's own validity check (secp256k1 range, base58check, the
 * Ed25519 public half) runs on every candidate, so hashes, addresses, signatures and public keys
 * of the same shape stay silent; a line that says the key is a test vector is silent too.
 */

const B58 = '1-9A-HJ-NP-Za-km-z';
const EVM_HEX = '(?<secret>(?:0x)?[0-9a-fA-F]{64})(?![0-9A-Za-z_])';
/** A JS/TS `"0x" + "<hex>"` concatenation, as in `accounts: ["0x" + "…"]`. */
const HEX_PREFIX_CONCAT = `(?:["'\`]0x["'\`]\\s*\\+\\s*)?`;
/** Names that hold an EVM private key: PRIVATE_KEY, privKey, deployerKey, WALLET_PK, signer_secret… */
const EVM_NAME = `[A-Za-z0-9_.-]*?(?:${ci('(?:private|priv)[_-]?key|(?:wallet|signer|account|owner|admin)[_-]?(?:pk|key|secret)')}|${ci('(?:deployer|relayer)')}[A-Za-z0-9_-]*?${ci('(?:pk|key|secret)')})[A-Za-z0-9_]*`;
/** Calls that take a private key: ethers `new Wallet(…)`, viem `privateKeyToAccount(…)`, web3.py `Account.from_key(…)`, truffle `HDWalletProvider(…)`. */
const EVM_CALL = '(?:Wallet|privateKeyToAccount|fromPrivateKey|HDWalletProvider|from_key)\\(';
/** Every EVM rule line holds 64 hex digits in a row: one shared test per line before the patterns. */
const HEX64 = /[0-9a-fA-F]{64}/;
/** Both base58 rules' secrets are runs of at least 51 base58 characters (WIF 51–52, Solana 86–88). */
const B58_RUN = new RegExp(`[${B58}]{51}`);
/** A byte list opens with `[`, a number and a comma. */
const BYTE_LIST_START = /\[\s*\d{1,3}\s*,/;

/**
 * `prefix` + optional separator + `suffix`, lower-case, as keywords: the names themselves rather
 * than `private` or `account` alone, which stand on a line in ten of exchange client code (CCXT).
 */
function nameKeywords(prefixes: readonly string[], suffixes: readonly string[]): string[] {
  return prefixes.flatMap((p) => suffixes.flatMap((s) => ['', '_', '-'].map((sep) => `${p}${sep}${s}`)));
}
/** `walletKey`, `SIGNER_SECRET`…: `wallet` and `signer` alone stand on thousands of lines of CCXT. */
const WALLET_NAMES = nameKeywords(['wallet', 'signer'], ['pk', 'key', 'secret']);
/** `privkey` is `priv` + `key` without a separator. */
const PRIVKEY = nameKeywords(['private', 'priv'], ['key']);
/** Values that are hex-shaped placeholders: a short group repeated, a counting sequence. */
const HEX_PLACEHOLDERS = [/^(?:0x)?([0-9a-fA-F]{1,8})\1+$/, /0123456789abcdef|fedcba9876543210/i];

const evmKey = (secret: string, _match: string, line: string) =>
  isSecp256k1Key(secret) && !TEST_VECTOR_REMARK.test(line);
const notTestVector = (_secret: string, _match: string, line: string) => !TEST_VECTOR_REMARK.test(line);

const SOLANA_KEYWORDS = [
  'solana',
  'keypair',
  ...nameKeywords(['secret'], ['key']),
  ...PRIVKEY,
  ...WALLET_NAMES,
  'payer',
  'authority',
  'uint8array',
];
const BYTE_LIST = '(?<secret>\\d{1,3}(?:\\s*,\\s*\\d{1,3}){63})';
const KEYPAIR_FILE = new RegExp(`^\\s*\\[\\s*${BYTE_LIST}\\s*\\]\\s*$`);

const EVM_DESCRIPTION =
  'Ethereum/EVM private key (secp256k1, 64 hex digits) assigned to a key name, in an account list or passed to a wallet';

export const WALLET_RULES: Rule[] = [
  {
    id: 'evm-private-key',
    description: EVM_DESCRIPTION,
    // Every EVM_NAME and EVM_CALL spelling contains one of these.
    keywords: [
      ...PRIVKEY,
      // Rare words on their own (deployerPrivateKey, DEPLOYER_PK); common ones only as key names.
      'deployer',
      'relayer',
      ...nameKeywords(['wallet', 'signer', 'account', 'owner', 'admin'], ['pk', 'key', 'secret']),
      'wallet(',
      'walletprovider(',
      'from_key(',
    ],
    pattern: new RegExp(
      `(?:(?<![A-Za-z0-9_.-])${EVM_NAME}["'\`]?\\]?\\s*(?::=|=>|=|:)|--private[_-]key(?:\\s+|=)|${EVM_CALL})\\s*(?:[A-Za-z_.]+\\(\\s*)?\\[?\\s*${HEX_PREFIX_CONCAT}["'\`]?${EVM_HEX}`,
      'g',
    ),
    prefilter: HEX64,
    before: 0,
    after: 0,
    entropy: 3.0,
    falsePositives: [...PLACEHOLDERS, ...HEX_PLACEHOLDERS],
    validate: evmKey,
    part: 'privateKey',
    confidence: 'high',
  },
  {
    // Same rule id: the other half of the same leak (hardhat/foundry `accounts: [...]`, JSON account lists).
    id: 'evm-private-key',
    description: EVM_DESCRIPTION,
    keywords: ['accounts:', 'accounts":', "accounts':", 'accounts=', 'accounts ='],
    pattern: new RegExp(
      `(?:${ci('accounts')}["'\`]?\\s*[:=]\\s*\\[\\s*|^\\s*|,\\s*)${HEX_PREFIX_CONCAT}["'\`]${EVM_HEX}["'\`]`,
      'g',
    ),
    prefilter: HEX64,
    before: 0,
    after: 12,
    entropy: 3.0,
    falsePositives: [...PLACEHOLDERS, ...HEX_PLACEHOLDERS],
    validate: evmKey,
    part: 'privateKey',
    confidence: 'high',
  },
  {
    id: 'solana-keypair',
    description: 'Solana keypair as a JSON array of 64 bytes (Ed25519 seed and its public key)',
    keywords: SOLANA_KEYWORDS,
    pattern: new RegExp(`\\[\\s*${BYTE_LIST}\\s*\\]`, 'g'),
    prefilter: BYTE_LIST_START,
    keyFile: (text) => {
      const m = KEYPAIR_FILE.exec(text);
      const secret = m?.groups?.secret;
      return secret === undefined ? [] : [{ index: text.indexOf(secret), secret }];
    },
    before: 3,
    after: 3,
    validate: (secret, _match, line) => isByteArrayKeypair(secret) && !TEST_VECTOR_REMARK.test(line),
    part: 'privateKey',
    confidence: 'high',
  },
  {
    id: 'solana-private-key',
    description: 'Solana private key in base58 (a 64-byte keypair, as wallets export it)',
    keywords: SOLANA_KEYWORDS,
    pattern: new RegExp(`(?<![${B58}])(?<secret>[${B58}]{86,88})(?![${B58}])`, 'g'),
    prefilter: B58_RUN,
    before: 1,
    after: 1,
    validate: (secret, _match, line) => isBase58Keypair(secret) && !TEST_VECTOR_REMARK.test(line),
    part: 'privateKey',
    confidence: 'high',
  },
  {
    id: 'bitcoin-wif-private-key',
    description: 'Bitcoin private key in Wallet Import Format (base58check, mainnet or testnet)',
    keywords: ['wif', ...PRIVKEY, ...WALLET_NAMES, 'bitcoin', 'testnet', 'electrum'],
    pattern: new RegExp(`(?<![${B58}])(?<secret>[5KLc9][${B58}]{50,51})(?![${B58}])`, 'g'),
    prefilter: B58_RUN,
    before: 1,
    after: 1,
    validate: (secret, _match, line) => isWif(secret) && !TEST_VECTOR_REMARK.test(line),
    part: 'privateKey',
    confidence: 'high',
  },
  {
    id: 'bitcoin-extended-private-key',
    description: 'BIP-32 extended private key (xprv/tprv/yprv/zprv…, base58check): every key of the wallet',
    keywords: ['xprv', 'tprv', 'yprv', 'zprv', 'uprv', 'vprv'],
    pattern: new RegExp(`(?<![${B58}])(?<secret>[xtyzuvYZUV]prv[${B58}]{107,108})(?![${B58}])`, 'g'),
    before: 0,
    after: 0,
    validate: (secret, _match, line) => isExtendedPrivateKey(secret) && !TEST_VECTOR_REMARK.test(line),
    part: 'privateKey',
    confidence: 'high',
  },
  {
    id: 'wallet-keystore',
    description:
      'Encrypted wallet keystore (Web3 Secret Storage JSON): informational, as safe as its password; review whether it belongs here',
    keywords: ['kdfparams'],
    pattern: /"ciphertext"\s*:\s*"(?<secret>[0-9a-fA-F]{64})"/g,
    before: 12,
    after: 12,
    validate: notTestVector,
    part: 'privateKey',
    confidence: 'low',
  },
];
