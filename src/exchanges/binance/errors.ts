/** Binance's error shape: `{ code, msg }` with Binance's negative codes and HTTP statuses. */
import type { ExchangeErrorKind } from '../../core/index.js';
import type { ExchangeResponse } from '../adapter.js';

/** Binance's own error codes and texts (errors.md) for the cases keywarden answers itself. */
export const BINANCE_ERRORS = {
  invalidTimestamp: { code: -1021, msg: 'Timestamp for this request is outside of the recvWindow.' },
  aheadTimestamp: { code: -1021, msg: "Timestamp for this request was 1000ms ahead of the server's time." },
  invalidSignature: { code: -1022, msg: 'Signature for this request is not valid.' },
  badApiKeyFormat: { code: -2014, msg: 'API-key format invalid.' },
  rejectedKey: { code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' },
  unauthorized: { code: -1002, msg: 'You are not authorized to execute this request.' },
  badRecvWindow: { code: -1131, msg: 'recvWindow must be less than 60000' },
  mandatoryParam: { code: -1102, msg: 'Mandatory parameter was not sent, was empty/null, or malformed.' },
} as const;

function binanceError(status: number, code: number, msg: string): ExchangeResponse {
  return {
    status,
    headers: { 'content-type': 'application/json;charset=UTF-8' },
    body: JSON.stringify({ code, msg }),
  };
}

/** Map a keywarden failure onto Binance's code and HTTP status; specific texts pick the specific code. */
export function binanceErrorResponse(kind: ExchangeErrorKind, message: string): ExchangeResponse {
  const m = message.toLowerCase();
  switch (kind) {
    case 'auth':
      if (m.includes('signature')) return binanceError(400, -1022, message);
      if (m.includes('format') || m.includes('no client credential'))
        return binanceError(401, -2014, message);
      return binanceError(401, -2015, message);
    case 'timestamp':
      return binanceError(400, -1021, message);
    case 'permission':
      return binanceError(401, -2015, message);
    case 'policy':
      // Also a frozen client: CCXT raises -1002 as AuthenticationError, so a bot stops, where
      // -2015 from a key that has authenticated before becomes DDoSProtection, a ban it retries.
      return binanceError(403, -1002, message);
    case 'rate_limited':
      return binanceError(429, -1003, message);
    case 'bad_request':
      if (m.includes('duplicate')) return binanceError(400, -1101, message);
      if (m.includes('encoding') || m.includes('illegal')) return binanceError(400, -1100, message);
      if (m.includes('recvwindow')) return binanceError(400, -1131, message);
      return binanceError(400, -1102, message);
    case 'not_found':
      return binanceError(404, -1000, message);
    case 'sealed':
    case 'unavailable':
      return binanceError(503, -1001, message);
    case 'internal':
      return binanceError(500, -1000, message);
  }
}
