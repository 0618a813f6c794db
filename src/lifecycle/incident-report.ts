/**
 * The incident report a lockdown writes: what the affected clients did over the last N hours,
 * read back from the hash-chained audit trail (src/audit/audit-query.ts), and what to do next.
 *
 * It holds names, ids, endpoints, rules and IP addresses only: the audit trail never has a
 * secret in clear, and the report leaves out even the HMACs of client key ids and addresses.
 * Everything that came from a request (endpoints, messages) is escaped, so a hostile bot
 * cannot inject Markdown or HTML into the operator's report.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type SQLite from 'better-sqlite3';
import { queryAudit } from '../audit/audit-query.js';
import type { AuditFilter, AuditRecord } from '../audit/index.js';
import type { ExchangeId } from '../core/index.js';
import { adapterFor } from '../exchanges/index.js';
import type { LockdownRecord } from './lockdown.js';
import { shellArg } from './posture-fixes.js';

export interface IncidentInput {
  lockdown: LockdownRecord;
  /** Key registry id → label, for every key in the report. */
  keyLabels: Map<string, string>;
  /** Hours of audit trail covered, ending at `now`. */
  hours: number;
  now: number;
}

/** Detailed rows per list; counts and totals are always complete. */
const MAX_ROWS = 25;
const PAGE = 2_000;

interface Counts {
  allow: number;
  deny: number;
  wouldDeny: number;
}

interface IpStats {
  requests: number;
  denied: number;
  clients: Set<string>;
  first: number;
  last: number;
}

interface Aggregate {
  requests: number;
  first?: number;
  last?: number;
  byAction: Map<string, Counts>;
  denials: AuditRecord[];
  denialCount: number;
  byRule: Map<string, { count: number; clients: Set<string>; last: number }>;
  moves: AuditRecord[];
  moveCount: number;
  ips: Map<string, IpStats>;
  orders: AuditRecord[];
  orderCount: number;
  orderGroups: Map<string, { client: string; symbol: string; side: string; count: number; notional: number }>;
  admin: AuditRecord[];
}

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

/** Every record of one filter, a page at a time (a busy bot leaves hundreds of thousands a day). */
function* records(sqlite: SQLite.Database, filter: AuditFilter): Generator<AuditRecord> {
  let afterSeq: number | undefined;
  for (;;) {
    const page = queryAudit(sqlite, {
      ...filter,
      limit: PAGE,
      ...(afterSeq !== undefined ? { afterSeq } : {}),
    });
    yield* page;
    const last = page[page.length - 1];
    if (page.length < PAGE || !last) return;
    afterSeq = last.seq;
  }
}

/** Keep the MAX_ROWS newest records (by seq) seen so far, whatever order they come in. */
function keepLatest(list: AuditRecord[], r: AuditRecord): void {
  list.push(r);
  if (list.length <= MAX_ROWS) return;
  let oldest = 0;
  for (let i = 1; i < list.length; i++) if ((list[i]?.seq ?? 0) < (list[oldest]?.seq ?? 0)) oldest = i;
  list.splice(oldest, 1);
}

const newestFirst = (list: AuditRecord[]) => list.slice().sort((x, y) => y.seq - x.seq);

function aggregate(sqlite: SQLite.Database, clientIds: string[], since: number, until: number): Aggregate {
  const a: Aggregate = {
    requests: 0,
    byAction: new Map(),
    denials: [],
    denialCount: 0,
    byRule: new Map(),
    moves: [],
    moveCount: 0,
    ips: new Map(),
    orders: [],
    orderCount: 0,
    orderGroups: new Map(),
    admin: [],
  };
  for (const clientId of clientIds) {
    for (const r of records(sqlite, { clientId, since, until })) {
      if (r.kind === 'admin') {
        a.admin.push(r);
        continue;
      }
      if (r.kind !== 'request') continue;
      const client = r.actor ?? clientId;
      a.requests++;
      a.first = a.first === undefined ? r.at : Math.min(a.first, r.at);
      a.last = a.last === undefined ? r.at : Math.max(a.last, r.at);
      const action = r.action ?? 'unclassified';
      const key = `${client}\u0000${action}`;
      const counts = a.byAction.get(key) ?? { allow: 0, deny: 0, wouldDeny: 0 };
      if (r.decision === 'deny') counts.deny++;
      else if (r.decision === 'would-deny') counts.wouldDeny++;
      else counts.allow++;
      a.byAction.set(key, counts);
      if (r.sourceIp) {
        const ip = a.ips.get(r.sourceIp) ?? {
          requests: 0,
          denied: 0,
          clients: new Set(),
          first: r.at,
          last: r.at,
        };
        ip.requests++;
        if (r.decision === 'deny') ip.denied++;
        ip.clients.add(client);
        ip.first = Math.min(ip.first, r.at);
        ip.last = Math.max(ip.last, r.at);
        a.ips.set(r.sourceIp, ip);
      }
      if (r.decision === 'deny') {
        a.denialCount++;
        keepLatest(a.denials, r);
        const rule = r.rule ?? 'unknown';
        const g = a.byRule.get(rule) ?? { count: 0, clients: new Set<string>(), last: r.at };
        g.count++;
        g.clients.add(client);
        g.last = Math.max(g.last, r.at);
        a.byRule.set(rule, g);
      }
      if (action === 'withdraw' || action === 'transfer') {
        a.moveCount++;
        keepLatest(a.moves, r);
      }
      if (action === 'trade' && r.decision !== 'deny') {
        a.orderCount++;
        keepLatest(a.orders, r);
        const gk = `${client}\u0000${r.symbol ?? '-'}\u0000${r.side ?? '-'}`;
        const g = a.orderGroups.get(gk) ?? {
          client,
          symbol: r.symbol ?? '-',
          side: r.side ?? '-',
          count: 0,
          notional: 0,
        };
        g.count++;
        g.notional += r.notional ?? 0;
        a.orderGroups.set(gk, g);
      }
    }
  }
  // Admin records come per client: keep the latest across all of them.
  a.admin = a.admin.sort((x, y) => x.seq - y.seq).slice(-MAX_ROWS);
  return a;
}

/** The exchange's HTTP status for a few forwarded requests (their `outcome` records). */
function upstreamStatuses(sqlite: SQLite.Database, requestIds: string[], since: number): Map<string, number> {
  if (requestIds.length === 0) return new Map();
  const rows = sqlite
    .prepare(
      `SELECT json_extract(data, '$.requestId') AS id, json_extract(data, '$.upstreamStatus') AS status
         FROM audit_log
        WHERE at >= ? AND json_extract(data, '$.kind') = 'outcome'
          AND json_extract(data, '$.requestId') IN (SELECT value FROM json_each(?))`,
    )
    .all(since, JSON.stringify(requestIds)) as Array<{ id: string; status: number | null }>;
  return new Map(rows.filter((r) => r.status !== null).map((r) => [r.id, Number(r.status)]));
}

function alertsFor(
  sqlite: SQLite.Database,
  names: Set<string>,
  labels: Set<string>,
  since: number,
  until: number,
): Map<string, { severity: string; count: number; last: number }> {
  const out = new Map<string, { severity: string; count: number; last: number }>();
  for (const r of records(sqlite, { kind: 'alert', since, until })) {
    const d = r.detail ?? {};
    const client = typeof d.client === 'string' ? d.client : undefined;
    const label = typeof d.keyLabel === 'string' ? d.keyLabel : undefined;
    if (!(client && names.has(client)) && !(label && labels.has(label))) continue;
    const rule = r.rule ?? 'unknown';
    const g = out.get(rule) ?? {
      severity: typeof d.severity === 'string' ? d.severity : '-',
      count: 0,
      last: r.at,
    };
    g.count++;
    g.last = Math.max(g.last, r.at);
    out.set(rule, g);
  }
  return out;
}

function unlockCommand(l: LockdownRecord): string {
  const which = l.scope === 'all' ? '--all' : `--${l.scope} ${shellArg(l.target?.label ?? '')}`;
  return `keywarden unlock ${which} --reason '<what was found and fixed>'`;
}

/** The report as Markdown. */
export function buildIncidentReport(sqlite: SQLite.Database, input: IncidentInput): string {
  const { lockdown: l, hours, now } = input;
  const since = now - hours * 3_600_000;
  const until = now + 1;
  const clientIds = l.clients.map((c) => c.id);
  const a = aggregate(sqlite, clientIds, since, until);
  const frozen = new Set(l.frozen);
  const label = (keyId: string) => input.keyLabels.get(keyId) ?? keyId;
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

  let allowed = 0;
  let denied = 0;
  let would = 0;
  for (const c of a.byAction.values()) {
    allowed += c.allow;
    denied += c.deny;
    would += c.wouldDeny;
  }
  out.push('## Summary', '');
  out.push(
    `- ${a.requests} request(s) from the affected clients${
      a.requests > 0 ? ` between ${utc(a.first)} and ${utc(a.last)}` : ' in the window'
    }: ${allowed} allowed, ${denied} denied, ${would} let through in monitor mode (would deny).`,
    `- ${a.denialCount} denial(s), ${a.moveCount} withdrawal or transfer attempt(s), ${a.ips.size} source IP(s), ${a.orderCount} order request(s) forwarded.`,
    '',
  );

  out.push('## Requests by action and decision', '');
  if (a.byAction.size === 0) out.push('None in the window.', '');
  else
    out.push(
      ...table(
        ['Client', 'Action', 'Allowed', 'Denied', 'Would deny'],
        [...a.byAction.entries()]
          .sort(([x], [y]) => x.localeCompare(y))
          .map(([k, c]) => {
            const [client, action] = k.split('\u0000');
            return [mdCode(client), mdCode(action), String(c.allow), String(c.deny), String(c.wouldDeny)];
          }),
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
        [...a.byRule.entries()]
          .sort((x, y) => y[1].count - x[1].count)
          .map(([rule, g]) => [
            mdCode(rule),
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
        newestFirst(a.denials).map((r) => [
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
        newestFirst(a.moves).map((r) => [
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
  if (a.ips.size === 0) out.push('None in the window.', '');
  else
    out.push(
      ...table(
        ['Source IP', 'Requests', 'Denied', 'Clients', 'First seen (UTC)', 'Last seen (UTC)'],
        [...a.ips.entries()]
          .sort((x, y) => y[1].requests - x[1].requests)
          .map(([ip, s]) => [
            mdCode(ip),
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
        [...a.orderGroups.values()].map((g) => [
          mdCode(g.client),
          mdCode(g.symbol),
          g.side,
          String(g.count),
          g.notional > 0 ? g.notional.toFixed(2) : '-',
        ]),
      ),
      '',
    );
    const statuses = upstreamStatuses(
      sqlite,
      a.orders.flatMap((r) => (r.requestId ? [r.requestId] : [])),
      since,
    );
    out.push(`Latest ${a.orders.length} of ${a.orderCount}:`, '');
    out.push(
      ...table(
        ['Time (UTC)', 'Client', 'Endpoint', 'Symbol', 'Side', 'Notional', 'Exchange answer'],
        newestFirst(a.orders).map((r) => [
          utc(r.at),
          mdCode(r.actor),
          mdCode(r.endpoint),
          mdCode(r.symbol),
          r.side ?? '-',
          r.notional !== undefined ? r.notional.toFixed(2) : '-',
          r.requestId && statuses.has(r.requestId)
            ? `HTTP ${statuses.get(r.requestId)}`
            : 'no answer recorded',
        ]),
      ),
      '',
    );
  }

  const alerts = alertsFor(
    sqlite,
    new Set(l.clients.map((c) => c.name)),
    new Set(input.keyLabels.values()),
    since,
    until,
  );
  out.push('## Alerts raised', '');
  if (alerts.size === 0) out.push('None recorded for these clients or keys in the window.', '');
  else
    out.push(
      ...table(
        ['Rule', 'Severity', 'Count', 'Last (UTC)'],
        [...alerts.entries()].map(([rule, g]) => [mdCode(rule), g.severity, String(g.count), utc(g.last)]),
      ),
      '',
    );

  out.push('## Admin actions on these clients', '');
  if (a.admin.length === 0) out.push('None in the window.', '');
  else
    out.push(
      ...table(
        ['Time (UTC)', 'Action', 'Client', 'By'],
        a.admin
          .slice()
          .sort((x, y) => x.seq - y.seq)
          .map((r) => [
            utc(r.at),
            mdCode(r.action),
            mdCode(typeof r.detail?.name === 'string' ? r.detail.name : r.clientId),
            mdCode(r.actor),
          ]),
      ),
      '',
    );

  // Next steps: one entry per key involved, then per client.
  const keys = new Map<string, { label: string; exchange: ExchangeId }>();
  for (const c of l.clients) keys.set(c.keyId, { label: label(c.keyId), exchange: c.exchange });
  for (const c of l.cancel ?? []) keys.set(c.keyId, { label: c.keyLabel, exchange: c.exchange });
  if (l.scope === 'key' && l.target && !keys.has(l.target.id)) {
    const ex = l.cancel?.find((c) => c.keyId === l.target?.id)?.exchange;
    if (ex) keys.set(l.target.id, { label: l.target.label, exchange: ex });
  }
  out.push('## Next steps', '');
  let n = 1;
  const step = (text: string) => out.push(`${n++}. ${text}`);
  if (keys.size > 0) {
    step('Revoke (delete) the exposed API key on the exchange, so it is dead even outside keywarden:');
    for (const k of keys.values()) {
      const site = adapterFor(k.exchange).console;
      out.push(
        `   - ${mdCode(k.label)} on ${k.exchange}: ${mdText(`${site.deleteKey} (${site.apiKeysUrl})`, 200)}`,
      );
    }
    step(
      'Create a new key on the exchange (read and trade only, pinned to the gateway’s egress IP) and switch to it:',
    );
    for (const k of keys.values())
      out.push(`   - ${mdCode(`keywarden key rotate ${shellArg(k.label)}`, 200)}`);
  } else step('No exchange key is in scope.');
  if (l.cancel?.some((c) => c.error || c.failed.length > 0))
    step('Some open orders were not cancelled (table above): cancel them on the exchange by hand.');
  step(
    `Review the trades on the exchange for ${utc(since)} → ${utc(now)} against “Orders placed” above, and the full trail:`,
  );
  for (const c of l.clients.slice(0, MAX_ROWS))
    out.push(`   - ${mdCode(`keywarden audit query --client ${c.id} --since ${hours}h`, 200)}`);
  if (a.ips.size > 0)
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

/** `20250102T030405Z` */
function stamp(t: number): string {
  return `${new Date(t).toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;
}

/** Write the report to `<dataDir>/incidents/<timestamp>-<lockdown id>.md` (0600, never overwritten); returns its path. */
export function writeIncidentReport(
  store: { sqlite: SQLite.Database; dataDir: string },
  input: IncidentInput,
): string {
  const dir = join(store.dataDir, 'incidents');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `${stamp(input.lockdown.startedAt)}-${input.lockdown.id}.md`);
  writeFileSync(path, buildIncidentReport(store.sqlite, input), { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return path;
}
