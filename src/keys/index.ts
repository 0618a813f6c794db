/** The keys domain: the registry of exchange keys, their verification against the exchange, and how to reach it. */
export {
  type ExchangeAccess,
  exchangeAccessFor,
  exchangeAccessFrom,
  leaseNonce,
  type Upstream,
  type UpstreamFactory,
} from './exchange-access.js';
export {
  adviceFor,
  detectEgressIp,
  ipRestrictionWords,
  isPublicIp,
  permissionWords,
  UNKNOWN_EGRESS,
} from './key-advice.js';
export { appendKeyAudit } from './key-audit.js';
export {
  flagsFor,
  type IntrospectOutcome,
  introspectCredential,
  OVER_PERMISSIVE_FLAGS,
  overPermissiveEvent,
  scrubIntrospection,
  type VerifyDeps,
  verifyKey,
  verifyKeys,
} from './key-checks.js';
export {
  createKeyRegistry,
  credentialIdentity,
  parseCredentialJson,
  toKeyRecord,
  validateCredential,
} from './key-registry.js';
export {
  ENVIRONMENTS,
  type Environment,
  type KeyCheck,
  type KeyCheckFlag,
  type KeyCheckStore,
  type KeyRecord,
  type KeyRegistry,
  type NewKey,
} from './key-types.js';
export { createKeyCheckStore, createKeysStore, type KeysStore } from './keys-store.js';
