/**
 * Alert acknowledgements: who took an alert in hand, and when. One row per alert (its audit
 * `seq`); the first acknowledgement stands, a second one answers the first. Kysely only.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.js';

export interface AlertAck {
  seq: number;
  by: string;
  at: number;
  note?: string;
}

export interface AlertAcks {
  /** Record the acknowledgement unless the alert has one; answers the one that stands. */
  ack(seq: number, by: string, at: number, note?: string): Promise<AlertAck>;
  /** The acknowledgements of these alerts, by seq. */
  of(seqs: readonly number[]): Promise<Map<number, AlertAck>>;
}

const fromRow = (r: Database['alert_acks']): AlertAck => ({
  seq: Number(r.alert_seq),
  by: r.acked_by,
  at: Number(r.acked_at),
  ...(r.note !== null ? { note: r.note } : {}),
});

export function createAlertAcks(db: Kysely<Database>): AlertAcks {
  return {
    async ack(seq, by, at, note) {
      await db
        .insertInto('alert_acks')
        .values({ alert_seq: seq, acked_by: by, acked_at: at, note: note ?? null })
        .onConflict((oc) => oc.column('alert_seq').doNothing())
        .execute();
      const row = await db
        .selectFrom('alert_acks')
        .selectAll()
        .where('alert_seq', '=', seq)
        .executeTakeFirstOrThrow();
      return fromRow(row);
    },
    async of(seqs) {
      if (seqs.length === 0) return new Map();
      const rows = await db
        .selectFrom('alert_acks')
        .selectAll()
        .where('alert_seq', 'in', [...seqs])
        .execute();
      return new Map(rows.map((r) => [Number(r.alert_seq), fromRow(r)]));
    },
  };
}
