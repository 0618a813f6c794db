/**
 * Every SQL statement of the rotation domain: the switch to a new credential and the
 * destruction of old ones whose grace period is over (`retiring_credentials`).
 */
import type { Kysely } from 'kysely';
import { KeywardenError } from '../core/index.js';
import type { CredentialsTable } from '../store/index.js';
import { bumpClientsVersion, type Database, immediate } from '../store/index.js';

export interface CredentialSwitch {
  keyId: string;
  /** The version the rotation started from: the switch is refused if the key moved meanwhile. */
  fromVersion: number;
  label: string;
  envelope: string;
  fingerprint: string;
  last4: string;
  at: number;
  /** Keep the old envelope until then; nothing is kept when it equals `at`. */
  graceUntil: number;
}

export interface RetiredCredential {
  keyId: string;
  label: string;
  exchange: string;
  version: number;
  last4: string;
}

/**
 * One write transaction: the key row gets the new envelope under version + 1, the old one
 * moves to `retiring_credentials` (when there is a grace period), and `clients_version` is
 * bumped. Resolves to the key row after the switch and the old last 4.
 */
export function switchCredential(
  db: Kysely<Database>,
  s: CredentialSwitch,
): Promise<{ row: CredentialsTable; previousLast4: string }> {
  return immediate(db, async (trx) => {
    const row = await trx.selectFrom('credentials').selectAll().where('id', '=', s.keyId).executeTakeFirst();
    if (!row || row.version !== s.fromVersion || row.status !== 'active')
      throw new KeywardenError(
        'invalid_input',
        `key ${s.label} changed while rotating (another rotation?); nothing was changed`,
      );
    if (s.graceUntil > s.at)
      await trx
        .insertInto('retiring_credentials')
        .values({
          key_id: row.id,
          version: row.version,
          exchange: row.exchange,
          label: row.label,
          envelope: row.envelope,
          last4: row.last4,
          grace_until: s.graceUntil,
          created_at: s.at,
        })
        .execute();
    await trx
      .updateTable('credentials')
      .set({
        envelope: s.envelope,
        version: row.version + 1,
        fingerprint: s.fingerprint,
        last4: s.last4,
        rotated_at: s.at,
      })
      .where('id', '=', row.id)
      .where('version', '=', row.version)
      .execute();
    await bumpClientsVersion(trx);
    const after = await trx
      .selectFrom('credentials')
      .selectAll()
      .where('id', '=', row.id)
      .executeTakeFirstOrThrow();
    return { row: after, previousLast4: row.last4 };
  });
}

/** Delete old envelopes whose grace is over at `now` (all, or one key version's); returns what went. */
export async function deleteExpired(
  db: Kysely<Database>,
  now: number,
  only?: { keyId: string; version: number },
): Promise<RetiredCredential[]> {
  let q = db
    .deleteFrom('retiring_credentials')
    .where('grace_until', '<=', now)
    .returning(['key_id', 'label', 'exchange', 'version', 'last4']);
  if (only) q = q.where('key_id', '=', only.keyId).where('version', '=', only.version);
  const rows = await q.execute();
  return rows.map((r) => ({
    keyId: r.key_id,
    label: r.label,
    exchange: r.exchange,
    version: r.version,
    last4: r.last4,
  }));
}
