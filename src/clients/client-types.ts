import type { ExchangeId } from '../core/index.js';
import type { ClientVerifier, Credential } from '../exchanges/index.js';
import type { Environment } from '../keys/index.js';
import type { Policy } from '../policy/index.js';

export type ClientStatus = 'active' | 'frozen' | 'revoked';

/** What a third-party integration says it needs the key for (posture checks its policy against it). */
export const THIRD_PARTY_PURPOSES = ['portfolio', 'tax', 'trading', 'market-making', 'other'] as const;
export type ThirdPartyPurpose = (typeof THIRD_PARTY_PURPOSES)[number];

/** A client that is a vendor's integration (a portfolio tracker, a tax tool, a signal service). */
export interface ThirdParty {
  vendor: string;
  purpose: ThirdPartyPurpose;
  /** Who to call at the vendor (an e-mail address or URL). */
  contact: string;
  /** Next review of the integration, `YYYY-MM-DD` (UTC). */
  reviewBy: string;
  /** The source addresses the vendor publishes for its API calls (CIDR), when known. */
  vendorIps?: string[];
}

/** A client's metadata. Never carries a secret, a verifier or a token. */
export interface ClientRecord {
  id: string;
  name: string;
  exchange: ExchangeId;
  /** Key registry id of the exchange key this client signs with. */
  keyId: string;
  environment: Environment;
  status: ClientStatus;
  policy: Policy;
  ipAllow: string[];
  /** Requests per second for this client's token bucket; undefined = gateway default, 0 = unlimited. */
  ratePerSecond?: number;
  expiresAt?: number;
  createdAt: number;
  updatedAt: number;
  version: number;
  /** Public api-key ids (`kw_…`) of the client's live credentials, newest first. */
  apiKeyIds: string[];
  /** Set when the client is a third-party integration. */
  thirdParty?: ThirdParty;
}

export interface NewClient {
  name: string;
  /** Key registry label or id. */
  key: string;
  policy: Policy;
  ipAllow?: string[];
  environment?: Environment;
  expiresAt?: number;
  ratePerSecond?: number;
  thirdParty?: ThirdParty;
}

/** Shown once, at issue time: everything the bot needs. */
export interface IssuedClient {
  client: ClientRecord;
  /** Exchange-shaped credential in CCXT's field names (api-key id `kw_…`, secret, password, PEM). */
  credential: Credential;
  /** Bearer token for token mode. */
  token: string;
}

/** What the gateway needs to authenticate one client credential (decrypted while unsealed). */
export interface LiveCredential {
  apiKeyId: string;
  verifier: ClientVerifier;
  tokenHash: string;
  /** After a re-roll the old credential works until this time. */
  notAfter?: number;
}

export interface LoadedClient {
  record: ClientRecord;
  credentials: LiveCredential[];
  /** Credentials revoked (client revoked, or re-rolled without grace): answered `client_revoked`. */
  revoked: Array<{ apiKeyId: string; tokenHash: string }>;
}
