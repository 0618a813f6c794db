/**
 * What flows between the pipeline's stages. Each stage is a function from its input state to
 * `Result<next state, Denial>`; every state extends the one before it, so what a later stage
 * (and the report) reads was set by an earlier one and cannot be missing. Nothing here refers to
 * an HTTP framework: the HTTP edge (and, per message, a WebSocket one) builds the `EdgeRequest`.
 */
import type { Readable } from 'node:stream';
import type {
  ErrorCode,
  ExchangeId,
  IntentRequest,
  OutgoingRequest,
  ParsedRequest,
} from '../../core/index.js';
import type { Classification, ExchangeAdapter } from '../../exchanges/index.js';
import type { KeyRecord } from '../../keys/index.js';
import type { Reservation } from '../../policy/index.js';
import type { CredentialHit } from '../client-cache.js';
import type { Upstream } from '../upstream.js';

/** One request (or one WebSocket message) as the edge received it. */
export interface EdgeRequest {
  requestId: string;
  method: string;
  /** The raw request target exactly as received, `/<exchange>/<path>?<query>`. */
  target: string;
  /** Lower-case names; repeated headers joined with `, `. This request's own object (the pipeline reads it as the raw request). */
  headers: Record<string, string>;
  body: string;
  /** Socket peer address. */
  peer: string;
  /** The listener's own address (decides the anonymous relay's default). */
  local?: string;
  /**
   * Set only by the WebSocket edge, never from wire input: the api key of the client whose login
   * frame this connection's upstream accepted (OKX, Bybit). The frame then authenticates as that
   * client without a signature of its own; revocation, lookup and every later stage still apply.
   */
  session?: string;
}

/** Why a request was refused: answered in the exchange's shape and recorded (never forwarded). */
export interface Denial {
  code: ErrorCode;
  message: string;
  /** The policy rule, for `policy_denied`; otherwise the code names it. */
  rule?: string;
  /** What the refusing stage had learned, for the record (the client that failed to verify, the notional). */
  learned?: Learned;
}

/** Facts a stage learned before it refused the request. */
export interface Learned {
  hit?: CredentialHit;
  classification?: Classification;
  notional?: number;
}

/** keywarden could not serve the request (sealed vault, audit down, exchange unreachable, a fault). */
export interface Failure {
  code: ErrorCode;
  message: string;
  /** Seconds a client should wait before retrying (a rate budget's refusal): answered as `Retry-After`. */
  retryAfterSeconds?: number;
}

/** The request names an enabled exchange and a sane path. */
export interface Targeted {
  edge: EdgeRequest;
  exchange: ExchangeId;
  adapter: ExchangeAdapter;
  upstream: Upstream;
  path: string;
  query: string;
}

/** Past the per-IP limit and the header checks; from here every outcome is recorded and reported. */
export interface Admitted extends Targeted {
  sourceIp: string;
  host: string;
  /** `METHOD /path` (no query), until the adapter has classified the request. */
  endpoint: string;
}

export interface Parsed extends Admitted {
  request: ParsedRequest<unknown>;
}

/** Who sent it: a known client that proved its credential, or nobody (the anonymous public relay). */
export type Caller =
  | { kind: 'client'; hit: CredentialHit }
  | { kind: 'anonymous'; classification: Classification };

export interface Authenticated extends Parsed {
  caller: Caller;
}

/** The client is active, unexpired, from an allowed address and within its rate. */
export interface Admissible extends Authenticated {
  /** The client's exchange key label, for the monitor (looked up only when one is wired). */
  keyLabel?: string;
}

export interface Classified extends Admissible {
  intent: IntentRequest<unknown, Classification>;
}

/** The policy allowed it (or, in monitor mode, would have denied it): usage is reserved. */
export interface Decided extends Classified {
  decision: 'allow' | 'would-deny';
  wouldDeny?: { rule: string; message: string };
  notional: number;
  reservation?: Reservation;
  /** The exchange key it is signed with; absent for the anonymous relay. */
  key?: KeyRecord;
}

export interface Signed extends Decided {
  outgoing: OutgoingRequest;
  /** The leased nonce draw it was signed with (shared sequences): released once forwarding ended. */
  nonceLease?: { release(): void };
}

/** Any state from which a request can stop with a recorded outcome. */
export type Reached = Admitted | Parsed | Authenticated | Admissible | Classified | Decided | Signed;

export interface UpstreamAnswer {
  status: number;
  headers: Record<string, string>;
  body: Readable;
  /** From sending to the answer's headers, ms. */
  latencyMs: number;
}

/**
 * How a request ended. `denied`: refused by a check (recorded, aggregated when no client is
 * known). `forwarded`: the exchange answered. `failed`: keywarden could not serve it; when the
 * policy had decided, `at` is a `Decided` state and the decision stands in the report.
 * `at` is absent only for requests that named no enabled exchange or no sane path: those are
 * neither recorded nor reported (probe noise), only answered.
 */
export type Outcome =
  | { kind: 'denied'; requestId: string; adapter?: ExchangeAdapter; at?: Reached; denial: Denial }
  | { kind: 'forwarded'; requestId: string; adapter: ExchangeAdapter; at: Signed; answer: UpstreamAnswer }
  | {
      kind: 'failed';
      requestId: string;
      adapter?: ExchangeAdapter;
      at?: Reached;
      failure: Failure;
      /** Where it failed: `entry` (sealed vault), `audit`, `sign`, `forward`, or `fault` (an unexpected error). */
      stage: 'entry' | 'audit' | 'sign' | 'forward' | 'fault';
      /** Set when the request was sent (or sending was attempted): the outcome record gets its latency. */
      sentMs?: number;
    };
