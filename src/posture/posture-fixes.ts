/**
 * The commands posture fixes print. Where a human changes a key's settings on the exchange's
 * website is not here: each adapter carries it (`ExchangeAdapter.console`, src/exchanges/).
 */

import { shellArg } from '../core/index.js';

export { shellArg };

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
    clientRevoke: (name: string) => cmd('client', 'revoke', q(name)),
    /** `cidr` may be a placeholder such as `<bot-ip>/32`, printed as is for the operator to fill in. */
    clientSetIp: (name: string, cidr: string) => cmd('client', 'set-ip', q(name), cidr),
    /** Without a file: the built-in least-privilege policy (`--default`). */
    clientSetPolicy: (name: string, policyFile?: string) =>
      policyFile === undefined
        ? cmd('client', 'set-policy', q(name), '--default')
        : cmd('client', 'set-policy', q(name), '--policy', q(policyFile)),
    clientReroll: (name: string) => cmd('client', 'reroll', q(name), '--grace', '1h'),
    auditVerify: () =>
      configPath === undefined ? cmd('audit', 'verify') : cmd('audit', 'verify', '--config', q(configPath)),
    /** `flags` are printed as given (placeholders such as `<YYYY-MM-DD>` included); quote values before. */
    clientSetThirdParty: (name: string, flags: string[]) =>
      cmd('client', 'set-third-party', q(name), ...flags),
    policyCheck: (file: string) => cmd('policy', 'check', q(file)),
    alertsTest: () =>
      configPath === undefined ? cmd('alerts', 'test') : cmd('alerts', 'test', '--config', q(configPath)),
  };
}
export type CommandBuilder = ReturnType<typeof commandBuilder>;
