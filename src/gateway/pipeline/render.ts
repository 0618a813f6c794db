/** One answer per outcome, in the exchange's own shape (a plain JSON error when no exchange is known). */
import type { Readable } from 'node:stream';
import { ERROR_CODES, type ErrorCode } from '../../core/index.js';
import type { ExchangeAdapter } from '../../exchanges/index.js';
import type { Outcome } from './types.js';

export type Answer =
  | { status: number; headers: Record<string, string>; body: string }
  | { status: number; headers: Record<string, string>; stream: Readable };

export function render(outcome: Outcome): Answer {
  switch (outcome.kind) {
    case 'forwarded': {
      const a = outcome.answer;
      // The upstream's header object is this response's own copy: add to it rather than spread it.
      a.headers['x-request-id'] = outcome.requestId;
      return { status: a.status, headers: a.headers, stream: a.body };
    }
    case 'denied':
      return renderError(outcome.adapter, outcome.denial.code, outcome.requestId, outcome.denial.message);
    case 'failed': {
      const { code, message, retryAfterSeconds } = outcome.failure;
      const answer = renderError(outcome.adapter, code, outcome.requestId, message);
      if (retryAfterSeconds !== undefined) answer.headers['retry-after'] = String(retryAfterSeconds);
      return answer;
    }
  }
}

/**
 * A keywarden refusal: the exchange's error shape for the code's kind, the request id, and the
 * code in `x-keywarden-code` for clients and operators (the report never reads it back).
 */
export function renderError(
  adapter: ExchangeAdapter | undefined,
  code: ErrorCode,
  requestId: string,
  message: string,
): Answer & { body: string } {
  const text = `keywarden denied [${code}]: ${message}`;
  if (!adapter)
    return {
      status: ERROR_CODES[code].status,
      headers: { 'content-type': 'application/json', 'x-request-id': requestId, 'x-keywarden-code': code },
      body: JSON.stringify({ error: code, message: text }),
    };
  const r = adapter.errorResponse(ERROR_CODES[code].kind, text);
  return {
    status: code === 'body_too_large' ? 413 : r.status,
    headers: { ...r.headers, 'x-request-id': requestId, 'x-keywarden-code': code },
    body: r.body,
  };
}
