/**
 * The Kysely table types, one interface per table. Each capability adds its tables in its
 * own section here and a migration under ./migrations (registered in ./migrations/index.ts);
 * queries go through Kysely so a PostgreSQL dialect can be added without rewriting them.
 * Timestamps are integer milliseconds since the epoch; booleans are 0/1 integers.
 */

import type { Generated } from 'kysely';

// --- vault & key registry (src/vault, src/keys) ---

export interface VaultMetaTable {
  id: number;
  kdf_json: string;
  key_check: string;
  master_key_id: string;
  wrapped_root: string;
  created_at: number;
  updated_at: number;
}

export interface CredentialsTable {
  id: string;
  label: string;
  exchange: string;
  environment: string;
  owner: string | null;
  notes: string | null;
  fingerprint: string;
  last4: string;
  version: number;
  status: string;
  envelope: string;
  created_at: number;
  rotated_at: number | null;
  retired_at: number | null;
}

export interface Database {
  vault_meta: VaultMetaTable;
  credentials: CredentialsTable;
}

// --- clients & policies (src/clients, src/policy) ---

export interface ClientsTable {
  id: string;
  name: string;
  exchange: string;
  /** The key registry's id of the exchange key this client signs with. */
  key_id: string;
  environment: string;
  status: string;
  policy_json: string;
  ip_allow_json: string;
  rate_per_second: number | null;
  expires_at: number | null;
  created_at: number;
  updated_at: number;
  version: number;
  /** JSON `ThirdParty` (src/clients/client-types.ts) for a vendor's integration; NULL otherwise (0011). */
  third_party_json?: string | null;
}

export interface ClientCredentialsTable {
  id: string;
  client_id: string;
  /** The drop-in api-key id (`kw_…`) the bot sends; public. */
  api_key_id: string;
  /** Vault envelope of the verifier (HMAC secret / passphrase, or Coinbase's public key). */
  verifier_envelope: string;
  /** SHA-256 hex of the bearer token; the token itself is never stored. */
  token_hash: string;
  status: string;
  not_after: number | null;
  created_at: number;
}

export interface ClientsVersionTable {
  id: number;
  version: number;
}

/** Vault-encrypted settings owned by the gateway (the audit checkpoint signing key). */
export interface SealedSettingsTable {
  name: string;
  envelope: string;
  created_at: number;
}

export interface Database {
  clients: ClientsTable;
  client_credentials: ClientCredentialsTable;
  clients_version: ClientsVersionTable;
  sealed_settings: SealedSettingsTable;
}

// --- audit (src/audit) ---

export interface AuditLogTable {
  seq: number;
  at: number;
  /** Canonical JSON of the whole record except `hash` (see src/audit/canonical.ts). */
  data: string;
  /** SHA-256 hex over `data`. */
  hash: string;
}

export interface AuditCheckpointsTable {
  id: Generated<number>;
  seq: number;
  hash: string;
  at: number;
  public_key: string;
  signature: string;
}

export interface AuditMetaTable {
  key: string;
  value: string;
}

export interface Database {
  audit_log: AuditLogTable;
  audit_checkpoints: AuditCheckpointsTable;
  audit_meta: AuditMetaTable;
}

// --- key lifecycle: verification and rotation (src/keys, src/rotation) ---

export interface KeyChecksTable {
  /** SQLite rowid: insertion order, so the newest check per key is the highest id. */
  id: Generated<number>;
  key_id: string;
  key_version: number;
  checked_at: number;
  /** The adapter's Introspection with its `raw` answer scrubbed of anything secret. */
  introspection_json: string;
  /** JSON array of KeyCheckFlag codes. */
  flags_json: string;
}

/** The previous credential of a rotated key, kept (vault-encrypted) until `grace_until`, then deleted. */
export interface RetiringCredentialsTable {
  key_id: string;
  version: number;
  exchange: string;
  label: string;
  envelope: string;
  last4: string;
  grace_until: number;
  created_at: number;
}

export interface Database {
  key_checks: KeyChecksTable;
  retiring_credentials: RetiringCredentialsTable;
}

// --- lockdown (src/lockdown) ---

export interface LockdownsTable {
  id: string;
  /** `all`, `key` or `client`. */
  scope: string;
  /** Key registry id or client id the lockdown was asked for (null for `all`). */
  target_id: string | null;
  /** Its label or name at the time, for reports. */
  target_label: string | null;
  reason: string;
  actor: string;
  started_at: number;
  /** Set by `unlock`; null while the lockdown is active. */
  ended_at: number | null;
  unlock_reason: string | null;
  unlock_actor: string | null;
  /** JSON array of the ids of every client in scope. */
  clients_json: string;
  /** JSON array of the client ids this lockdown froze (the only ones `unlock` unfreezes). */
  frozen_json: string;
  /** JSON of the per-key `--cancel-orders` results, when asked. */
  cancel_json: string | null;
  report_path: string | null;
}

export interface Database {
  lockdowns: LockdownsTable;
}

// --- exchange nonce sequences (src/store/nonce-sequence.ts) ---

export interface NonceSequencesTable {
  /** The key registry's id of the exchange key. */
  key_id: string;
  /**
   * The last nonce drawn for that key (Kraken: microseconds since the epoch, then +1 per draw).
   * A 64-bit INTEGER: read it through better-sqlite3 with `safeIntegers()`, as
   * nonce-sequence.ts does, since a plain read would round it through a JS number past 2^53.
   */
  last: bigint;
}

export interface Database {
  nonce_sequences: NonceSequencesTable;
}

// --- policy usage (src/store/usage-store.ts) and client nonces (src/store/client-nonces.ts) ---

export interface PolicyUsageTable {
  client_id: string;
  /** UTC days since the epoch. */
  day: number;
  /** `notional` or `withdraw:<COIN>`. */
  item: string;
  amount: number;
}

export interface ClientNoncesTable {
  /** The drop-in client's api key id. */
  api_key: string;
  /** Highest nonce accepted; 64-bit INTEGER, read with `safeIntegers()`. */
  last: bigint;
}

export interface Database {
  policy_usage: PolicyUsageTable;
  client_nonces: ClientNoncesTable;
}

// --- the replay cache several gateways share (src/store/pg-replay-cache.ts) ---

export interface ReplayKeysTable {
  client_id: string;
  replay_key: string;
  /** ms since the epoch after which the key may be used again. */
  expires_at: number;
}

export interface Database {
  replay_keys: ReplayKeysTable;
}

// --- operators of the admin API (src/operators) ---

export interface OperatorsTable {
  id: string;
  name: string;
  role: string;
  status: string;
  password_hash: string | null;
  totp_envelope: string | null;
  totp_last_step: number | null;
  mfa_enrolled_at: number | null;
  enrol_code_hash: string | null;
  enrol_expires_at: number | null;
  created_by: string;
  created_at: number;
  updated_at: number;
}

export interface OperatorRecoveryCodesTable {
  code_hash: string;
  operator_id: string;
  used_at: number | null;
}

export interface OperatorSessionsTable {
  id_hash: string;
  operator_id: string;
  csrf_hash: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  source_ip: string;
}

export interface ApiTokensTable {
  id: string;
  name: string;
  role: string;
  token_hash: string;
  created_by: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
  last_used_at: number | null;
}

export interface LoginFailuresTable {
  subject: string;
  count: number;
  last_at: number;
  blocked_until: number;
}

// --- approvals (src/approvals) ---

export interface ApprovalsTable {
  id: string;
  /** An ApprovalKind (src/config/approvals-config.ts). */
  kind: string;
  summary: string;
  /** What runs once approved (a withdrawal: its checked intent and the stripped request to sign). */
  payload_json: string;
  /** pending, approved, rejected, expired, executing, executed or failed. */
  status: string;
  requested_by_json: string;
  requested_at: number;
  expires_at: number;
  decided_by_json: string | null;
  decided_at: number | null;
  executed_at: number | null;
  /** The execution's outcome (the exchange's status and answer), once run. */
  result_json: string | null;
}

// --- alert acknowledgements (admin API) ---

export interface AlertAcksTable {
  /** The alert's audit record `seq`. */
  alert_seq: number;
  /** describeActor of who acknowledged it. */
  acked_by: string;
  acked_at: number;
  note: string | null;
}

export interface Database {
  alert_acks: AlertAcksTable;
  operators: OperatorsTable;
  operator_recovery_codes: OperatorRecoveryCodesTable;
  operator_sessions: OperatorSessionsTable;
  api_tokens: ApiTokensTable;
  login_failures: LoginFailuresTable;
  approvals: ApprovalsTable;
}

// biome-ignore lint/suspicious/noEmptyInterface: each section above adds its tables to this interface
export interface Database {}
