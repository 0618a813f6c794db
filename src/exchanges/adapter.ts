/**
 * The one interface every exchange module implements. Exchange specifics (signing,
 * classification, introspection, error shapes) live only behind it: the gateway, the
 * sandbox, the key registry and the scanner talk to exchanges through this and nothing else.
 */

export const EXCHANGE_IDS = ['binance', 'coinbase', 'kraken', 'okx', 'bybit'] as const;
export type ExchangeId = (typeof EXCHANGE_IDS)[number];

export function isExchangeId(value: string): value is ExchangeId {
  return (EXCHANGE_IDS as readonly string[]).includes(value);
}

/**
 * Credential material in CCXT's field names, so users paste what their bot config has.
 * Binance: apiKey + secret (HMAC text, or an Ed25519/RSA PKCS#8 PEM in `secret`).
 * Coinbase CDP: apiKey = `organizations/{org}/apiKeys/{id}`, secret = EC PEM (ES256).
 * Kraken: apiKey + base64 secret. OKX: apiKey + secret + password (passphrase). Bybit: apiKey + secret.
 */
export interface Credential {
  apiKey: string;
  secret: string;
  password?: string;
  uid?: string;
  privateKey?: string;
}

/**
 * An HTTP request as it crosses keywarden, relative to an exchange's base URL.
 * `path` never includes the gateway's `/<exchange>` prefix; `query` is the raw query string
 * without `?` exactly as it was sent (or will be sent); `body` is the raw body text.
 */
export interface ExchangeRequest {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: string;
}

/** What the client saw as the origin and prefix of the exchange (needed for Coinbase's JWT `uri` claim). */
export interface ClientOrigin {
  /** Host header as sent by the client, e.g. `127.0.0.1:8787`. */
  host: string;
  /** Path prefix the client used in front of the exchange path, e.g. `/coinbase` (may be ''). */
  prefix: string;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** Per-exchange-key monotonic state the gateway owns (Kraken's nonce sequence). */
export interface NonceSource {
  /** Next strictly increasing nonce for this key, as a decimal string. */
  next(): string;
}

export interface SignContext {
  clock: Clock;
  nonce: NonceSource;
  /** The upstream base URL the signed request goes to, e.g. `https://api.binance.com` or `http://127.0.0.1:8788/binance`. */
  baseUrl: string;
}

/** Remembers the highest nonce seen per client key (Kraken); shared across gateway requests. */
export interface NonceLedger {
  /** Atomically accept `nonce` for `apiKey` if it is greater than every earlier one. */
  accept(apiKey: string, nonce: bigint): boolean;
}

export interface VerifyContext {
  clock: Clock;
  nonces: NonceLedger;
  origin: ClientOrigin;
}

/** What a client must prove it holds. HMAC schemes keep the shared secret; Coinbase keeps only the public key. */
export interface ClientVerifier {
  apiKey: string;
  /** HMAC secret (exchange's text form) or, for public-key schemes, the public key PEM. */
  secret: string;
  password?: string;
}

export type VerifyFailure =
  | 'missing_credentials'
  | 'bad_signature'
  | 'stale_timestamp'
  | 'nonce_reused'
  | 'bad_passphrase'
  | 'malformed';

export type VerifyResult = { ok: true } | { ok: false; reason: VerifyFailure; message: string };

export type Action =
  | 'public'
  | 'read'
  | 'trade'
  | 'cancel'
  | 'withdraw'
  | 'transfer'
  | 'account-admin'
  | 'unknown';

export type Side = 'buy' | 'sell';

export interface OrderIntent {
  /** Normalised `BASE/QUOTE`, e.g. `BTC/USDT`. */
  symbol?: string;
  /** The exchange's own symbol as sent, e.g. `BTCUSDT`, `XBTUSD`, `BTC-USDT`. */
  rawSymbol?: string;
  side?: Side;
  /** `limit`, `market`, or the exchange's own type lower-cased. */
  type?: string;
  /** Base-currency quantity, when given in base units. */
  quantity?: number;
  /** Quote-currency quantity, when given in quote units (market buys by cost). */
  quoteQuantity?: number;
  price?: number;
  /** Quote-currency notional when computable from the request alone (price × quantity or quoteQuantity). */
  notional?: number;
}

export interface WithdrawalIntent {
  coin?: string;
  amount?: number;
  address?: string;
  network?: string;
  tag?: string;
}

export interface Classification {
  action: Action;
  /** Stable endpoint name `METHOD /path` with ids replaced by `{id}`, for audit and metrics. */
  endpoint: string;
  /** One entry per order in the request (batch endpoints carry several). */
  orders: OrderIntent[];
  withdrawal?: WithdrawalIntent;
}

/** A request's parameters, parsed once. Duplicated names are an error, never silently merged. */
export type ParseResult = { ok: true; request: ExchangeRequest } | { ok: false; message: string };

export type ExchangeErrorKind =
  | 'auth'
  | 'timestamp'
  | 'permission'
  | 'policy'
  | 'rate_limited'
  | 'bad_request'
  | 'not_found'
  | 'sealed'
  | 'unavailable'
  | 'internal';

export interface ExchangeResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface IntrospectionResult {
  available: true;
  canRead: boolean;
  canTrade: boolean;
  canWithdraw: boolean;
  canTransfer: boolean;
  ipRestricted: boolean;
  ipList?: string[];
  /** The exchange's raw answer, minus anything secret, for the record. */
  raw: unknown;
}

export type Introspection = IntrospectionResult | { available: false; reason: string };

/** Sends one already-signed request to the exchange's base URL and returns its answer. */
export type Transport = (request: ExchangeRequest) => Promise<ExchangeResponse>;

/** What `cancelAllOrders` achieved: counts from the exchange's own answers, failures with its reason. */
export interface CancelAllResult {
  /** Orders the exchange confirmed cancelled. */
  cancelled: number;
  /** Orders, symbols or calls the exchange refused; `ref` is an order id, a symbol or `*` (the whole call). */
  failed: Array<{ ref: string; reason: string }>;
}

/** A freshly issued drop-in client credential: what the bot gets, and what keywarden keeps. */
export interface IssuedClientCredential {
  /** Given to the bot once, in CCXT's field names. */
  credential: Credential;
  /** Kept by keywarden (HMAC secret encrypted in the vault, or just a public key). */
  verifier: ClientVerifier;
}

/**
 * Where a human changes this exchange's API-key settings on its website, in the words its own
 * console uses. Guidance, not protocol: posture fixes and incident reports quote it, so a new
 * exchange brings its own text here instead of a table in src/lifecycle/. Each path starts with
 * `name` (`Binance → Account → API Management → …`); the operator follows it by hand.
 */
export interface ExchangeConsole {
  /** The exchange's name as its website shows it, e.g. `Binance`. */
  readonly name: string;
  /** The page that lists the account's API keys (https), e.g. for a link next to `deleteKey`. */
  readonly apiKeysUrl: string;
  /** How to turn withdrawals off for a key (or, when `permissionsEditable` is false, get a key without them). */
  readonly disableWithdrawals: string;
  /** How to turn transfers between accounts (internal, universal, sub-account) off for a key. */
  readonly disableTransfers: string;
  /** Where a key's IP allow-list is set; callers append the address to add. */
  readonly restrictIp: string;
  /** How to delete (revoke) a key, so it is dead even outside keywarden. */
  readonly deleteKey: string;
  /** False when a key's permissions cannot be edited after creation (a new key is needed). */
  readonly permissionsEditable: boolean;
  /**
   * False when `introspect` cannot see the key's IP allow-list (its `ipRestricted` is then always
   * false): only the console shows it, so posture asks the operator to confirm it there.
   */
  readonly reportsIpRestriction: boolean;
}

export interface ExchangeAdapter {
  readonly id: ExchangeId;
  /** Production REST base URL, e.g. `https://api.binance.com`. */
  readonly defaultBaseUrl: string;
  /** Console guidance for the operator: where this exchange's website keeps each API-key setting. */
  readonly console: ExchangeConsole;
  /** The CCXT credential fields this exchange's keys need (OKX adds `password`, its API passphrase). */
  readonly credentialFields: ReadonlyArray<keyof Credential>;
  /**
   * The CCXT constructor options that point an unmodified CCXT client at `base` (a gateway or
   * sandbox URL for this exchange): its `urls` layout, plus options a spot-only upstream needs.
   */
  ccxtOverride(base: string): Record<string, unknown>;

  /** Throws `CredentialError` with a one-line message when fields are missing or malformed (bad PEM, bad base64). */
  validateCredential(credential: Credential): void;

  /**
   * Parse a request once into its canonical form: reject duplicated parameters and
   * ambiguous encodings, so the bytes classified are the bytes signed and forwarded.
   */
  parse(request: ExchangeRequest): ParseResult;

  /** The client api-key id the request claims (header or param), if any. */
  clientKeyId(request: ExchangeRequest): string | undefined;

  /** Verify a client's own signature and freshness with the exchange's algorithm, in constant time. */
  verifyClient(request: ExchangeRequest, verifier: ClientVerifier, ctx: VerifyContext): VerifyResult;

  /** Remove every client auth header and param (signature, key, timestamp, nonce, ...). */
  stripAuth(request: ExchangeRequest): ExchangeRequest;

  /** Sign with the real credential: returns exactly the request to send (auth headers/params added). */
  sign(request: ExchangeRequest, credential: Credential, ctx: SignContext): ExchangeRequest;

  classify(request: ExchangeRequest): Classification;

  /** Ask the exchange what the key may do, through `send` (already pointed at the base URL). */
  introspect(credential: Credential, send: Transport, ctx: SignContext): Promise<Introspection>;

  /**
   * Cancel every open spot order of the key's account with the exchange's own endpoints (for
   * `keywarden lockdown --cancel-orders`). Exchange refusals come back in `failed`; only a
   * transport failure throws. Each call signs afresh through `ctx` (Kraken takes a nonce from it).
   */
  cancelAllOrders?(credential: Credential, send: Transport, ctx: SignContext): Promise<CancelAllResult>;

  /** The exchange's own error shape for a keywarden denial or failure. */
  errorResponse(kind: ExchangeErrorKind, message: string): ExchangeResponse;

  /** A new drop-in client credential in this exchange's shape (random, from node:crypto). */
  issueClientCredential(): IssuedClientCredential;

  /** Public market price for a normalised symbol: the request to send and how to read the answer. */
  tickerRequest(symbol: string): ExchangeRequest;
  parseTicker(response: ExchangeResponse): number | undefined;
}

export class CredentialError extends Error {
  readonly code = 'invalid_credential';
}
