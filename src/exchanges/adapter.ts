/**
 * The one interface every exchange module implements. Exchange specifics (signing,
 * classification, introspection, error shapes) live only behind it: the gateway, the
 * sandbox, the key registry and the scanner talk to exchanges through this and nothing else.
 */
import {
  type Action,
  type AdapterInput,
  type Clock,
  type ExchangeErrorKind,
  type ExchangeId,
  KeywardenError,
  type MarketType,
  type NonceLedger,
  type NonceSource,
  type ParsedRequest,
  type Side,
  type SignedRequest,
  type WireRequest,
} from '../core/index.js';

export type { NonceLedger, NonceSource } from '../core/index.js';

import type { WsAdapter } from './ws-adapter.js';

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
 * The unbranded wire shape of an HTTP request, relative to an exchange's base URL (an adapter's
 * own lookups, a stripped request before signing). `path` never includes the gateway's
 * `/<exchange>` prefix; `query` is the raw query string without `?` exactly as it was sent (or
 * will be sent); `body` is the raw body text. The gateway's stages are branded types around it
 * (src/core/request.ts: raw → parsed → intent → signed | public).
 */
export type ExchangeRequest = WireRequest;

/** What the client saw as the origin and prefix of the exchange (needed for Coinbase's JWT `uri` claim). */
export interface ClientOrigin {
  /** Host header as sent by the client, e.g. `127.0.0.1:8787`. */
  host: string;
  /** Path prefix the client used in front of the exchange path, e.g. `/coinbase` (may be ''). */
  prefix: string;
}

export interface SignContext {
  clock: Clock;
  nonce: NonceSource;
  /** The upstream base URL the signed request goes to, e.g. `https://api.binance.com` or `http://127.0.0.1:8788/binance`. */
  baseUrl: string;
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

/**
 * A verified request. `replayKey` names what makes this exact signed request unique (its
 * signature, a JWT's nonce): the gateway refuses a second request with the same key from the
 * same client for `replayWindowMs`, the span in which the exchange's freshness check would
 * still accept it. Kraken's nonce ledger already refuses replays, so it returns none.
 */
export type VerifyResult =
  | {
      ok: true;
      replayKey?: string;
      replayWindowMs?: number;
      /**
       * The same signed frame may be used once on each of `all` WebSocket paths instead of once in
       * all (OKX's login signs only its timestamp in seconds: CCXT's /ws/v5/private and
       * /ws/v5/business logins in one second are byte-identical), every use from the source IP
       * of its first use. `path` is this use's (one of `all`).
       */
      replayPaths?: { path: string; all: readonly string[] };
    }
  | { ok: false; reason: VerifyFailure; message: string };

/** One price an order carries, by the exchange's own field name. Every one is band-checked. */
export interface PriceField {
  field: string;
  value: number;
}

/**
 * What one order will do, read by the exchange's own rules for its order type from the
 * request's parsed value. Notional is not stored here: the policy computes it from these
 * fields, the market price and the contract spec (src/policy/notional.ts), so a decoy field
 * cannot supply it.
 */
export interface OrderIntent {
  /**
   * Normalised CCXT-style symbol: `BTC/USDT` for spot, `BTC/USDT:USDT` (with the settle asset)
   * for a derivative. Patterns without `:` never match a derivative.
   */
  symbol?: string;
  /** The exchange's own symbol as sent, e.g. `BTCUSDT`, `XBTUSD`, `BTC-USDT-SWAP`. */
  rawSymbol?: string;
  /** Instrument kind; undefined is read as `spot`. */
  market?: MarketType;
  /** Undefined when the request does not say (an amend): the policy then assumes the costlier side. */
  side?: Side;
  /** `limit`, `market`, or the exchange's own type lower-cased. */
  type?: string;
  /**
   * How the order executes for pricing: `market` orders (and any order that can fill at the
   * market, such as OKX `optimal_limit_ioc`) are priced from the ticker plus slippage, never
   * from a price field. Defaults from `type === 'market'`.
   */
  pricing?: 'limit' | 'market';
  /** Size in base units (or in contracts when `contracts`). */
  quantity?: number;
  /** Size in quote units (market buys by cost). Never set together with `quantity`. */
  quoteQuantity?: number;
  /** `quantity` counts contracts: notional needs the instrument's contract spec. */
  contracts?: boolean;
  /** The limit (execution) price of a limit order; absent for market pricing. */
  price?: number;
  /** Every price field the order carries (limit, stop, trigger, TP/SL legs, amend targets). */
  prices?: PriceField[];
  /**
   * A price or size keywarden cannot evaluate (relative `+5`, `#5`, `5%`, trailing offsets):
   * denied whenever a price band or a notional cap applies.
   */
  unevaluable?: string;
  /** An amend of a resting order: a new order for its symbol (and side, when known). */
  amend?: boolean;
  /**
   * The resting order an amend changes (the exchange's order id or client order id, as the
   * request names it). The gateway reads that order through `restingOrderRequest` before the
   * policy runs, so the amend is judged with the order's real symbol, side, size and price.
   */
  orderRef?: { orderId?: string; clientOrderId?: string };
  /** Leverage the order asks for (margin trading); set together with action `margin`. */
  leverage?: number;
}

/** A resting order as the exchange reports it, for judging an amend of it. */
export interface RestingOrder {
  symbol: string;
  rawSymbol?: string;
  market?: MarketType;
  side: Side;
  /** Remaining size in the order's own units (base, or contracts). */
  quantity?: number;
  price?: number;
}

/** A derivative's contract: how many base units (linear) or quote units (inverse) one contract is. */
export interface ContractSpec {
  contractSize: number;
  /** Inverse contracts are sized in quote currency (USD): notional = contracts × contractSize. */
  inverse: boolean;
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
  /**
   * Set when the request does not fit the adapter's strict schema for this endpoint and order
   * type (an unknown field, a field the order type does not use, a number out of bounds): the
   * gateway denies it with `request_rejected` and never forwards it, in any policy mode.
   */
  rejected?: string;
  /** Leverage a margin request asks for (set-leverage endpoints, leveraged orders). */
  leverage?: number;
}

/**
 * A request parsed once, carrying the adapter's own parse `P` (Binance: its parameter list; OKX,
 * Bybit, Coinbase: the JSON body). Duplicated names are an error, never silently merged.
 */
/** The parse check of an adapter that carries no parse of its own (see wire-adapter.ts). */
export type WireParseResult = { ok: true; request: ExchangeRequest } | { ok: false; message: string };

export type ParseResult<P = unknown> =
  | { ok: true; request: ParsedRequest<P> }
  | { ok: false; message: string };

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

/**
 * `P` is the adapter's own parse. `parse` makes a `ParsedRequest<P>`; the request functions
 * (`clientKeyId`, `verifyClient`, `stripAuth`, `classify`, `publicWeight`,
 * `restingOrderRequest`) take an `AdapterInput<P>`: the gateway passes the parsed request, whose
 * `params` they read instead of parsing again; a plain wire request (tests, the adapter's own
 * lookups) they parse themselves (`wireOf`, `isParsedRequest` from src/core/request.ts). `sign`
 * returns a `SignedRequest`: wrap the signed wire request with `signedRequest()`. A new adapter
 * with nothing to carry uses `ExchangeAdapter<undefined>`.
 */
export interface ExchangeAdapter<P = unknown> {
  readonly id: ExchangeId;
  /** Production REST base URL, e.g. `https://api.binance.com`. */
  readonly defaultBaseUrl: string;
  /** Console guidance for the operator: where this exchange's website keeps each API-key setting. */
  readonly console: ExchangeConsole;
  /**
   * Client headers, beyond content-type, accept and user-agent, that reach the exchange (OKX's
   * `x-simulated-trading`); every other client header is dropped before signing.
   */
  readonly forwardedHeaders: readonly string[];
  /** The CCXT credential fields this exchange's keys need (OKX adds `password`, its API passphrase). */
  readonly credentialFields: ReadonlyArray<keyof Credential>;
  /**
   * The CCXT constructor options that point an unmodified CCXT client at `base` (a gateway or
   * sandbox URL for this exchange): its `urls` layout, plus options a spot-only upstream needs.
   */
  ccxtOverride(base: string): Record<string, unknown>;
  /** WebSocket private streams and order entry (src/gateway/ws/); absent where keywarden relays none yet. */
  readonly ws?: WsAdapter;
  /**
   * Signs with the key's nonce sequence and the exchange wants the nonces to arrive in order
   * (Kraken): with a sequence several gateways share, each draw is leased until the request it
   * signed was answered (src/store/pg-nonce-sequence.ts).
   */
  readonly sequencedNonces?: boolean;

  /**
   * A private request keywarden answers itself once it is verified, allowed and audited, instead
   * of signing and forwarding it: Kraken's `GetWebSocketsToken`, whose real token would let the
   * bot trade over WebSocket around keywarden, is answered with a token keywarden minted for the
   * client (`client`: the verifier the request proved). Undefined: signed and forwarded.
   */
  answerLocally?(
    request: ExchangeRequest,
    client: ClientVerifier,
    ctx: { clock: Clock },
  ): ExchangeResponse | undefined;

  /** Throws `CredentialError` with a one-line message when fields are missing or malformed (bad PEM, bad base64). */
  validateCredential(credential: Credential): void;

  /**
   * Parse a request once into its canonical form: reject duplicated parameters and
   * ambiguous encodings, so the bytes classified are the bytes signed and forwarded.
   */
  parse(request: ExchangeRequest): ParseResult<P>;

  /** The client api-key id the request claims (header or param), if any. */
  clientKeyId(request: AdapterInput<P>): string | undefined;

  /** Verify a client's own signature and freshness with the exchange's algorithm, in constant time. */
  verifyClient(request: AdapterInput<P>, verifier: ClientVerifier, ctx: VerifyContext): VerifyResult;

  /** Remove every client auth header and param (signature, key, timestamp, nonce, ...). */
  stripAuth(request: AdapterInput<P>): ExchangeRequest;

  /** Sign with the real credential: returns exactly the request to send (auth headers/params added). */
  sign(request: ExchangeRequest, credential: Credential, ctx: SignContext): SignedRequest;

  classify(request: AdapterInput<P>): Classification;

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

  /**
   * The public instruments request for a derivative symbol (`BTC/USDT:USDT`) and how to read
   * its contract spec. Absent (or an undefined answer): derivatives of this exchange are denied.
   */
  instrumentRequest?(symbol: string, market: MarketType): ExchangeRequest;
  parseInstrument?(response: ExchangeResponse): ContractSpec | undefined;

  /**
   * The signed-to-be read request for the resting order an amend names (`order.orderRef`),
   * and how to read the answer. The gateway signs it with the real key, sends it, and fills
   * the amend's missing symbol, side, size and limit price from it; no answer, no amend.
   */
  restingOrderRequest?(order: OrderIntent, request: AdapterInput<P>): ExchangeRequest | undefined;
  parseRestingOrder?(response: ExchangeResponse): RestingOrder | undefined;

  /**
   * The exchange's request weight of a public request (Binance counts `/api/v3/depth?limit=5000`
   * as 250): the anonymous public relay spends its budget by it. Default 1.
   */
  publicWeight?(request: AdapterInput<P>): number;
}

/** A credential the adapter cannot use: `invalid_credential`, with the adapter's one-line reason. */
export class CredentialError extends KeywardenError {
  constructor(message: string) {
    super('invalid_credential', message);
    this.name = 'CredentialError';
  }
}
