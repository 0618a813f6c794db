/**
 * Rotation reminders: which keys are within the warning window of their rotation deadline or
 * past it, each raised to the monitor as `key_rotation_due` / `key_rotation_overdue`.
 */

import type { KeyRecord } from '../keys/index.js';
import type { Monitor } from '../monitor/index.js';
import { rotationEvent } from '../monitor/index.js';
import { ROTATION_WARNING_DAYS, type RotationPolicy, rotationState } from './rotation-policy.js';

export interface RotationReminder {
  key: KeyRecord;
  status: 'due_soon' | 'overdue';
  dueAt: number;
  ageDays: number;
  maxDays: number;
}

export function checkRotations(
  keys: readonly KeyRecord[],
  policy: RotationPolicy,
  now: number,
  monitor?: Pick<Monitor, 'observe'>,
): RotationReminder[] {
  const out: RotationReminder[] = [];
  for (const key of keys) {
    const state = rotationState(key, policy, now);
    if (state.status !== 'due_soon' && state.status !== 'overdue') continue;
    out.push({
      key,
      status: state.status,
      dueAt: state.dueAt,
      ageDays: state.ageDays,
      maxDays: state.maxDays,
    });
    const event = rotationEvent({ label: key.label, deadline: state.dueAt }, now, ROTATION_WARNING_DAYS);
    if (event) monitor?.observe({ ...event, detail: { ...event.detail, exchange: key.exchange } });
  }
  return out;
}
