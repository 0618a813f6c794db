/**
 * The incident report as Markdown, a pure function of its data (incident-data.ts).
 *
 * It holds names, ids, endpoints, rules and IP addresses only: the audit trail never has a
 * secret in clear, and the report leaves out even the HMACs of client key ids and addresses.
 * Everything that came from a request (endpoints, messages) is escaped, so a hostile bot
 * cannot inject Markdown or HTML into the operator's report.
 */
import { shellArg } from '../core/index.js';
import type { IncidentData } from './incident-data.js';
import { MAX_ROWS } from './incident-data.js';
import type { LockdownRecord } from './lockdown-types.js';

/** Inline text from the audit trail: one line, bounded, Markdown and HTML neutralised. */
export function mdText(value: unknown, max = 160): string {
  const text = String(value ?? '')
    .replace(/\p{Cc}+/gu, ' ')
    .slice(0, max);
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_{}[\]()#+!|~]/g, (c) => `\\${c}`);
}

/** An identifier (rule, endpoint, IP, name) as a code span; safe inside a table cell. */
export function mdCode(value: unknown, max = 120): string {
  const text = String(value ?? '')
    .replace(/\p{Cc}+/gu, ' ')
    .slice(0, max)
    .replace(/`/g, "'")
    .replace(/\|/g, '\\|');
  return text === '' ? '' : `\`${text}\``;
}

function utc(t: number | undefined): string {
  return t === undefined ? '-' : `${new Date(t).toISOString().slice(0, 19)}Z`;
}

function table(header: string[], rows: string[][]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
}

function unlockCommand(l: LockdownRecord): string {
  const which = l.scope === 'all' ? '--all' : `--${l.scope} ${shellArg(l.target?.label ?? '')}`;
  return `keywarden unlock ${which} --reason '<what was found and fixed>'`;
}

/** The report as Markdown: a pure function of its data. */
export function renderIncidentMarkdown(a: IncidentData): string {
  const { lockdown: l, hours, now, since } = a;
  const frozen = new Set(l.frozen);
  const label = (keyId: string) => a.keyLabels.get(keyId) ?? keyId;
  const out: string[] = [];

  out.push(`# Incident report: lockdown ${mdCode(l.id)}`, '');
  out.push(
    ...table(
      ['', ''],
      [
        ['Lockdown', mdCode(l.id)],
        ['Started (UTC)', utc(l.startedAt)],
        ['Scope', l.scope === 'all' ? 'all clients' : `${l.scope} ${mdCode(l.target?.label)}`],
        ['Reason', mdText(l.reason, 500)],
        ['Operator', mdCode(l.actor)],
        ['Audit window', `last ${hours} h: ${utc(since)} → ${utc(now)}`],
      ],
    ),
    '',
  );

  out.push('## Clients locked down', '');
  if (l.clients.length === 0) out.push('No client uses this scope: nothing was frozen.', '');
  else
    out.push(
      ...table(
        ['Client', 'Exchange', 'Key', 'State'],
        l.clients.map((c) => [
          mdCode(c.name),
          c.exchange,
          mdCode(label(c.keyId)),
          frozen.has(c.name)
            ? 'frozen by this lockdown'
            : 'already frozen before it (stays frozen after unlock)',
        ]),
      ),
      '',
    );

  if (l.cancel) {
    out.push('## Open orders cancelled', '');
    if (l.cancel.length === 0) out.push('No exchange key in scope.', '');
    else
      out.push(
        ...table(
          ['Key', 'Exchange', 'Cancelled', 'Not cancelled', 'Note'],
          l.cancel.map((c) => [
            mdCode(c.keyLabel),
            c.exchange,
            String(c.cancelled),
            String(c.failed.length),
            mdText(
              c.error ??
                c.failed
                  .map((f) => `${f.ref}: ${f.reason}`)
                  .slice(0, 3)
                  .join('; ') ??
                '',
            ),
          ]),
        ),
        '',
      );
  }

  const { allow: allowed, deny: denied, wouldDeny: would } = a.totals;
  out.push('## Summary', '');
  out.push(
    `- ${a.requests} request(s) from the affected clients${
      a.requests > 0 ? ` between ${utc(a.first)} and ${utc(a.last)}` : ' in the window'
    }: ${allowed} allowed, ${denied} denied, ${would} let through in monitor mode (would deny).`,
    `- ${a.denialCount} denial(s), ${a.moveCount} withdrawal or transfer attempt(s), ${a.ips.length} source IP(s), ${a.orderCount} order request(s) forwarded.`,
    '',
  );

  out.push('## Requests by action and decision', '');
  if (a.byAction.length === 0) out.push('None in the window.', '');
  else
    out.push(
      ...table(
        ['Client', 'Action', 'Allowed', 'Denied', 'Would deny'],
        a.byAction.map((c) => [
          mdCode(c.client),
          mdCode(c.action),
          String(c.allow),
          String(c.deny),
          String(c.wouldDeny),
        ]),
      ),
      '',
    );

  out.push('## Denials', '');
  if (a.denialCount === 0) out.push('None in the window.', '');
  else {
    out.push('By rule:', '');
    out.push(
      ...table(
        ['Rule', 'Count', 'Clients', 'Last seen (UTC)'],
        a.byRule.map((g) => [
          mdCode(g.rule),
          String(g.count),
          [...g.clients].map((c) => mdCode(c)).join(', '),
          utc(g.last),
        ]),
      ),
      '',
    );
    out.push(`Latest ${a.denials.length} of ${a.denialCount}:`, '');
    out.push(
      ...table(
        ['Time (UTC)', 'Client', 'Action', 'Endpoint', 'Rule', 'Source IP', 'Message'],
        a.denials.map((r) => [
          utc(r.at),
          mdCode(r.actor),
          mdCode(r.action),
          mdCode(r.endpoint),
          mdCode(r.rule),
          mdCode(r.sourceIp),
          mdText(r.message, 120),
        ]),
      ),
      '',
    );
  }

  out.push('## Withdrawal and transfer attempts', '');
  if (a.moveCount === 0) out.push('None in the window.', '');
  else
    out.push(
      `${a.moveCount} attempt(s)${a.moveCount > a.moves.length ? `, latest ${a.moves.length} shown` : ''}:`,
      '',
      ...table(
        ['Time (UTC)', 'Client', 'Action', 'Endpoint', 'Decision', 'Rule', 'Source IP'],
        a.moves.map((r) => [
          utc(r.at),
          mdCode(r.actor),
          mdCode(r.action),
          mdCode(r.endpoint),
          r.decision ?? '-',
          mdCode(r.rule),
          mdCode(r.sourceIp),
        ]),
      ),
      '',
    );

  out.push('## Source IPs seen', '');
  if (a.ips.length === 0) out.push('None in the window.', '');
  else
    out.push(
      ...table(
        ['Source IP', 'Requests', 'Denied', 'Clients', 'First seen (UTC)', 'Last seen (UTC)'],
        a.ips.map((s) => [
          mdCode(s.ip),
          String(s.requests),
          String(s.denied),
          [...s.clients].map((c) => mdCode(c)).join(', '),
          utc(s.first),
          utc(s.last),
        ]),
      ),
      '',
    );

  out.push('## Orders placed', '');
  if (a.orderCount === 0) out.push('No order request was forwarded in the window.', '');
  else {
    out.push(
      ...table(
        ['Client', 'Symbol', 'Side', 'Order requests', 'Notional (quote)'],
        a.orderGroups.map((g) => [
          mdCode(g.client),
          mdCode(g.symbol),
          g.side,
          String(g.count),
          g.notional > 0 ? g.notional.toFixed(2) : '-',
        ]),
      ),
      '',
    );
    out.push(`Latest ${a.orders.length} of ${a.orderCount}:`, '');
    out.push(
      ...table(
        ['Time (UTC)', 'Client', 'Endpoint', 'Symbol', 'Side', 'Notional', 'Exchange answer'],
        a.orders.map(({ record: r, upstreamStatus }) => [
          utc(r.at),
          mdCode(r.actor),
          mdCode(r.endpoint),
          mdCode(r.symbol),
          r.side ?? '-',
          r.notional !== undefined ? r.notional.toFixed(2) : '-',
          upstreamStatus !== undefined ? `HTTP ${upstreamStatus}` : 'no answer recorded',
        ]),
      ),
      '',
    );
  }

  out.push('## Alerts raised', '');
  if (a.alerts.length === 0) out.push('None recorded for these clients or keys in the window.', '');
  else
    out.push(
      ...table(
        ['Rule', 'Severity', 'Count', 'Last (UTC)'],
        a.alerts.map((g) => [mdCode(g.rule), g.severity, String(g.count), utc(g.last)]),
      ),
      '',
    );

  out.push('## Admin actions on these clients', '');
  if (a.admin.length === 0) out.push('None in the window.', '');
  else
    out.push(
      ...table(
        ['Time (UTC)', 'Action', 'Client', 'By'],
        a.admin.map((r) => [
          utc(r.at),
          mdCode(r.action),
          mdCode(typeof r.detail?.name === 'string' ? r.detail.name : r.clientId),
          mdCode(r.actor),
        ]),
      ),
      '',
    );

  // Next steps: one entry per key involved, then per client.
  const keys = a.keys;
  out.push('## Next steps', '');
  let n = 1;
  const step = (text: string) => out.push(`${n++}. ${text}`);
  if (keys.length > 0) {
    step('Revoke (delete) the exposed API key on the exchange, so it is dead even outside keywarden:');
    for (const k of keys)
      out.push(
        `   - ${mdCode(k.label)} on ${k.exchange}: ${mdText(`${k.deleteKey} (${k.apiKeysUrl})`, 200)}`,
      );
    step(
      'Create a new key on the exchange (read and trade only, pinned to the gateway’s egress IP) and switch to it:',
    );
    for (const k of keys) out.push(`   - ${mdCode(`keywarden key rotate ${shellArg(k.label)}`, 200)}`);
  } else step('No exchange key is in scope.');
  if (l.cancel?.some((c) => c.error || c.failed.length > 0))
    step('Some open orders were not cancelled (table above): cancel them on the exchange by hand.');
  step(
    `Review the trades on the exchange for ${utc(since)} → ${utc(now)} against “Orders placed” above, and the full trail:`,
  );
  for (const c of l.clients.slice(0, MAX_ROWS))
    out.push(`   - ${mdCode(`keywarden audit query --client ${c.id} --since ${hours}h`, 200)}`);
  if (a.ips.length > 0)
    step(
      'Check every source IP above: an address that is not one of your bot hosts means the client credential leaked.',
    );
  if (l.clients.length > 0) {
    step('Issue new client credentials to the bots once their hosts are clean (the old ones stop working):');
    for (const c of l.clients.slice(0, MAX_ROWS))
      out.push(`   - ${mdCode(`keywarden client reroll ${shellArg(c.name)}`, 200)}`);
  }
  step(`When it is resolved, lift this lockdown: ${mdCode(unlockCommand(l), 300)}`);
  out.push(
    '',
    '_This report holds names, ids, endpoints and IP addresses from the audit trail; credentials, signatures and client key ids never appear in it._',
    '',
  );
  return out.join('\n');
}
