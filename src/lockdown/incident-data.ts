/**
 * The incident report's data: what the affected clients did over the last N hours, read back
 * from the hash-chained audit trail (src/audit/audit-query.ts, either engine), aggregated into
 * one typed object. incident-markdown.ts turns it into the report; nothing here formats text.
 */
import type { AuditFilter, AuditRecord } from '../audit/index.js';
import { queryAuditStore } from '../audit/index.js';
import type { ExchangeId } from '../core/index.js';
import { adapterFor } from '../exchanges/index.js';
import type { AnyStore } from '../store/index.js';
import { upstreamStatuses } from './lockdown-store.js';
import type { LockdownRecord } from './lockdown-types.js';

export interface IncidentInput {
  lockdown: LockdownRecord;
  /** Key registry id → label, for every key in the report. */
  keyLabels: Map<string, string>;
  /** Hours of audit trail covered, ending at `now`. */
  hours: number;
  now: number;
}

/** Detailed rows per list; counts and totals are always complete. */
export const MAX_ROWS = 25;
const PAGE = 2_000;

export interface Counts {
  allow: number;
  deny: number;
  wouldDeny: number;
}

/** Everything the report says, in the order it says it. Lists of records are newest first unless noted. */
export interface IncidentData {
  lockdown: LockdownRecord;
  hours: number;
  since: number;
  now: number;
  /** Key registry id → label. */
  keyLabels: ReadonlyMap<string, string>;
  requests: number;
  first?: number;
  last?: number;
  totals: Counts;
  /** Sorted by client, then action. */
  byAction: Array<{ client: string; action: string } & Counts>;
  denialCount: number;
  /** Most frequent first. */
  byRule: Array<{ rule: string; count: number; clients: string[]; last: number }>;
  denials: AuditRecord[];
  moveCount: number;
  moves: AuditRecord[];
  /** Most requests first. */
  ips: Array<{
    ip: string;
    requests: number;
    denied: number;
    clients: string[];
    first: number;
    last: number;
  }>;
  orderCount: number;
  orderGroups: Array<{ client: string; symbol: string; side: string; count: number; notional: number }>;
  /** With the exchange's HTTP status when an outcome record has it. */
  orders: Array<{ record: AuditRecord; upstreamStatus?: number }>;
  alerts: Array<{ rule: string; severity: string; count: number; last: number }>;
  /** Oldest first. */
  admin: AuditRecord[];
  /** Every exchange key involved, with where to delete it on its exchange. */
  keys: Array<{ label: string; exchange: ExchangeId; deleteKey: string; apiKeysUrl: string }>;
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

/** Every record of one filter, a page at a time (a busy bot leaves hundreds of thousands a day). */
async function* records(store: AnyStore, filter: AuditFilter): AsyncGenerator<AuditRecord> {
  let afterSeq: number | undefined;
  for (;;) {
    const page = await queryAuditStore(store, {
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

async function aggregate(
  store: AnyStore,
  clientIds: string[],
  since: number,
  until: number,
): Promise<Aggregate> {
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
    for await (const r of records(store, { clientId, since, until })) {
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

async function alertsFor(
  store: AnyStore,
  names: Set<string>,
  labels: Set<string>,
  since: number,
  until: number,
): Promise<Map<string, { severity: string; count: number; last: number }>> {
  const out = new Map<string, { severity: string; count: number; last: number }>();
  for await (const r of records(store, { kind: 'alert', since, until })) {
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

/** Every exchange key in the lockdown: the clients' keys, the keys asked to cancel, the key locked down. */
function keysOf(l: LockdownRecord, label: (keyId: string) => string): IncidentData['keys'] {
  const keys = new Map<string, { label: string; exchange: ExchangeId }>();
  for (const c of l.clients) keys.set(c.keyId, { label: label(c.keyId), exchange: c.exchange });
  for (const c of l.cancel ?? []) keys.set(c.keyId, { label: c.keyLabel, exchange: c.exchange });
  if (l.scope === 'key' && l.target && !keys.has(l.target.id)) {
    const ex = l.cancel?.find((c) => c.keyId === l.target?.id)?.exchange;
    if (ex) keys.set(l.target.id, { label: l.target.label, exchange: ex });
  }
  return [...keys.values()].map((k) => {
    const site = adapterFor(k.exchange).console;
    return { ...k, deleteKey: site.deleteKey, apiKeysUrl: site.apiKeysUrl };
  });
}

/** The report's data, from the audit trail over `input.hours` up to `input.now`. */
export async function collectIncidentData(store: AnyStore, input: IncidentInput): Promise<IncidentData> {
  const { lockdown: l, hours, now } = input;
  const since = now - hours * 3_600_000;
  const until = now + 1;
  const a = await aggregate(
    store,
    l.clients.map((c) => c.id),
    since,
    until,
  );
  const label = (keyId: string) => input.keyLabels.get(keyId) ?? keyId;
  const totals: Counts = { allow: 0, deny: 0, wouldDeny: 0 };
  for (const c of a.byAction.values()) {
    totals.allow += c.allow;
    totals.deny += c.deny;
    totals.wouldDeny += c.wouldDeny;
  }
  const statuses = await upstreamStatuses(
    store,
    a.orders.flatMap((r) => (r.requestId ? [r.requestId] : [])),
    since,
  );
  const alerts = await alertsFor(
    store,
    new Set(l.clients.map((c) => c.name)),
    new Set(input.keyLabels.values()),
    since,
    until,
  );
  return {
    lockdown: l,
    hours,
    since,
    now,
    keyLabels: input.keyLabels,
    requests: a.requests,
    ...(a.first !== undefined ? { first: a.first } : {}),
    ...(a.last !== undefined ? { last: a.last } : {}),
    totals,
    byAction: [...a.byAction.entries()]
      .sort(([x], [y]) => x.localeCompare(y))
      .map(([k, c]) => {
        const [client = '', action = ''] = k.split('\u0000');
        return { client, action, ...c };
      }),
    denialCount: a.denialCount,
    byRule: [...a.byRule.entries()]
      .sort((x, y) => y[1].count - x[1].count)
      .map(([rule, g]) => ({ rule, count: g.count, clients: [...g.clients], last: g.last })),
    denials: newestFirst(a.denials),
    moveCount: a.moveCount,
    moves: newestFirst(a.moves),
    ips: [...a.ips.entries()]
      .sort((x, y) => y[1].requests - x[1].requests)
      .map(([ip, s]) => ({ ip, ...s, clients: [...s.clients] })),
    orderCount: a.orderCount,
    orderGroups: [...a.orderGroups.values()],
    orders: newestFirst(a.orders).map((record) => {
      const status = record.requestId !== undefined ? statuses.get(record.requestId) : undefined;
      return status !== undefined ? { record, upstreamStatus: status } : { record };
    }),
    alerts: [...alerts.entries()].map(([rule, g]) => ({ rule, ...g })),
    admin: a.admin.slice().sort((x, y) => x.seq - y.seq),
    keys: keysOf(l, label),
  };
}
