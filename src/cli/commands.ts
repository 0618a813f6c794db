/**
 * The top-level commands: how `keywarden --help` lists them (term and summary) and what each
 * group's `register()` describes them with. Top-level help is built from this table alone, so it
 * does not import the sixteen command groups (measured: 0.5 s, against 0.1 s).
 */
export const COMMANDS = {
  init: { term: 'init [options]', summary: 'Create the vault in the data directory' },
  unseal: { term: 'unseal [options]', summary: 'Check that the master-key source unseals the vault' },
  vault: { term: 'vault', summary: 'Vault maintenance' },
  key: { term: 'key', summary: 'Register and manage exchange API keys' },
  serve: { term: 'serve [options]', summary: 'Run the signing gateway' },
  client: { term: 'client', summary: 'Client credentials for bots (drop-in and token mode)' },
  demo: {
    term: 'demo [options]',
    summary:
      'Show what keywarden stores, a bot trading through the gateway, an alert and a lockdown (throw-away data directory)',
  },
  policy: { term: 'policy', summary: 'Validate and explain client policies' },
  audit: { term: 'audit', summary: 'Read, verify and export the tamper-evident audit log' },
  scan: {
    term: 'scan [options] [path]',
    summary:
      'Find leaked exchange keys, wallet keys and other secrets in files, git history, staged changes or stdin; --hygiene checks a repository',
  },
  hook: { term: 'hook', summary: 'Git hooks that run the leak scanner' },
  alerts: { term: 'alerts', summary: 'Alert sinks' },
  sandbox: {
    term: 'sandbox [options]',
    summary: 'Run the embedded exchange emulators (keys: `keywarden sandbox keys`)',
  },
  lockdown: {
    term: 'lockdown [options]',
    summary:
      'Freeze every client of a key (or one client, or all) at once; optionally cancel open orders; alert; write an incident report',
  },
  unlock: {
    term: 'unlock [options]',
    summary: 'Lift a lockdown: unfreezes exactly the clients it froze (--reason required)',
  },
  approvals: {
    term: 'approvals',
    summary: 'List, show, approve and reject requests waiting for a second person (held withdrawals)',
  },
  posture: {
    term: 'posture [options]',
    summary: 'Hygiene report for every key and client: checklist, score and the fix for each failing item',
  },
  operator: { term: 'operator', summary: 'Operator accounts of the admin API (local: needs the master key)' },
  admin: { term: 'admin', summary: 'The admin API (its own listener, default 127.0.0.1:8790)' },
} as const;

export type CommandName = keyof typeof COMMANDS;
