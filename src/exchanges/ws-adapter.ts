/**
 * What an exchange adapter adds for WebSocket (issue 12). The gateway's WebSocket edge turns
 * each client request frame into the exchange's REST-equivalent wire request, so the frame runs
 * the very pipeline stages a REST request runs (authenticate with the exchange's own scheme,
 * classify with the strict schemas, policy, audit, sign); only framing lives here.
 */
import type { ExchangeErrorKind, OutgoingRequest } from '../core/index.js';
import type { ExchangeAdapter, ExchangeRequest, ExchangeResponse, Transport } from './adapter.js';

/** A request id as the client sent it (echoed in the answer). */
export type WsId = string | number | null;

/** One client text frame as the adapter read it. */
export type WsFrame =
  /** A request: `request` is its REST-equivalent wire request (path under the exchange prefix). */
  | { kind: 'request'; id: WsId; method: string; request: ExchangeRequest }
  /**
   * A connection login (OKX `op: login`, Bybit `op: auth`): `request` is its REST-equivalent,
   * carrying the client's keywarden credential in the exchange's login scheme. It runs the
   * pipeline like any request; once the upstream accepts the real key's login, later frames of
   * the connection authenticate as that client (`EdgeRequest.session`).
   */
  | { kind: 'login'; id: WsId; method: string; request: ExchangeRequest }
  /** Not a request keywarden relays (malformed, unknown method): answered with an error frame. */
  | { kind: 'refused'; id: WsId; errorKind: ExchangeErrorKind; message: string; method?: string }
  /** Answered by keywarden itself with `reply`, nothing relayed or recorded (Kraken's application-level `ping`). */
  | { kind: 'local'; reply: string };

/** One upstream text frame: the answer to a request keywarden sent (by keywarden's id), or an event to relay. */
export type WsUpstreamFrame =
  | { kind: 'response'; id: number; status: number }
  /** The answer to the login keywarden sent (OKX's and Bybit's carry no request id). */
  | { kind: 'login'; status: number }
  /** Dropped: the answer to keywarden's own keepalive. */
  | { kind: 'ignored' }
  | { kind: 'event' };

export interface WsAdapter {
  /** Paths under `/<exchange>` that accept a WebSocket upgrade: the exchange's own (e.g. `/ws-api/v3`). */
  readonly paths: readonly string[];
  /** The exchange's WebSocket URL for `path`, derived from the configured REST base URL only (never from a client). */
  upstreamUrl(baseUrl: string, path: string): string;
  /** `path` is the upgrade's (one of `paths`; the gateway always passes it): an exchange may take different frames on each. */
  parseFrame(text: string, path?: string): WsFrame;
  /** The REST-equivalent path of the connection login, for adapters whose frames are unsigned after it. */
  readonly loginPath?: string;
  /** An application-level ping keywarden sends upstream itself (OKX drops a link silent for 30 s). */
  readonly keepalive?: { text: string; intervalMs: number };
  /**
   * The adapter the pipeline runs a frame's REST-equivalent request with: the REST adapter,
   * except that it verifies and signs the exchange's WebSocket payload.
   */
  readonly requestAdapter: ExchangeAdapter;
  /** The upstream frame for a request the pipeline signed (or a public one), under keywarden's own id. */
  upstreamFrame(upstreamId: number, outgoing: OutgoingRequest): string;
  parseUpstream(text: string): WsUpstreamFrame;
  /**
   * Optional: the rate-limit usage an upstream answer carries in its frame (Binance's
   * `rateLimits`, Bybit's `header`), as the REST answer's lower-case headers would carry it, so
   * the rate budgets read WebSocket answers with the exchange's REST rules.
   */
  usageHeaders?(text: string): Record<string, string>;
  /**
   * An upstream answer rewritten to carry the client's id; undefined when the client gets none
   * (Coinbase answers a subscription with a `subscriptions` channel message, relayed as an event).
   */
  responseFrame(text: string, id: WsId): string | undefined;
  /**
   * An error frame in the exchange's WebSocket shape, from the REST error answer for the same
   * failure; `method` is the frame's, where it named one (Kraken's error frames echo it).
   */
  errorFrame(id: WsId, answer: ExchangeResponse, method?: string): string;
  /**
   * Whether a relayed request (its REST-equivalent path) set up state of the upstream connection
   * that a new upstream connection must be given again (the login, a subscription, an
   * unsubscription), in order, when keywarden re-opens it: after a key rotation or a
   * disconnect the client did not ask for (src/gateway/ws/ws-resume.ts). Orders never are.
   * Without it, such a connection is closed instead (the client reconnects).
   */
  sessionState?(path: string): boolean;
  /**
   * An upstream event announcing that the exchange will close the connection soon (Binance's
   * `serverShutdown`): keywarden re-opens it at once instead of waiting for the close, and does
   * not relay the notice (the client keeps its socket).
   */
  shutdownNotice?(text: string): boolean;
  /**
   * Optional: per upstream connection, what `upstreamFrame` cannot do alone. Given the exchange's
   * REST API (already pointed at its base URL). Without it, `upstreamFrame` builds every frame.
   */
  upstreamSession?(rest: Transport): WsUpstreamSession;
}

/** One upstream connection's own framing state (Kraken: the real WebSocket token it fetched). */
export interface WsUpstreamSession {
  /** The upstream frame for a signed request; may first call the REST API (Kraken: `GetWebSocketsToken`). */
  frame(upstreamId: number, outgoing: OutgoingRequest): Promise<string>;
  /** The exchange answers no request by id (Coinbase): a request counts as answered (200, empty) once sent. */
  readonly unanswered?: boolean;
  /** Every upstream text frame passes here before it is read or relayed; undefined drops it. */
  relay?(text: string): string | undefined;
}
