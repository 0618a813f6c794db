/**
 * The closed vocabulary of keywarden error codes. Every code maps to an HTTP status and
 * (for the gateway) an exchange error kind; codes are never reused. docs/errors.md lists
 * the same codes with the same status, kind and meaning, and test/core/errors.test.ts keeps
 * them in step and refuses an error-code literal in src/ that is not listed here.
 */
import type { ExchangeErrorKind } from './actions.js';

/**
 * `message` is the default text of the error (what a client or the CLI shows); `meaning` is
 * given only where that text is deliberately terse or the code is never an HTTP answer, and
 * is what docs/errors.md explains.
 */
export interface ErrorSpec {
  readonly status: number;
  readonly kind: ExchangeErrorKind;
  readonly message: string;
  readonly meaning?: string;
}

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
  // One answer to every refused unseal, so a guesser never learns how close it came.
  unseal_failed: {
    status: 401,
    kind: 'auth',
    message: 'unseal failed',
    meaning:
      'The one answer to every refused POST /_keywarden/unseal: 401 for a wrong or malformed key, 403 for a proxy header or a non-loopback peer, 400 for a malformed body, 429 while backed off or locked out; the cause goes to the server log only',
  },
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
  store_unavailable: {
    status: 503,
    kind: 'unavailable',
    message: 'Store unavailable; request refused',
    meaning:
      'The PostgreSQL store did not answer (down, unreachable, refused the connection): keywarden signs nothing until it does',
  },
  upstream_failed: { status: 502, kind: 'unavailable', message: 'Exchange did not answer' },
  // The exchange-aware rate budgets (src/gateway/budget): answered in the exchange's own 429 shape, with Retry-After.
  rate_budget_exceeded: {
    status: 429,
    kind: 'rate_limited',
    message: "Exchange rate budget spent: not sent, so the exchange's limit holds",
    meaning:
      "The request would have broken one of the exchange's limits for its key or the gateway's egress IP (or the exchange refused that key or IP with a 429/418 and the stop has not lifted): keywarden waited up to rateBudgets.maxQueueMs, then answered in the exchange's 429 shape with Retry-After, without sending it",
  },
  rate_budget_unavailable: {
    status: 503,
    kind: 'unavailable',
    message: 'Rate budget store unavailable; request not sent',
    meaning:
      'The shared rate budget store (Redis, rateBudgets.store.url) did not answer and rateBudgets.store.onError is closed (the default): nothing is sent unbudgeted',
  },
  rate_limit_unavailable: {
    status: 503,
    kind: 'unavailable',
    message: 'Rate limit store unavailable; request refused',
    meaning:
      'The shared rate-limit store (Redis, rateLimit.store.url) did not answer and rateLimit.store.onError is closed (the default): no request is admitted past a per-client or per-IP limit nobody can count',
  },
  // The audit record standing for the denials of one minute from one source IP without a known client.
  unauthenticated: {
    status: 401,
    kind: 'auth',
    message: 'Denied requests without a known client, summarised',
    meaning:
      'Audit only (the rule of a summary record): the further requests without a known client denied from one source IP in one minute; each was answered with its own code',
  },
  // GET /metrics
  metrics_token_required: {
    status: 401,
    kind: 'auth',
    message: 'metrics need the bearer token (server.metrics.tokenEnv)',
  },
  metrics_loopback_only: {
    status: 403,
    kind: 'permission',
    message: 'metrics are served to loopback only (server.metrics.access)',
  },
  // monitor
  sink_failed: {
    status: 502,
    kind: 'unavailable',
    message: 'Alert not delivered',
    meaning:
      'An alert sink did not take a delivery (timeout, network error, HTTP error, refusal); never sent as an answer: the monitor retries or warns, and the message never holds the sink URL',
  },
  // admin API and operators (src/operators, src/admin)
  login_failed: { status: 401, kind: 'auth', message: 'Login failed' },
  login_blocked: { status: 429, kind: 'rate_limited', message: 'Too many failed logins: try again later' },
  enrolment_invalid: { status: 401, kind: 'auth', message: 'Enrolment code unknown, used or expired' },
  session_required: { status: 401, kind: 'auth', message: 'Sign in or send an API token' },
  csrf_failed: {
    status: 403,
    kind: 'permission',
    message: 'CSRF token missing or wrong',
    meaning:
      "A cookie-authenticated write without the `x-keywarden-csrf` header equal to the session's `kw_csrf` cookie",
  },
  role_forbidden: { status: 403, kind: 'permission', message: 'Your role does not allow this' },
  mfa_required: {
    status: 401,
    kind: 'auth',
    message: 'This operation needs a fresh TOTP code (x-keywarden-otp)',
  },
  mfa_invalid: { status: 401, kind: 'auth', message: 'TOTP code wrong or already used' },
  // approvals (src/approvals): a withdrawal held for a second person's decision answers the bot
  // with its exchange's "not authorised" shape, naming the approval.
  approval_pending: {
    status: 403,
    kind: 'policy',
    message: 'Held: pending approval',
    meaning:
      'A withdrawal the policy allows, for a client whose policy says withdrawals.approval: true, was not sent: it waits as an approval (the message names its id) and is sent once, freshly signed, after someone approves it',
  },
  approval_self: {
    status: 403,
    kind: 'permission',
    message: 'Nobody approves their own request',
  },
  approval_closed: {
    status: 409,
    kind: 'bad_request',
    message: 'The approval was already decided, has expired or has run',
  },
  // CLI
  command_failed: {
    status: 500,
    kind: 'internal',
    message: 'The command did not complete',
    meaning:
      'CLI only: a command could not complete (a file not readable, a port in use, no gateway answering); its one-line message says why and the exit code is 1',
  },
  internal: { status: 500, kind: 'internal', message: 'Internal error' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(ERROR_CODES, value);
}

/** What the code means, as docs/errors.md states it. */
export function errorMeaning(code: ErrorCode): string {
  const spec: ErrorSpec = ERROR_CODES[code];
  return spec.meaning ?? spec.message;
}

/**
 * A known failure with a stable code; its message is safe to show (never contains a secret).
 * The one error family: every error class keywarden throws is this class or extends it.
 */
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
