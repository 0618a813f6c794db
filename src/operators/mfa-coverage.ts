/**
 * The posture check `admin.mfa`: of the active owners and admins, how many have TOTP enrolled.
 * Undefined while keywarden has no operator accounts at all (the CLI with the master key is then
 * the only admin, and the check does not apply).
 */
import type { Kysely } from 'kysely';
import type { Role } from '../core/index.js';
import type { Database } from '../store/index.js';
import { MFA_ROLES } from './operator-types.js';

export async function mfaCoverage(
  db: Kysely<Database>,
): Promise<{ total: number; withMfa: number } | undefined> {
  const rows = await db.selectFrom('operators').select(['role', 'status', 'mfa_enrolled_at']).execute();
  if (rows.length === 0) return undefined;
  const held = rows.filter((r) => r.status === 'active' && MFA_ROLES.includes(r.role as Role));
  return { total: held.length, withMfa: held.filter((r) => r.mfa_enrolled_at !== null).length };
}
