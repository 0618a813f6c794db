/** OKX's error shape: `{ code, msg, data: [] }` with OKX's code as a string. */
import type { ExchangeErrorKind } from '../../core/index.js';
import type { ExchangeResponse } from '../adapter.js';

export function okxError(code: string, msg: string, status: number): ExchangeResponse {
  return {
    status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code, msg, data: [] }),
  };
}

const ERRORS: Record<ExchangeErrorKind, [string, number]> = {
  auth: ['50113', 401],
  timestamp: ['50102', 401],
  // OKX answers a missing key permission with 50120 (HTTP status UNCONFIRMED; 401 like the other 501xx).
  permission: ['50120', 401],
  policy: ['50120', 401],
  rate_limited: ['50011', 429],
  bad_request: ['50014', 400],
  not_found: ['51000', 400],
  sealed: ['50001', 503],
  unavailable: ['50001', 503],
  internal: ['50026', 500],
};

export function okxErrorResponse(kind: ExchangeErrorKind, message: string): ExchangeResponse {
  const [code, status] = ERRORS[kind];
  return okxError(code, message, status);
}
