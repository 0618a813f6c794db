import type { ExchangeId } from '../exchanges/adapter.js';

/**
 * Where each exchange keeps the API-key settings posture asks the operator to change, by the
 * names the exchanges' own consoles use. This is console guidance, not protocol: the adapters
 * (src/exchanges/) say what a key can do; this says where a human turns it off.
 */
export interface ExchangeKeySettings {
  name: string;
  withdraw: string;
  transfer: string;
  /** Where the key's IP allow-list is set; posture appends the address to add. */
  ipRestriction: string;
  /** False when a key's permissions cannot be edited after creation (a new key is needed). */
  permissionsEditable: boolean;
  /** False when the exchange's introspection does not report the key's IP allow-list. */
  reportsIpRestriction: boolean;
}

export const EXCHANGE_KEY_SETTINGS: Readonly<Record<ExchangeId, ExchangeKeySettings>> = Object.freeze({
  binance: {
    name: 'Binance',
    withdraw: 'Binance → API Management → Edit restrictions → uncheck "Enable Withdrawals"',
    transfer:
      'Binance → API Management → Edit restrictions → uncheck "Permits Universal Transfer" and "Enable Internal Transfer"',
    ipRestriction: `Binance → API Management → Edit restrictions → "Restrict access to trusted IPs only"`,
    permissionsEditable: true,
    reportsIpRestriction: true,
  },
  coinbase: {
    name: 'Coinbase',
    withdraw:
      'Coinbase Developer Platform → API Keys → Create API key with only "View" and "Trade" ("Transfer" unticked); permissions cannot be edited on an existing key',
    transfer:
      'Coinbase Developer Platform → API Keys → Create API key with only "View" and "Trade" ("Transfer" unticked); permissions cannot be edited on an existing key',
    ipRestriction: `Coinbase Developer Platform → API Keys → Configure → Edit → API restrictions → IP allowlist`,
    permissionsEditable: false,
    reportsIpRestriction: false,
  },
  kraken: {
    name: 'Kraken',
    withdraw: 'Kraken → Settings → API → Edit key → Funds permissions → untick "Withdraw Funds"',
    transfer:
      'Kraken → Settings → API → Edit key → Funds permissions → untick "Withdraw Funds" (account transfers need it)',
    ipRestriction: `Kraken → Settings → API → Edit key → Advanced settings → IP allowlist`,
    permissionsEditable: true,
    reportsIpRestriction: true,
  },
  okx: {
    name: 'OKX',
    withdraw: 'OKX → Profile → API → Edit → Permissions → untick "Withdraw"',
    transfer:
      'OKX grants funding transfers with "Trade": run the bot on a sub-account (OKX → Sub-accounts) whose API key has only "Read" and "Trade", so a transfer cannot reach other funds',
    ipRestriction: `OKX → Profile → API → Edit → IP address`,
    permissionsEditable: true,
    reportsIpRestriction: true,
  },
  bybit: {
    name: 'Bybit',
    withdraw: 'Bybit → API Management → Edit → Wallet → untick "Withdrawal"',
    transfer: 'Bybit → API Management → Edit → Wallet → untick "Account Transfer" and "Subaccount Transfer"',
    ipRestriction: `Bybit → API Management → Edit → "Only IPs with permissions granted are allowed to access the OpenAPI"`,
    permissionsEditable: true,
    reportsIpRestriction: true,
  },
});

const SAFE_ARG = /^[A-Za-z0-9_./:@%+=,-]+$/;

/** One POSIX shell word: bare when it is safe, single-quoted otherwise (so a printed command runs as shown). */
export function shellArg(value: string): string {
  if (SAFE_ARG.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Builds the `keywarden …` commands fixes print, with the CLI prefix the report was run with. */
export function commandBuilder(cli: string, configPath?: string) {
  const cmd = (...words: string[]) => [cli, ...words].join(' ');
  const q = shellArg;
  return {
    verify: (label: string) => cmd('key', 'verify', q(label)),
    rotate: (label: string) => cmd('key', 'rotate', q(label), '--stdin'),
    retire: (label: string) => cmd('key', 'retire', q(label)),
    keyAdd: (exchange: string, label: string, env: string) =>
      cmd('key', 'add', q(exchange), '--label', q(label), '--env', q(env), '--stdin'),
    clientAdd: (key: string, name: string, extra: string[] = []) =>
      cmd('client', 'add', '--key', q(key), '--name', q(name), ...extra),
    clientShow: (name: string) => cmd('client', 'show', q(name)),
    clientRevoke: (name: string) => cmd('client', 'revoke', q(name)),
    clientReroll: (name: string) => cmd('client', 'reroll', q(name), '--grace', '1h'),
    alertsTest: () =>
      configPath === undefined ? cmd('alerts', 'test') : cmd('alerts', 'test', '--config', q(configPath)),
  };
}
export type CommandBuilder = ReturnType<typeof commandBuilder>;
