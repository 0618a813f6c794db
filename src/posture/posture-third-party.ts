/**
 * The evaluation checklist for a third-party integration (a client marked with `--third-party`):
 * least privilege for its stated purpose, the vendor's published addresses only, review date not
 * passed, no withdraw, an exchange key of its own.
 */

import type { ClientRecord, ThirdParty } from '../clients/index.js';
import { PURPOSE_ACTIONS } from '../clients/index.js';
import { shellArg } from '../core/index.js';
import type { KeyRecord } from '../keys/index.js';
import { type PostureCheck, runChecks, type Verdict, verdict } from './posture-checks.js';
import type { CommandBuilder } from './posture-fixes.js';
import type { CheckItem } from './posture-types.js';

const DAY_MS = 86_400_000;

export interface ThirdPartyContext {
  client: ClientRecord;
  thirdParty: ThirdParty;
  /** The bound key, when active. */
  key: KeyRecord | undefined;
  /** Whether the key can withdraw, from its latest verification of the current version; undefined: not known. */
  keyCanWithdraw: boolean | undefined;
  /** Names of the other live clients on the same exchange key (or another registration of it). */
  sharedWith: string[];
  now: number;
}

const q = shellArg;

function leastPrivilege(ctx: ThirdPartyContext, cmd: CommandBuilder): Verdict {
  const { client, thirdParty: tp } = ctx;
  const needs = PURPOSE_ACTIONS[tp.purpose];
  if (needs === undefined)
    return verdict('unknown', `${tp.vendor} states purpose "other": nothing to hold the policy to`, {
      action: 'state what the vendor needs the key for',
      commands: [
        cmd.clientSetThirdParty(client.name, ['--purpose', '<portfolio|tax|trading|market-making>']),
      ],
    });
  const extra = client.policy.actions.filter((a) => !needs.includes(a));
  if (extra.length === 0)
    return verdict(
      'pass',
      `policy actions ${client.policy.actions.join(', ')}; ${tp.purpose} needs ${needs.join(', ')}`,
    );
  const file = `${client.name}-policy.yaml`;
  return verdict(
    'fail',
    `policy allows ${extra.join(', ')} beyond what ${tp.purpose} needs (${needs.join(', ')})`,
    {
      action: `put the client on a policy that allows only ${needs.join(', ')}: write it, check it, apply it (the gateway applies it on the next request)`,
      commands: [
        `printf '%s\\n' 'mode: enforce' ${q(`actions: [${needs.join(', ')}]`)} > ${q(file)}`,
        cmd.policyCheck(file),
        cmd.clientSetPolicy(client.name, file),
      ],
    },
  );
}

function vendorIps(ctx: ThirdPartyContext, cmd: CommandBuilder): Verdict {
  const { client, thirdParty: tp } = ctx;
  const published = tp.vendorIps ?? [];
  if (published.length === 0)
    return verdict('unknown', `${tp.vendor}'s published source addresses are not recorded`, {
      action: `look up the addresses ${tp.vendor} publishes for its API calls, record them, then pin the client to them`,
      commands: [
        cmd.clientSetThirdParty(client.name, ['--vendor-ip', '<cidr>']),
        cmd.clientSetIp(client.name, '<cidr>'),
      ],
    });
  const outside = client.ipAllow.filter((c) => !published.includes(c));
  if (client.ipAllow.length > 0 && outside.length === 0)
    return verdict('pass', `allowed from ${client.ipAllow.join(', ')}, all published by ${tp.vendor}`);
  return verdict(
    'fail',
    client.ipAllow.length === 0
      ? `no allow-list: usable from anywhere, while ${tp.vendor} publishes ${published.join(', ')}`
      : `allowed from ${outside.join(', ')}, not among ${tp.vendor}'s published ${published.join(', ')}`,
    {
      action: `allow exactly the vendor's published addresses; the gateway applies it on the next request`,
      commands: [cmd.clientSetIp(client.name, published.map(q).join(' '))],
    },
  );
}

function review(ctx: ThirdPartyContext, cmd: CommandBuilder): Verdict {
  const { client, thirdParty: tp, now } = ctx;
  const due = Date.parse(`${tp.reviewBy}T23:59:59.999Z`);
  const days = Math.floor(Math.abs(due - now) / DAY_MS);
  if (due >= now)
    return verdict('pass', `next review ${tp.reviewBy} (in ${days} days); contact ${tp.contact}`);
  return verdict(
    'fail',
    `review of ${tp.vendor} overdue since ${tp.reviewBy} (${days} days); contact ${tp.contact}`,
    {
      action: `review the integration against this checklist and ${tp.vendor}'s security notices (does it still need the key? for the same purpose?), then set the next review date`,
      commands: [cmd.clientSetThirdParty(client.name, ['--review-by', '<YYYY-MM-DD>'])],
    },
  );
}

function noWithdraw(ctx: ThirdPartyContext, cmd: CommandBuilder): Verdict {
  const { client, key } = ctx;
  const moving = client.policy.actions.filter((a) => a === 'withdraw' || a === 'transfer');
  if (moving.length > 0)
    return verdict('fail', `policy allows ${moving.join(' and ')} to a third party`, {
      action: 'take withdraw and transfer out of the policy (the default policy denies both)',
      commands: [cmd.clientSetPolicy(client.name)],
    });
  const label = key?.label ?? client.keyId;
  if (ctx.keyCanWithdraw === true)
    return verdict(
      'fail',
      `policy denies withdraw and transfer, but exchange key ${label} can withdraw (verified)`,
      {
        action: `disable withdrawals on exchange key ${label} (see key.withdraw_disabled), then verify again`,
        commands: key ? [cmd.verify(key.label)] : [],
      },
    );
  if (ctx.keyCanWithdraw === undefined)
    return verdict(
      'unknown',
      `policy denies withdraw and transfer; exchange key ${label}'s withdraw permission is not verified`,
      {
        action: 'verify the key against the exchange',
        commands: key ? [cmd.verify(key.label)] : [],
      },
    );
  return verdict(
    'pass',
    `policy denies withdraw and transfer; exchange key ${label} cannot withdraw (verified)`,
  );
}

function ownCredential(ctx: ThirdPartyContext, cmd: CommandBuilder): Verdict {
  const { client, thirdParty: tp, key } = ctx;
  const label = key?.label ?? client.keyId;
  if (ctx.sharedWith.length === 0) return verdict('pass', `the only client of exchange key ${label}`);
  const slug =
    tp.vendor
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'vendor';
  const newLabel = `${label}-${slug}`;
  const flags = [
    '--third-party',
    '--vendor',
    q(tp.vendor),
    '--purpose',
    tp.purpose,
    '--contact',
    q(tp.contact),
    '--review-by',
    tp.reviewBy,
  ];
  return verdict('fail', `exchange key ${label} also serves ${ctx.sharedWith.join(', ')}`, {
    action: `give ${tp.vendor} an exchange key of its own (created on the exchange for this vendor alone): register it, issue the vendor's client on it, then revoke this one`,
    commands: [
      ...(key ? [cmd.keyAdd(key.exchange, newLabel, key.environment)] : []),
      cmd.clientAdd(newLabel, `${client.name}-own`, flags),
      cmd.clientRevoke(client.name),
    ],
  });
}

/** The third-party checklist: applies to a client marked as a vendor's integration. */
export const THIRD_PARTY_CHECKS: ReadonlyArray<PostureCheck<ThirdPartyContext>> = [
  {
    id: 'client.third_party_least_privilege',
    title: (ctx) => `third party: least privilege for its purpose (${ctx.thirdParty.purpose})`,
    severity: 'high',
    check: leastPrivilege,
  },
  {
    id: 'client.third_party_vendor_ips',
    title: "third party: restricted to the vendor's published addresses",
    severity: 'high',
    check: vendorIps,
  },
  {
    id: 'client.third_party_review',
    title: 'third party: review date not passed',
    severity: 'medium',
    check: review,
  },
  {
    id: 'client.third_party_no_withdraw',
    title: 'third party: no withdraw, no transfer',
    severity: 'critical',
    check: noWithdraw,
  },
  {
    id: 'client.third_party_own_credential',
    title: 'third party: an exchange key of its own',
    severity: 'high',
    check: ownCredential,
  },
];

export function thirdPartyItems(ctx: ThirdPartyContext, cmd: CommandBuilder): CheckItem[] {
  return runChecks(THIRD_PARTY_CHECKS, ctx, cmd);
}
