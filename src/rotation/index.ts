/** The rotation domain: the rotation policy, staged rotation of a key, reminders and the periodic run inside `serve`. */
export {
  type DestroyedCredential,
  destroyExpiredCredentials,
  type RotateOptions,
  type RotationDeps,
  type RotationResult,
  rotateKey,
} from './rotation.js';
export {
  DEFAULT_ROTATION_POLICY,
  ROTATION_WARNING_DAYS,
  type RotationPolicy,
  type RotationState,
  rotationState,
} from './rotation-policy.js';
export { checkRotations, type RotationReminder } from './rotation-reminders.js';
export {
  type LifecycleRun,
  type LifecycleSchedule,
  type LifecycleScheduleOptions,
  startLifecycleSchedule,
} from './schedule.js';
