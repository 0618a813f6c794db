import type { Rule } from '../scan-types.js';
import { ci, PLACEHOLDERS } from './helpers.js';
import { findMnemonics } from './mnemonic.js';
import { TEST_VECTOR_REMARK } from './wallet-checks.js';

/** A value that is a property access in code (`this.secret`, `config.apiKey`), not a literal. */
export const CODE_REFERENCE =
  /^(?:this|self|config|settings|options|opts|params|process|os|env|cfg|conf|args|ctx|credentials|creds|secrets?|window|global|globalThis|app|req|request|res|response|data|item|obj|account|exchange|client|[a-z]+[A-Z]\w*)\.[A-Za-z_$]/;

/** Provider tokens with a recognisable prefix, private keys, seed phrases and secret-looking assignments. */
export const GENERIC_RULES: Rule[] = [
  {
    id: 'private-key',
    description: 'Private key PEM block (RSA, EC, Ed25519/PKCS#8, OpenSSH, encrypted)',
    keywords: ['-----begin'],
    pattern:
      /-----BEGIN (?<kind>[A-Z0-9 ]*?)PRIVATE KEY(?: BLOCK)?-----(?<secret>[\s\S]{16,12000}?)-----END \k<kind>PRIVATE KEY(?: BLOCK)?-----/g,
    after: 120,
    before: 0,
    multiline: true,
    falsePositives: [/\.\.\.|<[a-z ]+>|your|example/i],
    // The body must be base64 (code that assembles a PEM from variables is not a key).
    validate: (secret) => {
      const body = secret
        .split(/\\n|\n/)
        .filter((line) => !line.includes(':'))
        .join('')
        .replace(/\\r|[\s"'`,+]/g, '');
      return /^[A-Za-z0-9/=]{40,}$/.test(body);
    },
    part: 'privateKey',
    confidence: 'high',
  },
  {
    id: 'keywarden-client-credential',
    description: 'keywarden client API key or bearer token (kw_…)',
    keywords: ['kw_'],
    pattern: /(?<![A-Za-z0-9_])(?<secret>kw_[0-9A-Za-z]{20,})(?![A-Za-z0-9_])/g,
    entropy: 3.8,
    falsePositives: PLACEHOLDERS,
    validate: (secret) => /[0-9]/.test(secret) && /[A-Z]/.test(secret) && /[a-z]/.test(secret.slice(3)),
    confidence: 'high',
  },
  {
    id: 'mnemonic-seed-phrase',
    description: 'BIP-39 mnemonic seed phrase (12–24 English words with a valid checksum)',
    keywords: [],
    pattern: /$^/g,
    extract: findMnemonics,
    confidence: 'high',
  },
  {
    id: 'aws-access-key-id',
    description: 'AWS access key id',
    keywords: ['akia', 'asia', 'abia', 'acca'],
    pattern: /(?<![A-Z0-9])(?<secret>(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16})(?![A-Z0-9])/g,
    entropy: 3.0,
    falsePositives: [/EXAMPLE/],
    family: 'aws',
    part: 'apiKey',
    confidence: 'high',
  },
  {
    id: 'aws-secret-access-key',
    description: 'AWS secret access key',
    keywords: ['aws', 'secret_access_key', 'secretaccesskey'],
    pattern: new RegExp(
      `${ci('(?:aws[_.-]?secret[_.-]?(?:access[_.-]?)?key|secret[_.-]?access[_.-]?key)')}["'\`]?\\s*(?::=|=>|=|:)\\s*["'\`]?(?<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])`,
      'g',
    ),
    before: 3,
    after: 3,
    entropy: 4.3,
    falsePositives: [/EXAMPLEKEY/, ...PLACEHOLDERS],
    family: 'aws',
    part: 'secret',
    confidence: 'medium',
  },
  {
    id: 'github-token',
    description: 'GitHub token (classic PAT, OAuth, app or fine-grained PAT)',
    keywords: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_'],
    pattern:
      /(?<![A-Za-z0-9_])(?<secret>(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}))(?![A-Za-z0-9_])/g,
    entropy: 3.8,
    falsePositives: PLACEHOLDERS,
    confidence: 'high',
  },
  {
    id: 'slack-token',
    description: 'Slack bot, user or app token',
    keywords: ['xoxb-', 'xoxp-', 'xoxa-', 'xoxr-', 'xoxs-', 'xoxe-'],
    pattern:
      /(?<secret>xox[bpares]-[0-9]{10,13}-[0-9]{10,13}(?:-[0-9]{10,13})?-[A-Za-z0-9]{24,34})(?![A-Za-z0-9])/g,
    falsePositives: PLACEHOLDERS,
    confidence: 'high',
  },
  {
    id: 'slack-webhook',
    description: 'Slack incoming-webhook URL',
    keywords: ['hooks.slack.com'],
    pattern:
      /https:\/\/hooks\.slack\.com\/services\/(?<secret>T[A-Z0-9]{8,11}\/B[A-Z0-9]{8,11}\/[A-Za-z0-9]{24})(?![A-Za-z0-9])/g,
    falsePositives: PLACEHOLDERS,
    confidence: 'high',
  },
  {
    id: 'telegram-bot-token',
    description: 'Telegram bot token',
    keywords: [':aa'],
    pattern: /(?<![0-9])(?<secret>[0-9]{8,10}:AA[A-Za-z0-9_-]{33})(?![A-Za-z0-9_-])/g,
    entropy: 3.8,
    falsePositives: PLACEHOLDERS,
    confidence: 'high',
  },
  {
    id: 'discord-bot-token',
    description: 'Discord bot token',
    keywords: ['discord'],
    pattern:
      /(?<![A-Za-z0-9_-])(?<secret>[MNO][A-Za-z0-9_-]{23,25}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38})(?![A-Za-z0-9_-])/g,
    before: 4,
    after: 4,
    entropy: 4.0,
    falsePositives: PLACEHOLDERS,
    confidence: 'medium',
  },
  {
    id: 'discord-webhook',
    description: 'Discord webhook URL',
    keywords: ['discord.com/api/webhooks', 'discordapp.com/api/webhooks'],
    pattern:
      /discord(?:app)?\.com\/api\/webhooks\/(?<secret>[0-9]{17,20}\/[A-Za-z0-9_-]{60,68})(?![A-Za-z0-9_-])/g,
    falsePositives: PLACEHOLDERS,
    confidence: 'high',
  },
  {
    id: 'generic-secret-assignment',
    description:
      'High-entropy value assigned to a secret-looking name (secret, api_key, passphrase, token, password)',
    keywords: ['secret', 'api_key', 'apikey', 'api-key', 'passphrase', 'password', 'token', 'private_key'],
    pattern: new RegExp(
      // The lookbehind changes no match (a match inside a name also starts at the name's start, tried
      // first) but stops the engine from re-scanning every name from each of its characters.
      `(?<![A-Za-z0-9_.-])(?<name>[A-Za-z0-9_.-]*${ci('(?:secret|api[_.-]?key|apikey|passphrase|password|passwd|token|private[_.-]?key)')}[A-Za-z0-9_.-]*)["'\`]?\\]?\\s*(?::=|=>|=|:)\\s*["'\`]?(?<secret>[A-Za-z0-9+/=_.~-]{16,})(?![A-Za-z0-9+/=_.~(-])`,
      'g',
    ),
    before: 0,
    after: 0,
    entropy: 3.5,
    falsePositives: [
      ...PLACEHOLDERS,
      /^(?:sha(?:1|256|384|512)-|[A-Za-z_]+\.[A-Za-z_.]+$)/,
      /^[A-Z0-9_]+$/,
      CODE_REFERENCE,
      /^0x[0-9a-fA-F]{40}$/,
      // 0x and 64 hex digits is EVM-shaped: the wallet rule decides (secp256k1 range, test-vector remark).
      /^0x[0-9a-fA-F]{64}$/,
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
    ],
    validate: (secret, match, line) =>
      !TEST_VECTOR_REMARK.test(line) &&
      /[0-9]/.test(secret) &&
      /[A-Za-z]/.test(secret) &&
      !/(?:hash|sha|checksum|digest|integrity|_id|id["'`\]]?\s*[:=]|url|uri|path|file|name|address|page|cursor|continuation|next|prev|contract|symbol|mint|ratelimit)/i.test(
        match.slice(0, match.length - secret.length),
      ),
    generic: true,
    confidence: 'low',
  },
];
