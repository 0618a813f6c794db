import type { Introspection } from '../exchanges/adapter.js';
import type { Environment, KeyRecord } from './key-types.js';

/**
 * Shared contracts of the key lifecycle: verification results (written by `key verify` and the
 * scheduled check, read by posture and the monitor) and the rotation policy (read by rotation,
 * reminders and posture).
 */

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

/** Days between rotations per environment; null = no rotation policy for that environment. */
export type RotationPolicy = Record<Environment, number | null>;

export const DEFAULT_ROTATION_POLICY: RotationPolicy = { prod: 90, test: null, dev: null };

/** Reminders start this long before a rotation is due. */
export const ROTATION_WARNING_DAYS = 14;

const DAY_MS = 86_400_000;

export type RotationState =
  | { status: 'none' }
  | { status: 'ok' | 'due_soon' | 'overdue'; dueAt: number; ageDays: number; maxDays: number };

/** Where a key stands against the rotation policy. Age counts from the last rotation, else creation. */
export function rotationState(key: KeyRecord, policy: RotationPolicy, now: number): RotationState {
  const maxDays = policy[key.environment];
  if (maxDays === null || key.status === 'retired') return { status: 'none' };
  const since = key.rotatedAt ?? key.createdAt;
  const dueAt = since + maxDays * DAY_MS;
  const ageDays = Math.floor((now - since) / DAY_MS);
  const status = now >= dueAt ? 'overdue' : now >= dueAt - ROTATION_WARNING_DAYS * DAY_MS ? 'due_soon' : 'ok';
  return { status, dueAt, ageDays, maxDays };
}
