import type { Kysely } from 'kysely';
import { type Columns, dropTables } from '../columns.js';

/**
 * Operators of the admin API (src/operators): accounts, their hashed recovery codes, sessions
 * and API tokens (both stored as SHA-256 of the random value only), and the login-failure
 * counters of the brute-force back-off. Times are integer ms (`t.int`: BIGINT on PostgreSQL), so the same
 * migration runs on PostgreSQL.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was, not the typed Database
export async function up(db: Kysely<any>, t: Columns): Promise<void> {
  await db.schema
    .createTable('operators')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('role', 'text', (c) => c.notNull())
    // `pending` (enrolment code issued), `enrolling` (password set, TOTP not confirmed), `active`, `disabled`
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text')
    // Vault envelope of the TOTP secret (a secret the server must read back, so encrypted, not hashed).
    .addColumn('totp_envelope', 'text')
    // The last accepted RFC 6238 time-step: a code of that step or an earlier one is refused.
    .addColumn('totp_last_step', t.int)
    .addColumn('mfa_enrolled_at', t.int)
    .addColumn('enrol_code_hash', 'text')
    .addColumn('enrol_expires_at', t.int)
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', t.int, (c) => c.notNull())
    .addColumn('updated_at', t.int, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('operator_recovery_codes')
    .addColumn('code_hash', 'text', (c) => c.primaryKey())
    .addColumn('operator_id', 'text', (c) => c.notNull())
    .addColumn('used_at', t.int)
    .execute();
  await db.schema
    .createTable('operator_sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('operator_id', 'text', (c) => c.notNull())
    .addColumn('csrf_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', t.int, (c) => c.notNull())
    .addColumn('last_seen_at', t.int, (c) => c.notNull())
    .addColumn('expires_at', t.int, (c) => c.notNull())
    .addColumn('source_ip', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', t.int, (c) => c.notNull())
    .addColumn('expires_at', t.int, (c) => c.notNull())
    .addColumn('revoked_at', t.int)
    .addColumn('last_used_at', t.int)
    .execute();
  await db.schema
    .createTable('login_failures')
    // `account:<name>` or `ip:<address>`
    .addColumn('subject', 'text', (c) => c.primaryKey())
    .addColumn('count', t.int, (c) => c.notNull())
    .addColumn('last_at', t.int, (c) => c.notNull())
    .addColumn('blocked_until', t.int, (c) => c.notNull())
    .execute();
}

export const down = (db: Parameters<typeof dropTables>[0]) =>
  dropTables(db, 'login_failures', 'api_tokens', 'operator_sessions', 'operator_recovery_codes', 'operators');
