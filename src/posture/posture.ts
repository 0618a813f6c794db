/**
 * The posture report (DESIGN capability 9): every active key and live client checked against
 * the hygiene checklist, each item with its evidence and, when it fails or cannot be proven, the
 * exact fix. Pure: the caller gathers keys, clients, verifications and config; nothing here
 * reads a store, the clock or the network, so the same inputs give the same report.
 */

import type { ClientRecord } from '../clients/index.js';
import { parseListen } from '../config/index.js';
import type { IntrospectionResult } from '../exchanges/index.js';
import { adapterFor } from '../exchanges/index.js';
import type { KeyCheck, KeyRecord } from '../keys/index.js';
import { rotationState } from '../rotation/index.js';
import { type PostureCheck, runChecks, type Verdict, verdict } from './posture-checks.js';
import { type CommandBuilder, commandBuilder } from './posture-fixes.js';
import { repositoryItems } from './posture-repo.js';
import { thirdPartyItems } from './posture-third-party.js';
import type {
  CheckItem,
  CheckStatus,
  ClientPosture,
  Fix,
  KeyPosture,
  PostureInput,
  PostureReport,
} from './posture-types.js';

const DAY_MS = 86_400_000;

const CREDIT: Record<CheckStatus, number> = { pass: 1, unknown: 0.5, fail: 0, not_applicable: 0 };

/** Weighted share of proven-good checks, 0–100; 100 when nothing applies. */
export function scoreOf(items: readonly CheckItem[]): number {
  let total = 0;
  let earned = 0;
  for (const i of items) {
    if (i.status === 'not_applicable') continue;
    total += i.weight;
    earned += i.weight * CREDIT[i.status];
  }
  return total === 0 ? 100 : Math.round((100 * earned) / total);
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const minute = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

type Verification =
  | { kind: 'none' }
  | { kind: 'stale'; check: KeyCheck }
  | { kind: 'unavailable'; check: KeyCheck; reason: string }
  | { kind: 'ok'; check: KeyCheck; result: IntrospectionResult };

function verificationOf(key: KeyRecord, check: KeyCheck | undefined): Verification {
  if (check === undefined) return { kind: 'none' };
  if (check.keyVersion !== key.version) return { kind: 'stale', check };
  if (!check.introspection.available)
    return { kind: 'unavailable', check, reason: check.introspection.reason };
  return { kind: 'ok', check, result: check.introspection };
}

/** The unknown item when a verification cannot answer a permission question. */
function unverified(
  key: KeyRecord,
  v: Exclude<Verification, { kind: 'ok' }>,
  cmd: CommandBuilder,
  byHand: string,
): Verdict {
  const verify = cmd.verify(key.label);
  switch (v.kind) {
    case 'none':
      return verdict('unknown', 'never verified against the exchange', {
        action: 'verify the key against the exchange (one read-only permission query)',
        commands: [verify],
      });
    case 'stale':
      return verdict(
        'unknown',
        `last verified ${minute(v.check.checkedAt)} at key version ${v.check.keyVersion}; the key is now version ${key.version}`,
        { action: 'verify the current key version against the exchange', commands: [verify] },
      );
    case 'unavailable':
      return verdict(
        'unknown',
        `the exchange did not report permissions (${v.reason}; ${minute(v.check.checkedAt)})`,
        { action: `confirm by hand: ${byHand}; then verify again`, commands: [verify] },
      );
  }
}

function permissionItem(
  kind: 'withdraw' | 'transfer',
  key: KeyRecord,
  v: Verification,
  cmd: CommandBuilder,
): Verdict {
  const settings = adapterFor(key.exchange).console;
  const setting = kind === 'withdraw' ? settings.disableWithdrawals : settings.disableTransfers;
  if (v.kind !== 'ok') return unverified(key, v, cmd, setting);
  const enabled = kind === 'withdraw' ? v.result.canWithdraw : v.result.canTransfer;
  const when = `verified ${minute(v.check.checkedAt)}`;
  const noun = kind === 'withdraw' ? 'withdrawals' : 'transfers';
  if (!enabled) return verdict('pass', `${noun} disabled on ${settings.name} (${when})`);
  const rotate = [cmd.rotate(key.label), cmd.verify(key.label)];
  const fix: Fix = settings.permissionsEditable
    ? {
        action: `${setting}; then verify again`,
        commands: [cmd.verify(key.label)],
        alternative: {
          action: `create a new ${settings.name} key without ${noun} and rotate to it (JSON credential on stdin)`,
          commands: rotate,
        },
      }
    : { action: `${setting}; rotate to the new key (JSON credential on stdin)`, commands: rotate };
  return verdict('fail', `${noun} ENABLED on ${settings.name} (${when})`, fix);
}

function ipItem(key: KeyRecord, v: Verification, input: PostureInput, cmd: CommandBuilder): Verdict {
  const settings = adapterFor(key.exchange).console;
  const setting = `${settings.restrictIp} → add ${input.egressIp ?? "the gateway host's public egress IP"}`;
  if (v.kind !== 'ok') return unverified(key, v, cmd, setting);
  const when = `verified ${minute(v.check.checkedAt)}`;
  if (v.result.ipRestricted) {
    const list = v.result.ipList?.length ? v.result.ipList.join(', ') : 'list not reported';
    return verdict('pass', `restricted to ${list} (${when})`);
  }
  if (!settings.reportsIpRestriction)
    return verdict('unknown', `${settings.name} does not report a key's IP allow-list (${when})`, {
      action: `confirm by hand: ${setting}`,
      commands: [],
    });
  return verdict('fail', `no IP restriction: usable from any address (${when})`, {
    action: `${setting}; then verify again`,
    commands: [cmd.verify(key.label)],
  });
}

function rotationItem(key: KeyRecord, input: PostureInput, cmd: CommandBuilder): Verdict {
  const state = rotationState(key, input.rotation, input.now);
  const since = key.rotatedAt ?? key.createdAt;
  const origin = `${key.rotatedAt !== undefined ? 'rotated' : 'registered'} ${day(since)}`;
  if (state.status === 'none')
    return verdict(
      'not_applicable',
      `no rotation policy for ${key.environment} keys (lifecycle.rotationDays.${key.environment}); ${origin}`,
    );
  const facts = `${origin}, ${state.ageDays} days old, policy ${state.maxDays} days`;
  if (state.status === 'overdue') {
    const settings = adapterFor(key.exchange).console;
    return verdict('fail', `OVERDUE since ${day(state.dueAt)} (${facts})`, {
      action: `create a new ${settings.name} API key (read + trade, IP-restricted), rotate to it (JSON credential on stdin), then delete the old key on ${settings.name}`,
      commands: [cmd.rotate(key.label)],
    });
  }
  const due = Math.ceil((state.dueAt - input.now) / DAY_MS);
  return verdict(
    'pass',
    `${facts}; due ${day(state.dueAt)}${state.status === 'due_soon' ? ` (in ${due} days)` : ''}`,
  );
}

function environmentItem(key: KeyRecord, clients: readonly ClientRecord[], cmd: CommandBuilder): Verdict {
  const others = clients.filter((c) => c.environment !== key.environment);
  if (others.length === 0)
    return verdict(
      'pass',
      clients.length === 0
        ? `${key.environment} key; no clients`
        : `${key.environment} key; ${clients.length} client${clients.length === 1 ? '' : 's'}, all ${key.environment}`,
    );
  const commands: string[] = [];
  const added = new Set<string>();
  for (const c of others) {
    const label = `${key.label}-${c.environment}`;
    if (!added.has(label)) {
      commands.push(cmd.keyAdd(key.exchange, label, c.environment));
      added.add(label);
    }
    commands.push(cmd.clientAdd(label, `${c.name}-${c.environment}`, ['--env', c.environment]));
    commands.push(cmd.clientRevoke(c.name));
  }
  return verdict(
    'fail',
    `${key.environment} key used by ${others.map((c) => `${c.name} (${c.environment})`).join(', ')}`,
    {
      action:
        'give each environment its own exchange key: register a separate key for it, issue the client on that key, then revoke the cross-environment client',
      commands,
    },
  );
}

function uniqueItem(key: KeyRecord, keys: readonly KeyRecord[], cmd: CommandBuilder): Verdict {
  const same = keys.filter(
    (k) => k.id !== key.id && k.exchange === key.exchange && k.fingerprint === key.fingerprint,
  );
  if (same.length === 0)
    return verdict('pass', 'no other registration of this exchange API key (keyed fingerprint)');
  // Keep the oldest registration; every item names the same ones to retire.
  const all = [key, ...same].sort((a, b) => a.createdAt - b.createdAt || a.label.localeCompare(b.label));
  const retire = all.slice(1);
  return verdict(
    'fail',
    `the same exchange API key is also registered as ${same.map((k) => `${k.label} (${k.environment})`).join(', ')}`,
    {
      action: `keep one registration (${all[0]?.label}): issue the other registrations' clients on it or on their own exchange keys, then retire the duplicates`,
      commands: retire.map((k) => cmd.retire(k.label)),
    },
  );
}

const CATCH_ALL = new Set(['0.0.0.0/0', '::/0', '0.0.0.0', '::']);

function clientIpItem({ client }: ClientContext, cmd: CommandBuilder): Verdict {
  const open = client.ipAllow.filter((c) => CATCH_ALL.has(c));
  if (client.ipAllow.length > 0 && open.length === 0)
    return verdict('pass', `allowed from ${client.ipAllow.join(', ')}`);
  return verdict(
    'fail',
    open.length > 0
      ? `allow-list contains ${open.join(', ')}: any address can use this credential`
      : 'no allow-list: any host holding the credential can use it',
    {
      action:
        "pin the client to the bot's address (replace <bot-ip>; list several addresses if the bot has several); the gateway applies it on the next request",
      commands: [cmd.clientSetIp(client.name, '<bot-ip>/32')],
    },
  );
}

const replacePolicy = (client: ClientRecord, cmd: CommandBuilder): Fix => ({
  action:
    'put the client on the default least-privilege policy (or on a policy file checked with `keywarden policy check`: `--policy FILE`); the gateway applies it on the next request',
  commands: [cmd.clientSetPolicy(client.name)],
});

function clientPolicyItem({ client }: ClientContext, cmd: CommandBuilder): Verdict {
  const moving = client.policy.actions.filter((a) => a === 'withdraw' || a === 'transfer');
  if (moving.length === 0) return verdict('pass', `policy actions: ${client.policy.actions.join(', ')}`);
  {
    const w = client.policy.withdrawals;
    const limits = w
      ? ` (to ${w.addresses.length} allow-listed address${w.addresses.length === 1 ? '' : 'es'}${w.dailyCap ? ', daily cap' : ', no daily cap'})`
      : '';
    return verdict('fail', `policy allows ${moving.join(' and ')}${limits}`, replacePolicy(client, cmd));
  }
}

function clientModeItem({ client }: ClientContext, cmd: CommandBuilder): Verdict {
  return client.policy.mode === 'enforce'
    ? verdict('pass', 'mode: enforce')
    : verdict('fail', 'mode: monitor (would-be denials are logged, not blocked)', {
        ...replacePolicy(client, cmd),
        action:
          'put the client on a policy with `mode: enforce` (the default policy enforces; or `--policy FILE`); the gateway applies it on the next request',
      });
}

function clientAgeItem({ client, input }: ClientContext, cmd: CommandBuilder): Verdict {
  const maxDays = input.rotation[client.environment];
  const issuedAt = input.credentialIssuedAt?.get(client.id) ?? client.createdAt;
  const ageDays = Math.floor((input.now - issuedAt) / DAY_MS);
  if (maxDays === null)
    return verdict(
      'not_applicable',
      `no rotation policy for ${client.environment} (lifecycle.rotationDays.${client.environment}); issued ${day(issuedAt)}`,
    );
  if (ageDays > maxDays)
    return verdict('fail', `issued ${day(issuedAt)}, ${ageDays} days old (policy ${maxDays} days)`, {
      action:
        'issue new client credentials; the old ones keep working for the grace period while the bot switches',
      commands: [cmd.clientReroll(client.name)],
    });
  return verdict('pass', `issued ${day(issuedAt)}, ${ageDays} days old (policy ${maxDays} days)`);
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function tlsItem(input: PostureInput): Verdict {
  const { listen, tls } = input.gateway;
  let host: string | undefined;
  try {
    host = parseListen(listen).host;
  } catch {
    host = undefined;
  }
  const tlsFix: Fix = {
    action:
      'set server.tls.cert and server.tls.key in keywarden.yaml (or KEYWARDEN_TLS_CERT and KEYWARDEN_TLS_KEY), or set server.listen to 127.0.0.1:PORT behind a TLS-terminating proxy',
    commands: [],
  };
  if (host === undefined) return verdict('unknown', `listen address "${listen}" is not host:port`, tlsFix);
  if (tls)
    return verdict(
      'pass',
      `HTTPS on ${listen}${input.gateway.requireClientCert ? ', client certificates required' : ''}`,
    );
  if (isLoopback(host)) return verdict('pass', `plain HTTP on loopback only (${listen})`);
  return verdict(
    'fail',
    `plain HTTP on ${listen}: bearer tokens and signed requests cross the network in clear`,
    tlsFix,
  );
}

function sinksItem(input: PostureInput, cmd: CommandBuilder): Verdict {
  const sinkFix: Fix = {
    action:
      'add at least one sink under monitor.sinks in keywarden.yaml (type discord, slack, telegram, webhook or email), then send a test alert',
    commands: [cmd.alertsTest()],
  };
  const m = input.monitor;
  if (m === undefined || m.sinks.length === 0)
    return verdict('fail', 'no alert sink configured: alerts reach only the audit log', sinkFix);
  if (!m.enabled)
    return verdict('fail', 'monitoring is off (monitor.enabled: false)', {
      ...sinkFix,
      action: 'set monitor.enabled: true in keywarden.yaml, then send a test alert',
    });
  return verdict('pass', m.sinks.map((s) => `${s.name} (${s.type}, ${s.minSeverity} and above)`).join(', '));
}

function mfaItem(input: PostureInput): Verdict {
  const ops = input.operators;
  if (ops === undefined || ops.total === 0)
    return verdict(
      'not_applicable',
      ops === undefined
        ? 'keywarden has no operator accounts yet: admin actions run through this CLI, gated by the vault master key'
        : 'no operator accounts',
    );
  if (ops.withMfa < ops.total)
    return verdict('fail', `${ops.total - ops.withMfa} of ${ops.total} operator accounts without MFA`, {
      action: 'turn on TOTP MFA for every operator account',
      commands: [],
    });
  return verdict('pass', `all ${ops.total} operator accounts use MFA`);
}

/** A pin kept only inside the store is replaced along with the store: `audit verify` then proves nothing. */
function auditPinItem({ audit }: PostureInput, cmd: CommandBuilder): Verdict {
  const anchor =
    audit.anchorFile !== undefined
      ? `; checkpoints copied to ${audit.anchorFile}`
      : '; no audit.anchorFile (checkpoints are kept in the store only)';
  if (audit.fingerprintPinned)
    return verdict('pass', `audit.checkpointKeyFingerprint is set in keywarden.yaml${anchor}`);
  return verdict(
    'fail',
    `no audit.checkpointKeyFingerprint: a rewritten audit log re-signed with another key passes audit verify${anchor}`,
    {
      action:
        "set audit.checkpointKeyFingerprint in keywarden.yaml to the fingerprint `keywarden init` printed (audit verify shows the store's own pin, to adopt only from a log you trust); optionally set audit.anchorFile to a file outside the data directory",
      commands: [cmd.auditVerify()],
    },
  );
}

interface KeyContext {
  key: KeyRecord;
  v: Verification;
  input: PostureInput;
  /** The live clients bound to this key. */
  own: readonly ClientRecord[];
  /** Every active key (duplicates of this one among them). */
  keys: readonly KeyRecord[];
}

interface ClientContext {
  client: ClientRecord;
  input: PostureInput;
}

/** The checklist of each active key, in report order. */
export const KEY_CHECKS: ReadonlyArray<PostureCheck<KeyContext>> = [
  {
    id: 'key.withdraw_disabled',
    title: 'least privilege: key cannot withdraw',
    severity: 'critical',
    check: (c, cmd) => permissionItem('withdraw', c.key, c.v, cmd),
  },
  {
    id: 'key.transfer_disabled',
    title: 'least privilege: key cannot transfer between accounts',
    severity: 'high',
    check: (c, cmd) => permissionItem('transfer', c.key, c.v, cmd),
  },
  {
    id: 'key.ip_restricted',
    title: 'exchange-side IP restriction',
    severity: 'high',
    check: (c, cmd) => ipItem(c.key, c.v, c.input, cmd),
  },
  {
    id: 'key.rotation',
    title: 'key age within the rotation policy',
    severity: 'high',
    check: (c, cmd) => rotationItem(c.key, c.input, cmd),
  },
  {
    id: 'key.single_environment',
    title: 'key not shared across environments',
    severity: 'high',
    check: (c, cmd) => environmentItem(c.key, c.own, cmd),
  },
  {
    id: 'key.unique',
    title: 'exchange key registered once',
    severity: 'high',
    check: (c, cmd) => uniqueItem(c.key, c.keys, cmd),
  },
];

/** The checklist of each live client (a third party's adds THIRD_PARTY_CHECKS). */
export const CLIENT_CHECKS: ReadonlyArray<PostureCheck<ClientContext>> = [
  { id: 'client.ip_allowlist', title: 'client source-IP allow-list', severity: 'high', check: clientIpItem },
  {
    id: 'client.policy_no_withdraw',
    title: 'client policy denies withdraw and transfer',
    severity: 'critical',
    check: clientPolicyItem,
  },
  { id: 'client.policy_enforced', title: 'client policy enforced', severity: 'high', check: clientModeItem },
  { id: 'client.credential_age', title: 'client credential age', severity: 'medium', check: clientAgeItem },
];

/** The checklist of the gateway's own configuration. */
export const GATEWAY_CHECKS: ReadonlyArray<PostureCheck<PostureInput>> = [
  { id: 'gateway.tls', title: 'TLS on non-loopback listeners', severity: 'high', check: tlsItem },
  { id: 'monitor.sinks', title: 'monitoring sinks configured', severity: 'medium', check: sinksItem },
  { id: 'admin.mfa', title: 'admin MFA on', severity: 'high', check: mfaItem },
  {
    id: 'audit.key_pinned',
    title: 'audit checkpoint key pinned outside the store',
    severity: 'medium',
    check: auditPinItem,
  },
];

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Build the posture report. Deterministic: same input, same report. */
export function buildPostureReport(input: PostureInput): PostureReport {
  const cmd = commandBuilder(input.cli ?? 'keywarden', input.configPath);
  const keys = input.keys.filter((k) => k.status === 'active').sort((a, b) => byText(a.label, b.label));
  const keyById = new Map(keys.map((k) => [k.id, k]));
  const clients = input.clients.filter((c) => c.status !== 'revoked').sort((a, b) => byText(a.name, b.name));

  const clientPostures: ClientPosture[] = clients.map((c) => {
    const key = keyById.get(c.keyId);
    const checks = runChecks(CLIENT_CHECKS, { client: c, input }, cmd);
    const tp = c.thirdParty;
    if (tp) {
      const v = key ? verificationOf(key, input.checks.get(key.id)) : undefined;
      // The same exchange key, whether bound directly or through another registration of it.
      const sameKey = (other: ClientRecord) => {
        if (other.keyId === c.keyId) return true;
        const k = keyById.get(other.keyId);
        return (
          key !== undefined &&
          k !== undefined &&
          k.exchange === key.exchange &&
          k.fingerprint === key.fingerprint
        );
      };
      checks.push(
        ...thirdPartyItems(
          {
            client: c,
            thirdParty: tp,
            key,
            keyCanWithdraw: v?.kind === 'ok' ? v.result.canWithdraw : undefined,
            sharedWith: clients.filter((o) => o.id !== c.id && sameKey(o)).map((o) => o.name),
            now: input.now,
          },
          cmd,
        ),
      );
    }
    return {
      id: c.id,
      name: c.name,
      keyId: c.keyId,
      key: key?.label ?? c.keyId,
      environment: c.environment,
      status: c.status,
      ...(tp ? { thirdParty: { vendor: tp.vendor, purpose: tp.purpose, reviewBy: tp.reviewBy } } : {}),
      score: scoreOf(checks),
      checks,
    };
  });

  const keyPostures: KeyPosture[] = keys.map((k) => {
    const v = verificationOf(k, input.checks.get(k.id));
    const own = clients.filter((c) => c.keyId === k.id);
    const checks = runChecks(KEY_CHECKS, { key: k, v, input, own, keys }, cmd);
    const clientChecks = clientPostures.filter((c) => c.keyId === k.id).flatMap((c) => c.checks);
    return {
      id: k.id,
      label: k.label,
      exchange: k.exchange,
      environment: k.environment,
      score: scoreOf([...checks, ...clientChecks]),
      checks,
    };
  });

  const gatewayChecks = runChecks(GATEWAY_CHECKS, input, cmd);
  const repoChecks = input.repository ? repositoryItems(input.repository) : [];
  const all = [
    ...keyPostures.flatMap((k) => k.checks),
    ...clientPostures.flatMap((c) => c.checks),
    ...gatewayChecks,
    ...repoChecks,
  ];
  const count = (s: CheckStatus) => all.filter((i) => i.status === s).length;
  return {
    schema: 'keywarden.posture/v1',
    generatedAt: new Date(input.now).toISOString(),
    score: scoreOf(all),
    counts: {
      pass: count('pass'),
      fail: count('fail'),
      unknown: count('unknown'),
      notApplicable: count('not_applicable'),
    },
    keys: keyPostures,
    clients: clientPostures,
    gateway: { score: scoreOf(gatewayChecks), checks: gatewayChecks },
    ...(input.repository
      ? { repository: { path: input.repository.root, score: scoreOf(repoChecks), checks: repoChecks } }
      : {}),
  };
}
