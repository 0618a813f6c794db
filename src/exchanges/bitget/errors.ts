/**
 * Bitget's error shape: `{"code":"40009","msg":"sign signature error","requestTime":<ms>,"data":null}`;
 * a success carries code `00000`. CCXT reads the code (its table of Bitget codes decides the
 * exception class), so each keywarden denial kind maps to the Bitget code a bot already handles.
 */
import type { ExchangeErrorKind } from '../../core/index.js';
import type { ExchangeResponse } from '../adapter.js';

export const BITGET_OK = '00000';

export function bitgetError(
  code: string,
  msg: string,
  status: number,
  requestTime: number,
): ExchangeResponse {
  return {
    status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code, msg, requestTime, data: null }),
  };
}

/**
 * Codes from CCXT's table of Bitget errors (CCXT class in brackets). UNCONFIRMED: the HTTP
 * statuses; Bitget's documents list codes only. 400 for request errors, 401 for auth failures,
 * 429 for the rate limit (whose code, `429`, is Bitget's own).
 */
export const BITGET_ERRORS: Readonly<Record<ExchangeErrorKind, readonly [code: string, status: number]>> = {
  auth: ['40009', 401], // sign signature error [AuthenticationError]
  timestamp: ['40008', 401], // Request timestamp expired [InvalidNonce]
  permission: ['40014', 403], // Incorrect permissions [PermissionDenied]
  policy: ['40014', 403],
  rate_limited: ['429', 429], // Too many requests [DDoSProtection]
  bad_request: ['40017', 400], // Parameter verification failed [BadRequest]
  not_found: ['43001', 400], // the order does not exist [OrderNotFound]
  sealed: ['40015', 503], // System is abnormal, please try again later [ExchangeError]
  unavailable: ['40015', 503],
  internal: ['40015', 500],
};

/** The Bitget answer for a keywarden denial or failure of `kind`. */
export function bitgetErrorResponse(kind: ExchangeErrorKind, message: string, now: number): ExchangeResponse {
  const [code, status] = BITGET_ERRORS[kind];
  return bitgetError(code, message, status, now);
}
