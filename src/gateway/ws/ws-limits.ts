/** Bounds of the WebSocket edge: memory per connection stays bounded whatever a client does. */

/** Largest client frame, bytes (Binance's own requests are well under 4 KiB). */
export const MAX_FRAME_BYTES = 64 * 1024;
/** Bytes queued to a client before it counts as too slow and is closed (CLOSE_SLOW_CLIENT). */
export const MAX_SEND_BUFFER_BYTES = 1024 * 1024;
/** Requests of one connection in flight at once; more are denied (rate_limited) until answers come back. */
export const MAX_IN_FLIGHT = 32;
/** An upstream request unanswered this long fails (upstream_failed). */
export const UPSTREAM_TIMEOUT_MS = 10_000;
/** Ping interval both ways; a peer that has not ponged by the next ping is dropped. */
export const PING_INTERVAL_MS = 20_000;
/** How often the client state is re-read to close frozen, revoked or sealed sessions (well within one second). */
export const LIFECYCLE_POLL_MS = 250;

/** Close codes (RFC 6455 §7.4; 4000-4999 are the application's). */
export const CLOSE_POLICY = 1008;
export const CLOSE_UNSUPPORTED = 1003;
export const CLOSE_UPSTREAM_GONE = 1012;
export const CLOSE_GOING_AWAY = 1001;
/** The client did not read its frames fast enough: its send buffer passed MAX_SEND_BUFFER_BYTES. */
export const CLOSE_SLOW_CLIENT = 4008;
