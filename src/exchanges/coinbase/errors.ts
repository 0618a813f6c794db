/** Errors in Coinbase's own shapes. */
import type { ExchangeErrorKind } from '../../core/index.js';
import type { ExchangeResponse } from '../adapter.js';

/** Advanced Trade JSON error as CCXT's `handleErrors` reads it (`error` exact-matched). */
export function coinbaseError(status: number, error: string, message: string): ExchangeResponse {
  return {
    status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ error, error_details: message, message }),
  };
}

/** Coinbase answers a bad or expired JWT with a bare 401 `Unauthorized` text body. */
export function coinbaseUnauthorized(): ExchangeResponse {
  return { status: 401, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Unauthorized\n' };
}

export function coinbaseErrorResponse(kind: ExchangeErrorKind, message: string): ExchangeResponse {
  switch (kind) {
    case 'auth':
    case 'timestamp':
      return coinbaseUnauthorized();
    case 'permission':
      return coinbaseError(403, 'PERMISSION_DENIED', message || 'Missing required scopes');
    case 'policy':
      return coinbaseError(403, 'PERMISSION_DENIED', message);
    case 'rate_limited':
      return coinbaseError(429, 'rate_limit_exceeded', message);
    case 'bad_request':
      return coinbaseError(400, 'INVALID_ARGUMENT', message);
    case 'not_found':
      return coinbaseError(404, 'not_found', message);
    case 'sealed':
    case 'unavailable':
      return coinbaseError(503, 'unavailable', message);
    default:
      return coinbaseError(500, 'internal_server_error', message);
  }
}
