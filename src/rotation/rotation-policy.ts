import type { Environment, KeyRecord } from '../keys/index.js';

/** The rotation policy (read by rotation, reminders, `key list` and posture) and where a key stands against it. */

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
