/**
 * What an exchange adapter adds for WebSocket (issue 12). The gateway's WebSocket edge turns
 * each client request frame into the exchange's REST-equivalent wire request, so the frame runs
 * the very pipeline stages a REST request runs (authenticate with the exchange's own scheme,
 * classify with the strict schemas, policy, audit, sign); only framing lives here.
 */
import type { ExchangeErrorKind, OutgoingRequest } from '../core/index.js';
import type { ExchangeAdapter, ExchangeRequest, ExchangeResponse } from './adapter.js';

/** A request id as the client sent it (echoed in the answer). */
export type WsId = string | number | null;

/** One client text frame as the adapter read it. */
export type WsFrame =
  /** A request: `request` is its REST-equivalent wire request (path under the exchange prefix). */
  | { kind: 'request'; id: WsId; method: string; request: ExchangeRequest }
  /** Not a request keywarden relays (malformed, unknown method): answered with an error frame. */
  | { kind: 'refused'; id: WsId; errorKind: ExchangeErrorKind; message: string };

/** One upstream text frame: the answer to a request keywarden sent (by keywarden's id), or an event to relay. */
export type WsUpstreamFrame = { kind: 'response'; id: number; status: number } | { kind: 'event' };

export interface WsAdapter {
  /** Paths under `/<exchange>` that accept a WebSocket upgrade: the exchange's own (e.g. `/ws-api/v3`). */
  readonly paths: readonly string[];
  /** The exchange's WebSocket URL for `path`, derived from the configured REST base URL only (never from a client). */
  upstreamUrl(baseUrl: string, path: string): string;
  parseFrame(text: string): WsFrame;
  /**
   * The adapter the pipeline runs a frame's REST-equivalent request with: the REST adapter,
   * except that it verifies and signs the exchange's WebSocket payload.
   */
  readonly requestAdapter: ExchangeAdapter;
  /** The upstream frame for a request the pipeline signed (or a public one), under keywarden's own id. */
  upstreamFrame(upstreamId: number, outgoing: OutgoingRequest): string;
  parseUpstream(text: string): WsUpstreamFrame;
  /** An upstream answer rewritten to carry the client's id. */
  responseFrame(text: string, id: WsId): string;
  /** An error frame in the exchange's WebSocket shape, from the REST error answer for the same failure. */
  errorFrame(id: WsId, answer: ExchangeResponse): string;
}
