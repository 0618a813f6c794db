/** Kraken's error shape: `{ error: [strings], result: {} }`, under HTTP 200. */
import type { ExchangeErrorKind } from '../../core/index.js';
import type { ExchangeResponse } from '../adapter.js';

/** Kraken's error strings for the failures keywarden answers itself (HTTP 200, like Kraken). */
export const KRAKEN_ERRORS = {
  invalidKey: 'EAPI:Invalid key',
  invalidSignature: 'EAPI:Invalid signature',
  invalidNonce: 'EAPI:Invalid nonce',
  permissionDenied: 'EGeneral:Permission denied',
  invalidArguments: 'EGeneral:Invalid arguments',
  rateLimit: 'EAPI:Rate limit exceeded',
  unknownMethod: 'EGeneral:Unknown method',
  unavailable: 'EService:Unavailable',
  internal: 'EGeneral:Internal error',
} as const;

export function krakenError(errors: string[], status = 200): ExchangeResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ error: errors, result: {} }),
  };
}

/** The canonical Kraken string first (CCXT matches it exactly), keywarden's reason second. */
export function krakenErrorResponse(kind: ExchangeErrorKind, message: string): ExchangeResponse {
  const m = message.toLowerCase();
  const canonical = ((): string => {
    switch (kind) {
      case 'auth':
        return m.includes('signature') ? KRAKEN_ERRORS.invalidSignature : KRAKEN_ERRORS.invalidKey;
      case 'timestamp':
        return KRAKEN_ERRORS.invalidNonce;
      case 'permission':
      case 'policy':
        return KRAKEN_ERRORS.permissionDenied;
      case 'rate_limited':
        return KRAKEN_ERRORS.rateLimit;
      case 'bad_request':
        return KRAKEN_ERRORS.invalidArguments;
      case 'not_found':
        return KRAKEN_ERRORS.unknownMethod;
      case 'sealed':
      case 'unavailable':
        return KRAKEN_ERRORS.unavailable;
      case 'internal':
        return KRAKEN_ERRORS.internal;
    }
  })();
  const detail = message.replace(/[\r\n]+/g, ' ').slice(0, 200);
  // A reason that already is a Kraken error string (from verifyClient) is kept as it is.
  const second = /^E[A-Z][A-Za-z]*:/.test(detail) ? detail : `EGeneral:${detail}`;
  const errors = detail === '' || detail === canonical ? [canonical] : [canonical, second];
  return krakenError(errors);
}
