/**
 * The posture report (DESIGN capability 9): every active key and live client checked against
 * the hygiene checklist, each item with its evidence and, when it fails or cannot be proven, the
 * exact fix. Pure: the caller gathers keys, clients, verifications and config; nothing here
 * reads a store, the clock or the network, so the same inputs give the same report.
 */

import type { ClientRecord } from '../clients/index.js';
import { parseListen } from '../config/config.js';
import type { IntrospectionResult } from '../exchanges/adapter.js';
import { adapterFor } from '../exchanges/index.js';
import type { KeyCheck, KeyRecord } from '../keys/index.js';
import { rotationState } from '../rotation/index.js';
import { type CommandBuilder, commandBuilder } from './posture-fixes.js';
import { item } from './posture-item.js';
import { repositoryItems } from './posture-repo.js';
import { thirdPartyItems } from './posture-third-party.js';
import type {
  CheckId,
  CheckItem,
  CheckSeverity,
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
  id: CheckId,
  title: string,
  severity: CheckSeverity,
  key: KeyRecord,
  v: Exclude<Verification, { kind: 'ok' }>,
  cmd: CommandBuilder,
  byHand: string,
): CheckItem {
  const verify = cmd.verify(key.label);
  switch (v.kind) {
    case 'none':
      return item(id, title, severity, 'unknown', 'never verified against the exchange', {
        action: 'verify the key against the exchange (one read-only permission query)',
        commands: [verify],
      });
    case 'stale':
      return item(
        id,
        title,
        severity,
        'unknown',
        `last verified ${minute(v.check.checkedAt)} at key version ${v.check.keyVersion}; the key is now version ${key.version}`,
        { action: 'verify the current key version against the exchange', commands: [verify] },
      );
    case 'unavailable':
      return item(
        id,
        title,
        severity,
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
): CheckItem {
  const settings = adapterFor(key.exchange).console;
  const id: CheckId = kind === 'withdraw' ? 'key.withdraw_disabled' : 'key.transfer_disabled';
  const title =
    kind === 'withdraw'
      ? 'least privilege: key cannot withdraw'
      : 'least privilege: key cannot transfer between accounts';
  const severity: CheckSeverity = kind === 'withdraw' ? 'critical' : 'high';
  const setting = kind === 'withdraw' ? settings.disableWithdrawals : settings.disableTransfers;
  if (v.kind !== 'ok') return unverified(id, title, severity, key, v, cmd, setting);
  const enabled = kind === 'withdraw' ? v.result.canWithdraw : v.result.canTransfer;
  const when = `verified ${minute(v.check.checkedAt)}`;
  const noun = kind === 'withdraw' ? 'withdrawals' : 'transfers';
  if (!enabled) return item(id, title, severity, 'pass', `${noun} disabled on ${settings.name} (${when})`);
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
  return item(id, title, severity, 'fail', `${noun} ENABLED on ${settings.name} (${when})`, fix);
}

function ipItem(key: KeyRecord, v: Verification, input: PostureInput, cmd: CommandBuilder): CheckItem {
  const settings = adapterFor(key.exchange).console;
  const id: CheckId = 'key.ip_restricted';
  const title = 'exchange-side IP restriction';
  const setting = `${settings.restrictIp} → add ${input.egressIp ?? "the gateway host's public egress IP"}`;
  if (v.kind !== 'ok') return unverified(id, title, 'high', key, v, cmd, setting);
  const when = `verified ${minute(v.check.checkedAt)}`;
  if (v.result.ipRestricted) {
    const list = v.result.ipList?.length ? v.result.ipList.join(', ') : 'list not reported';
    return item(id, title, 'high', 'pass', `restricted to ${list} (${when})`);
  }
  if (!settings.reportsIpRestriction)
    return item(
      id,
      title,
      'high',
      'unknown',
      `${settings.name} does not report a key's IP allow-list (${when})`,
      { action: `confirm by hand: ${setting}`, commands: [] },
    );
  return item(id, title, 'high', 'fail', `no IP restriction: usable from any address (${when})`, {
    action: `${setting}; then verify again`,
    commands: [cmd.verify(key.label)],
  });
}

function rotationItem(key: KeyRecord, input: PostureInput, cmd: CommandBuilder): CheckItem {
  const id: CheckId = 'key.rotation';
  const title = 'key age within the rotation policy';
  const state = rotationState(key, input.rotation, input.now);
  const since = key.rotatedAt ?? key.createdAt;
  const origin = `${key.rotatedAt !== undefined ? 'rotated' : 'registered'} ${day(since)}`;
  if (state.status === 'none')
    return item(
      id,
      title,
      'high',
      'not_applicable',
      `no rotation policy for ${key.environment} keys (lifecycle.rotationDays.${key.environment}); ${origin}`,
    );
  const facts = `${origin}, ${state.ageDays} days old, policy ${state.maxDays} days`;
  if (state.status === 'overdue') {
    const settings = adapterFor(key.exchange).console;
    return item(id, title, 'high', 'fail', `OVERDUE since ${day(state.dueAt)} (${facts})`, {
      action: `create a new ${settings.name} API key (read + trade, IP-restricted), rotate to it (JSON credential on stdin), then delete the old key on ${settings.name}`,
      commands: [cmd.rotate(key.label)],
    });
  }
  const due = Math.ceil((state.dueAt - input.now) / DAY_MS);
  return item(
    id,
    title,
    'high',
    'pass',
    `${facts}; due ${day(state.dueAt)}${state.status === 'due_soon' ? ` (in ${due} days)` : ''}`,
  );
}

function environmentItem(key: KeyRecord, clients: readonly ClientRecord[], cmd: CommandBuilder): CheckItem {
  const id: CheckId = 'key.single_environment';
  const title = 'key not shared across environments';
  const others = clients.filter((c) => c.environment !== key.environment);
  if (others.length === 0)
    return item(
      id,
      title,
      'high',
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
  return item(
    id,
    title,
    'high',
    'fail',
    `${key.environment} key used by ${others.map((c) => `${c.name} (${c.environment})`).join(', ')}`,
    {
      action:
        'give each environment its own exchange key: register a separate key for it, issue the client on that key, then revoke the cross-environment client',
      commands,
    },
  );
}

function uniqueItem(key: KeyRecord, keys: readonly KeyRecord[], cmd: CommandBuilder): CheckItem {
  const id: CheckId = 'key.unique';
  const title = 'exchange key registered once';
  const same = keys.filter(
    (k) => k.id !== key.id && k.exchange === key.exchange && k.fingerprint === key.fingerprint,
  );
  if (same.length === 0)
    return item(
      id,
      title,
      'high',
      'pass',
      'no other registration of this exchange API key (keyed fingerprint)',
    );
  // Keep the oldest registration; every item names the same ones to retire.
  const all = [key, ...same].sort((a, b) => a.createdAt - b.createdAt || a.label.localeCompare(b.label));
  const retire = all.slice(1);
  return item(
    id,
    title,
    'high',
    'fail',
    `the same exchange API key is also registered as ${same.map((k) => `${k.label} (${k.environment})`).join(', ')}`,
    {
      action: `keep one registration (${all[0]?.label}): issue the other registrations' clients on it or on their own exchange keys, then retire the duplicates`,
      commands: retire.map((k) => cmd.retire(k.label)),
    },
  );
}

const CATCH_ALL = new Set(['0.0.0.0/0', '::/0', '0.0.0.0', '::']);

function clientItems(client: ClientRecord, input: PostureInput, cmd: CommandBuilder): CheckItem[] {
  const out: CheckItem[] = [];

  const open = client.ipAllow.filter((c) => CATCH_ALL.has(c));
  const ipTitle = 'client source-IP allow-list';
  if (client.ipAllow.length > 0 && open.length === 0)
    out.push(
      item('client.ip_allowlist', ipTitle, 'high', 'pass', `allowed from ${client.ipAllow.join(', ')}`),
    );
  else
    out.push(
      item(
        'client.ip_allowlist',
        ipTitle,
        'high',
        'fail',
        open.length > 0
          ? `allow-list contains ${open.join(', ')}: any address can use this credential`
          : 'no allow-list: any host holding the credential can use it',
        {
          action:
            "pin the client to the bot's address (replace <bot-ip>; list several addresses if the bot has several); the gateway applies it on the next request",
          commands: [cmd.clientSetIp(client.name, '<bot-ip>/32')],
        },
      ),
    );

  const moving = client.policy.actions.filter((a) => a === 'withdraw' || a === 'transfer');
  const replace: Fix = {
    action:
      'put the client on the default least-privilege policy (or on a policy file checked with `keywarden policy check`: `--policy FILE`); the gateway applies it on the next request',
    commands: [cmd.clientSetPolicy(client.name)],
  };
  const policyTitle = 'client policy denies withdraw and transfer';
  if (moving.length === 0)
    out.push(
      item(
        'client.policy_no_withdraw',
        policyTitle,
        'critical',
        'pass',
        `policy actions: ${client.policy.actions.join(', ')}`,
      ),
    );
  else {
    const w = client.policy.withdrawals;
    const limits = w
      ? ` (to ${w.addresses.length} allow-listed address${w.addresses.length === 1 ? '' : 'es'}${w.dailyCap ? ', daily cap' : ', no daily cap'})`
      : '';
    out.push(
      item(
        'client.policy_no_withdraw',
        policyTitle,
        'critical',
        'fail',
        `policy allows ${moving.join(' and ')}${limits}`,
        replace,
      ),
    );
  }

  const modeTitle = 'client policy enforced';
  out.push(
    client.policy.mode === 'enforce'
      ? item('client.policy_enforced', modeTitle, 'high', 'pass', 'mode: enforce')
      : item(
          'client.policy_enforced',
          modeTitle,
          'high',
          'fail',
          'mode: monitor (would-be denials are logged, not blocked)',
          {
            ...replace,
            action:
              'put the client on a policy with `mode: enforce` (the default policy enforces; or `--policy FILE`); the gateway applies it on the next request',
          },
        ),
  );

  const maxDays = input.rotation[client.environment];
  const issuedAt = input.credentialIssuedAt?.get(client.id) ?? client.createdAt;
  const ageDays = Math.floor((input.now - issuedAt) / DAY_MS);
  const ageTitle = 'client credential age';
  if (maxDays === null)
    out.push(
      item(
        'client.credential_age',
        ageTitle,
        'medium',
        'not_applicable',
        `no rotation policy for ${client.environment} (lifecycle.rotationDays.${client.environment}); issued ${day(issuedAt)}`,
      ),
    );
  else if (ageDays > maxDays)
    out.push(
      item(
        'client.credential_age',
        ageTitle,
        'medium',
        'fail',
        `issued ${day(issuedAt)}, ${ageDays} days old (policy ${maxDays} days)`,
        {
          action:
            'issue new client credentials; the old ones keep working for the grace period while the bot switches',
          commands: [cmd.clientReroll(client.name)],
        },
      ),
    );
  else
    out.push(
      item(
        'client.credential_age',
        ageTitle,
        'medium',
        'pass',
        `issued ${day(issuedAt)}, ${ageDays} days old (policy ${maxDays} days)`,
      ),
    );
  return out;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function gatewayItems(input: PostureInput, cmd: CommandBuilder): CheckItem[] {
  const out: CheckItem[] = [];
  const tlsTitle = 'TLS on non-loopback listeners';
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
  if (host === undefined)
    out.push(
      item('gateway.tls', tlsTitle, 'high', 'unknown', `listen address "${listen}" is not host:port`, tlsFix),
    );
  else if (tls)
    out.push(
      item(
        'gateway.tls',
        tlsTitle,
        'high',
        'pass',
        `HTTPS on ${listen}${input.gateway.requireClientCert ? ', client certificates required' : ''}`,
      ),
    );
  else if (isLoopback(host))
    out.push(item('gateway.tls', tlsTitle, 'high', 'pass', `plain HTTP on loopback only (${listen})`));
  else
    out.push(
      item(
        'gateway.tls',
        tlsTitle,
        'high',
        'fail',
        `plain HTTP on ${listen}: bearer tokens and signed requests cross the network in clear`,
        tlsFix,
      ),
    );

  const sinkTitle = 'monitoring sinks configured';
  const sinkFix: Fix = {
    action:
      'add at least one sink under monitor.sinks in keywarden.yaml (type discord, slack, telegram, webhook or email), then send a test alert',
    commands: [cmd.alertsTest()],
  };
  const m = input.monitor;
  if (m === undefined || m.sinks.length === 0)
    out.push(
      item(
        'monitor.sinks',
        sinkTitle,
        'medium',
        'fail',
        'no alert sink configured: alerts reach only the audit log',
        sinkFix,
      ),
    );
  else if (!m.enabled)
    out.push(
      item('monitor.sinks', sinkTitle, 'medium', 'fail', 'monitoring is off (monitor.enabled: false)', {
        ...sinkFix,
        action: 'set monitor.enabled: true in keywarden.yaml, then send a test alert',
      }),
    );
  else
    out.push(
      item(
        'monitor.sinks',
        sinkTitle,
        'medium',
        'pass',
        m.sinks.map((s) => `${s.name} (${s.type}, ${s.minSeverity} and above)`).join(', '),
      ),
    );

  const mfaTitle = 'admin MFA on';
  const ops = input.operators;
  if (ops === undefined || ops.total === 0)
    out.push(
      item(
        'admin.mfa',
        mfaTitle,
        'high',
        'not_applicable',
        ops === undefined
          ? 'keywarden has no operator accounts yet: admin actions run through this CLI, gated by the vault master key'
          : 'no operator accounts',
      ),
    );
  else if (ops.withMfa < ops.total)
    out.push(
      item(
        'admin.mfa',
        mfaTitle,
        'high',
        'fail',
        `${ops.total - ops.withMfa} of ${ops.total} operator accounts without MFA`,
        { action: 'turn on TOTP MFA for every operator account', commands: [] },
      ),
    );
  else out.push(item('admin.mfa', mfaTitle, 'high', 'pass', `all ${ops.total} operator accounts use MFA`));
  out.push(auditPinItem(input.audit, cmd));
  return out;
}

/** A pin kept only inside the store is replaced along with the store: `audit verify` then proves nothing. */
function auditPinItem(audit: PostureInput['audit'], cmd: CommandBuilder): CheckItem {
  const title = 'audit checkpoint key pinned outside the store';
  const anchor =
    audit.anchorFile !== undefined
      ? `; checkpoints copied to ${audit.anchorFile}`
      : '; no audit.anchorFile (checkpoints are kept in the store only)';
  if (audit.fingerprintPinned)
    return item(
      'audit.key_pinned',
      title,
      'medium',
      'pass',
      `audit.checkpointKeyFingerprint is set in keywarden.yaml${anchor}`,
    );
  return item(
    'audit.key_pinned',
    title,
    'medium',
    'fail',
    `no audit.checkpointKeyFingerprint: a rewritten audit log re-signed with another key passes audit verify${anchor}`,
    {
      action:
        "set audit.checkpointKeyFingerprint in keywarden.yaml to the fingerprint `keywarden init` printed (audit verify shows the store's own pin, to adopt only from a log you trust); optionally set audit.anchorFile to a file outside the data directory",
      commands: [cmd.auditVerify()],
    },
  );
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Build the posture report. Deterministic: same input, same report. */
export function buildPostureReport(input: PostureInput): PostureReport {
  const cmd = commandBuilder(input.cli ?? 'keywarden', input.configPath);
  const keys = input.keys.filter((k) => k.status === 'active').sort((a, b) => byText(a.label, b.label));
  const keyById = new Map(keys.map((k) => [k.id, k]));
  const clients = input.clients.filter((c) => c.status !== 'revoked').sort((a, b) => byText(a.name, b.name));

  const clientPostures: ClientPosture[] = clients.map((c) => {
    const key = keyById.get(c.keyId);
    const checks = clientItems(c, input, cmd);
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
    const checks = [
      permissionItem('withdraw', k, v, cmd),
      permissionItem('transfer', k, v, cmd),
      ipItem(k, v, input, cmd),
      rotationItem(k, input, cmd),
      environmentItem(k, own, cmd),
      uniqueItem(k, keys, cmd),
    ];
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

  const gatewayChecks = gatewayItems(input, cmd);
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
