/**
 * KuCoin's error shape, `{"code":"400005","msg":"Invalid KC-API-SIGN."}` (success is code
 * `200000`), and the code keywarden answers each of its refusals with. Codes from KuCoin's
 * gateway and spot error tables (docs-new/error-code); the HTTP statuses are UNCONFIRMED:
 * CCXT reads only the code, and KuCoin is seen answering auth failures with 401.
 */
import type { ExchangeErrorKind } from '../../core/index.js';
import type { ExchangeResponse } from '../adapter.js';

export function kucoinError(code: string, msg: string, status: number): ExchangeResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code, msg }) };
}

const ERRORS: Record<ExchangeErrorKind, [code: string, status: number]> = {
  auth: ['400005', 401],
  timestamp: ['400002', 401],
  permission: ['400007', 403],
  policy: ['400007', 403],
  rate_limited: ['429000', 429],
  bad_request: ['400100', 400],
  not_found: ['404000', 404],
  sealed: ['500000', 503],
  unavailable: ['500000', 503],
  internal: ['500000', 500],
};

export function kucoinErrorResponse(kind: ExchangeErrorKind, message: string): ExchangeResponse {
  const [code, status] = ERRORS[kind];
  return kucoinError(code, message, status);
}
