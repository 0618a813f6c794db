// Operators of the admin API: accounts, MFA, sessions, API tokens, brute-force protection.

export { mfaCoverage } from './mfa-coverage.js';
export {
  createOperators,
  type LoginInput,
  type NewSession,
  type Operators,
  type OperatorsDeps,
  RECOVERY_CODE_COUNT,
} from './operator-service.js';
export type {
  OperatorStatus,
  OperatorsConfig,
  OperatorView,
  SessionInfo,
  TokenView,
} from './operator-types.js';
export { DEFAULT_OPERATORS_CONFIG, MFA_ROLES, ROLE_RANK } from './operator-types.js';
export { PASSWORD_MIN_LENGTH } from './password.js';
export { sha256Hex } from './secrets.js';
export { TOTP_PERIOD_SECONDS, timeStep, totpCode } from './totp.js';
