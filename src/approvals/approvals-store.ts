/**
 * Every SQL statement of the approvals domain, through Kysely only (SQLite today, PostgreSQL
 * too). State changes are conditional updates inside BEGIN IMMEDIATE (src/store `immediate`):
 * the row is read and written under the write lock, so two deciders, or two gateways claiming,
 * cannot both win.
 */
import type { Kysely } from 'kysely';
import type { ApprovalKind } from '../config/index.js';
import { type Actor, KeywardenError } from '../core/index.js';
import { type Database, immediate } from '../store/index.js';
import type { Approval, ApprovalStatus, Requester } from './approvals-types.js';

type Row = Database['approvals'];

export interface ApprovalsStore {
  insert(a: Approval): Promise<void>;
  find(id: string): Promise<Approval | undefined>;
  list(filter: { status?: ApprovalStatus; kind?: ApprovalKind }): Promise<Approval[]>;
  /** Pending requests whose time ran out at `now`: marked expired, returned. */
  expireDue(now: number): Promise<Approval[]>;
  /**
   * Run `fn` on the current row under the write lock and apply the changes it returns; `fn`
   * throws to refuse. Answers the row as written.
   */
  transition(id: string, fn: (a: Approval) => Partial<Row> | undefined): Promise<Approval>;
}

export function createApprovalsStore(db: Kysely<Database>): ApprovalsStore {
  return {
    async insert(a) {
      await db.insertInto('approvals').values(toRow(a)).execute();
    },
    async find(id) {
      const row = await db.selectFrom('approvals').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? fromRow(row) : undefined;
    },
    async list(filter) {
      let q = db.selectFrom('approvals').selectAll().orderBy('requested_at', 'desc').orderBy('id');
      if (filter.status !== undefined) q = q.where('status', '=', filter.status);
      if (filter.kind !== undefined) q = q.where('kind', '=', filter.kind);
      return (await q.limit(1000).execute()).map(fromRow);
    },
    expireDue: (now) =>
      immediate(db, async (trx) => {
        const due = await trx
          .selectFrom('approvals')
          .selectAll()
          .where('status', '=', 'pending')
          .where('expires_at', '<=', now)
          .execute();
        if (due.length === 0) return [];
        await trx
          .updateTable('approvals')
          .set({ status: 'expired' })
          .where(
            'id',
            'in',
            due.map((r) => r.id),
          )
          .where('status', '=', 'pending')
          .execute();
        return due.map((r) => ({ ...fromRow(r), status: 'expired' as const }));
      }),
    transition: (id, fn) =>
      immediate(db, async (trx) => {
        const row = await trx.selectFrom('approvals').selectAll().where('id', '=', id).executeTakeFirst();
        if (!row) throw new KeywardenError('not_found', `no approval "${id.slice(0, 64)}"`);
        const change = fn(fromRow(row));
        if (!change) return fromRow(row);
        await trx.updateTable('approvals').set(change).where('id', '=', id).execute();
        return fromRow({ ...row, ...change });
      }),
  };
}

function toRow(a: Approval): Row {
  return {
    id: a.id,
    kind: a.kind,
    summary: a.summary,
    payload_json: JSON.stringify(a.payload ?? null),
    status: a.status,
    requested_by_json: JSON.stringify(a.requestedBy),
    requested_at: a.requestedAt,
    expires_at: a.expiresAt,
    decided_by_json: a.decidedBy ? JSON.stringify(a.decidedBy) : null,
    decided_at: a.decidedAt ?? null,
    executed_at: a.executedAt ?? null,
    result_json: a.result === undefined ? null : JSON.stringify(a.result),
  };
}

function fromRow(r: Row): Approval {
  return {
    id: r.id,
    kind: r.kind as ApprovalKind,
    summary: r.summary,
    payload: JSON.parse(r.payload_json) as unknown,
    status: r.status as ApprovalStatus,
    requestedBy: JSON.parse(r.requested_by_json) as Requester,
    requestedAt: Number(r.requested_at),
    expiresAt: Number(r.expires_at),
    ...(r.decided_by_json !== null ? { decidedBy: JSON.parse(r.decided_by_json) as Actor } : {}),
    ...(r.decided_at !== null ? { decidedAt: Number(r.decided_at) } : {}),
    ...(r.executed_at !== null ? { executedAt: Number(r.executed_at) } : {}),
    ...(r.result_json !== null ? { result: JSON.parse(r.result_json) as unknown } : {}),
  };
}
