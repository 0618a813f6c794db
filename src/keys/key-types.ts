import type { ExchangeId } from '../core/index.js';
import type { Credential, Introspection } from '../exchanges/index.js';

export const ENVIRONMENTS = ['prod', 'test', 'dev'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** A registered exchange key's metadata. Never carries secret material. */
export interface KeyRecord {
  id: string;
  label: string;
  exchange: ExchangeId;
  environment: Environment;
  owner?: string;
  notes?: string;
  /** Keyed HMAC of the api-key id (never the raw id). */
  fingerprint: string;
  /** Last 4 characters of the api-key id. */
  last4: string;
  version: number;
  status: 'active' | 'retired';
  createdAt: number;
  rotatedAt?: number;
  retiredAt?: number;
}

export interface NewKey {
  label: string;
  exchange: ExchangeId;
  environment: Environment;
  owner?: string;
  notes?: string;
}

export interface KeyRegistry {
  /** Validate with the exchange adapter, encrypt and store. Throws KeywardenError('duplicate' | 'invalid_credential' | 'vault_sealed'). */
  add(input: NewKey, credential: Credential): Promise<KeyRecord>;
  list(options?: { includeRetired?: boolean }): Promise<KeyRecord[]>;
  /** By label or id. */
  get(ref: string): Promise<KeyRecord | undefined>;
  retire(ref: string): Promise<KeyRecord>;
  /**
   * Decrypt for signing (requires an unsealed vault). Internal use only: no API or CLI returns it.
   * `version` asks for that version while a rotation keeps it in its grace period (a request that
   * read the key just before the switch); otherwise the current credential is returned.
   */
  credential(ref: string, version?: number): Promise<Credential>;
}

/* Verification results: written by `key verify` and the scheduled check, read by rotation, posture and the monitor. */

/** One verification of a key against its exchange. Stored in `key_checks` (migration 0008). */
export interface KeyCheck {
  keyId: string;
  /** Key version that was checked (a rotation bumps it). */
  keyVersion: number;
  checkedAt: number;
  /** What the exchange said; `available: false` when it has no introspection endpoint or the call failed. */
  introspection: Introspection;
  /** Findings, stable codes: `withdraw_enabled`, `transfer_enabled`, `no_ip_restriction`, `introspection_unavailable`, `check_failed`. */
  flags: KeyCheckFlag[];
}

export type KeyCheckFlag =
  | 'withdraw_enabled'
  | 'transfer_enabled'
  | 'no_ip_restriction'
  | 'introspection_unavailable'
  | 'check_failed';

export interface KeyCheckStore {
  record(check: KeyCheck): Promise<void>;
  /** Newest check per key id. */
  latest(): Promise<Map<string, KeyCheck>>;
}
