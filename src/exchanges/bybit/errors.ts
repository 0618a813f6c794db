/** Bybit's error shape: `{ retCode, retMsg, result, retExtInfo, time }`, mostly under HTTP 200. */
import type { ExchangeErrorKind } from '../../core/index.js';
import type { ExchangeResponse } from '../adapter.js';

export function bybitError(retCode: number, retMsg: string, now: number, status = 200): ExchangeResponse {
  return {
    status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ retCode, retMsg, result: {}, retExtInfo: {}, time: now }),
  };
}

// Bybit answers most API errors with HTTP 200 and a retCode (UNCONFIRMED for every code; see exchanges.md §5.6).
const ERRORS: Record<ExchangeErrorKind, [number, number]> = {
  auth: [10004, 200],
  timestamp: [10002, 200],
  permission: [10005, 200],
  policy: [10005, 200],
  rate_limited: [10006, 200],
  bad_request: [10001, 200],
  not_found: [10001, 200],
  sealed: [10016, 200],
  unavailable: [10016, 200],
  internal: [10016, 200],
};

export function bybitErrorResponse(kind: ExchangeErrorKind, message: string): ExchangeResponse {
  const [code, status] = ERRORS[kind];
  return bybitError(code, message, Date.now(), status);
}
