/** The clients domain: client credentials bound to one exchange key and one policy. */
export {
  type ClientService,
  type ClientServiceDeps,
  createClientService,
  hashToken,
} from './client-service.js';
export {
  type ClientRecord,
  type ClientStatus,
  type IssuedClient,
  type LiveCredential,
  type LoadedClient,
  type NewClient,
  THIRD_PARTY_PURPOSES,
  type ThirdParty,
  type ThirdPartyPurpose,
} from './client-types.js';
export { createClientsStore, createVersionReader } from './clients-store.js';
export { isDay, isThirdPartyPurpose, PURPOSE_ACTIONS, validateThirdParty } from './third-party.js';
