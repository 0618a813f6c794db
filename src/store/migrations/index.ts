import type { Migration } from 'kysely';
import { type Columns, columnsFor, type StoreDialect, type StoreMigration } from '../columns.js';
import * as m0002Vault from './0002_vault.js';
import * as m0005Clients from './0005_clients.js';
import * as m0007Audit from './0007_audit.js';
import * as m0008KeyChecks from './0008_key_checks.js';
import * as m0009Lockdowns from './0009_lockdowns.js';
import * as m0010NonceSequences from './0010_nonce_sequences.js';
import * as m0011ThirdPartyClients from './0011_third_party_clients.js';
import * as m0012PolicyUsage from './0012_policy_usage.js';
import * as m0013ClientNonces from './0013_client_nonces.js';
import * as m0014Operators from './0014_operators.js';
import * as m0015Approvals from './0015_approvals.js';
import * as m0016AlertAcks from './0016_alert_acks.js';
import * as m0017ReplayKeys from './0017_replay_keys.js';

/**
 * Every migration, in order. Names sort lexically; never edit a released migration, add one.
 * A migration is written once for both engines: it takes the dialect's `Columns`
 * (src/store/columns.ts) and spells `t.int`, `t.real`, `t.rowId` where they differ.
 */
const all: Record<string, StoreMigration> = {
  '0002_vault': m0002Vault,
  '0005_clients': m0005Clients,
  '0007_audit': m0007Audit,
  '0008_key_checks': m0008KeyChecks,
  '0009_lockdowns': m0009Lockdowns,
  '0010_nonce_sequences': m0010NonceSequences,
  '0011_third_party_clients': m0011ThirdPartyClients,
  '0012_policy_usage': m0012PolicyUsage,
  '0013_client_nonces': m0013ClientNonces,
  '0014_operators': m0014Operators,
  '0015_approvals': m0015Approvals,
  '0016_alert_acks': m0016AlertAcks,
  '0017_replay_keys': m0017ReplayKeys,
};

const bind = (m: StoreMigration, t: Columns): Migration => ({
  up: (db) => m.up(db, t),
  ...(m.down ? { down: (db) => m.down?.(db, t) ?? Promise.resolve() } : {}),
});

/** The migrations as Kysely's Migrator runs them, bound to one dialect's column types. */
export function migrationsFor(dialect: StoreDialect): Record<string, Migration> {
  const t = columnsFor(dialect);
  return Object.fromEntries(Object.entries(all).map(([name, m]) => [name, bind(m, t)]));
}
