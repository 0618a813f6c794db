import type SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import type { AnyStore } from '../store/index.js';
import type { AuditRecord } from './audit-types.js';

export interface AuditFilter {
  clientId?: string;
  keyId?: string;
  action?: string;
  decision?: string;
  kind?: string;
  /** Inclusive lower bound, ms since the epoch. */
  since?: number;
  /** Exclusive upper bound, ms since the epoch. */
  until?: number;
  afterSeq?: number;
  limit?: number;
  /** Newest first (for tail). */
  descending?: boolean;
}

/** Reads records back. Filters use json_extract over the hashed `data`, so what is filtered is what is verified. */
export function queryAudit(sqlite: SQLite.Database, filter: AuditFilter = {}): AuditRecord[] {
  const where: string[] = [];
  const args: Array<string | number> = [];
  const field = (path: string, value: string | undefined) => {
    if (value === undefined) return;
    where.push(`json_extract(data, '$.${path}') = ?`);
    args.push(value);
  };
  field('clientId', filter.clientId);
  field('keyId', filter.keyId);
  field('action', filter.action);
  field('decision', filter.decision);
  field('kind', filter.kind);
  if (filter.since !== undefined) {
    where.push('at >= ?');
    args.push(filter.since);
  }
  if (filter.until !== undefined) {
    where.push('at < ?');
    args.push(filter.until);
  }
  if (filter.afterSeq !== undefined) {
    where.push('seq > ?');
    args.push(filter.afterSeq);
  }
  const sql = [
    'SELECT data, hash FROM audit_log',
    where.length > 0 ? `WHERE ${where.join(' AND ')}` : '',
    `ORDER BY seq ${filter.descending ? 'DESC' : 'ASC'}`,
    filter.limit !== undefined ? 'LIMIT ?' : '',
  ].join(' ');
  if (filter.limit !== undefined) args.push(filter.limit);
  const rows = sqlite.prepare(sql).all(...args) as Array<{ data: string; hash: string }>;
  return rows.map((r) => ({ ...(JSON.parse(r.data) as Omit<AuditRecord, 'hash'>), hash: r.hash }));
}

const FIELDS = ['clientId', 'keyId', 'action', 'decision', 'kind'] as const;

/**
 * `queryAudit` over either engine. On PostgreSQL the filters read the hashed `data` too
 * (`data::jsonb ->> field`): the same "what is filtered is what is verified".
 */
export async function queryAuditStore(store: AnyStore, filter: AuditFilter = {}): Promise<AuditRecord[]> {
  if (store.dialect === 'sqlite') return queryAudit(store.sqlite, filter);
  let q = store.db.selectFrom('audit_log').select(['data', 'hash']);
  for (const name of FIELDS) {
    const value = filter[name];
    if (value !== undefined) q = q.where(sql<string>`(data::jsonb ->> ${name})`, '=', value);
  }
  if (filter.since !== undefined) q = q.where('at', '>=', filter.since);
  if (filter.until !== undefined) q = q.where('at', '<', filter.until);
  if (filter.afterSeq !== undefined) q = q.where('seq', '>', filter.afterSeq);
  q = q.orderBy('seq', filter.descending ? 'desc' : 'asc');
  if (filter.limit !== undefined) q = q.limit(filter.limit);
  const rows = await q.execute();
  return rows.map((r) => ({ ...(JSON.parse(r.data) as Omit<AuditRecord, 'hash'>), hash: r.hash }));
}

export const CSV_COLUMNS = [
  'seq',
  'at',
  'kind',
  'requestId',
  'actor',
  'clientId',
  'keyId',
  'exchange',
  'action',
  'endpoint',
  'symbol',
  'side',
  'notional',
  'decision',
  'rule',
  'message',
  'sourceIp',
  'upstreamStatus',
  'latencyMs',
  'hmacs',
  'detail',
  'prevHash',
  'hash',
] as const;

const NUMERIC = new Set(['seq', 'at', 'notional', 'upstreamStatus', 'latencyMs']);
const OBJECTS = new Set(['hmacs', 'detail']);

export function toJsonl(records: AuditRecord[]): string {
  return records.map((r) => `${JSON.stringify(r)}\n`).join('');
}

function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  // Leading =,+,-,@ would make a spreadsheet evaluate the cell; quote them with a ' guard is lossy, so quote fields only.
  return /[",\r\n]/.test(text) || /^[=+\-@]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(records: AuditRecord[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of records) {
    const row = r as unknown as Record<string, unknown>;
    lines.push(CSV_COLUMNS.map((c) => csvCell(row[c])).join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** Parse RFC 4180 CSV as written by toCsv back into records (empty cells are absent fields). */
export function parseCsv(text: string): AuditRecord[] {
  const rows = parseCsvRows(text);
  const header = rows.shift() ?? [];
  return rows
    .filter((cells) => cells.length > 1 || (cells[0] ?? '') !== '')
    .map((cells) => {
      const out: Record<string, unknown> = {};
      header.forEach((name, i) => {
        const cell = cells[i] ?? '';
        if (cell === '') return;
        out[name] = NUMERIC.has(name) ? Number(cell) : OBJECTS.has(name) ? JSON.parse(cell) : cell;
      });
      return out as unknown as AuditRecord;
    });
}

function parseCsvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else if (ch !== '\r') cell += ch;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}
