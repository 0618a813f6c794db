/**
 * The closed vocabulary of keywarden error codes. Every code maps to an HTTP status and
 * (for the gateway) an exchange error kind; codes are never reused. docs/errors.md lists
 * the same codes and test/errors.test.ts keeps them in step.
 */
import type { ExchangeErrorKind } from './actions.js';

export const ERROR_CODES = {
  // vault
  vault_not_initialized: {
    status: 503,
    kind: 'sealed',
    message: 'The vault has not been initialised (run keywarden init)',
  },
  vault_exists: {
    status: 409,
    kind: 'bad_request',
    message: 'A vault already exists in this data directory',
  },
  vault_sealed: {
    status: 503,
    kind: 'sealed',
    message: 'keywarden is sealed: unseal it before signing requests',
  },
  wrong_master_key: { status: 401, kind: 'auth', message: 'Wrong passphrase or master key' },
  decrypt_failed: { status: 500, kind: 'internal', message: 'A stored record failed its integrity check' },
  // Every refused POST /_keywarden/unseal, whatever the cause (wrong key, malformed, proxied, backed off).
  unseal_failed: { status: 401, kind: 'auth', message: 'unseal failed' },
  // input
  invalid_input: { status: 400, kind: 'bad_request', message: 'Invalid input' },
  invalid_credential: { status: 400, kind: 'bad_request', message: 'Invalid credential' },
  invalid_config: { status: 400, kind: 'bad_request', message: 'Invalid configuration' },
  not_found: { status: 404, kind: 'not_found', message: 'Not found' },
  duplicate: { status: 409, kind: 'bad_request', message: 'Already exists' },
  // gateway pipeline
  auth_missing: { status: 401, kind: 'auth', message: 'No client credential on the request' },
  auth_unknown_key: { status: 401, kind: 'auth', message: 'Unknown client key' },
  auth_bad_signature: { status: 401, kind: 'auth', message: 'Client signature is not valid' },
  auth_stale: {
    status: 400,
    kind: 'timestamp',
    message: 'Client timestamp or nonce outside the allowed window',
  },
  // The operator's decision, like a policy denial, not a refused key: each adapter answers it
  // with its exchange's "not authorised" shape (see the 'policy' case of its errorResponse).
  client_frozen: { status: 403, kind: 'policy', message: 'Client is frozen' },
  client_revoked: { status: 401, kind: 'auth', message: 'Client credential revoked' },
  client_expired: { status: 401, kind: 'auth', message: 'Client credential expired' },
  ip_not_allowed: { status: 403, kind: 'permission', message: 'Source IP not in the client allow-list' },
  rate_limited: { status: 429, kind: 'rate_limited', message: 'Client rate limit exceeded' },
  policy_denied: { status: 403, kind: 'policy', message: 'Denied by policy' },
  bad_request: { status: 400, kind: 'bad_request', message: 'Malformed request' },
  request_rejected: {
    status: 400,
    kind: 'bad_request',
    message: 'Request has a field or form keywarden does not accept for this endpoint',
  },
  auth_replayed: { status: 401, kind: 'auth', message: 'This signed request was already used' },
  path_not_allowed: { status: 400, kind: 'bad_request', message: 'Request target not allowed' },
  body_too_large: { status: 413, kind: 'bad_request', message: 'Request body too large' },
  audit_unavailable: { status: 503, kind: 'unavailable', message: 'Audit log unavailable; request refused' },
  upstream_failed: { status: 502, kind: 'unavailable', message: 'Exchange did not answer' },
  internal: { status: 500, kind: 'internal', message: 'Internal error' },
} as const satisfies Record<string, { status: number; kind: ExchangeErrorKind; message: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** A known failure with a stable code; its message is safe to show (never contains a secret). */
export class KeywardenError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message?: string) {
    super(message ?? ERROR_CODES[code].message);
    this.code = code;
    this.name = 'KeywardenError';
  }
  get status(): number {
    return ERROR_CODES[this.code].status;
  }
}
