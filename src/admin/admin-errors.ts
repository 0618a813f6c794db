/**
 * The admin API's one error boundary: `{ error: { code, message, requestId } }`. A
 * KeywardenError answers its code and safe message; a zod failure is `invalid_input` naming
 * the field paths (never their values); anything else is `internal` with the generic text,
 * and the cause goes to the server log only.
 */
import { z } from 'zod';
import { ERROR_CODES, type ErrorCode, KeywardenError } from '../core/index.js';

export interface ErrorBody {
  error: { code: ErrorCode; message: string; requestId: string };
}

export const errorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), requestId: z.string() }),
});

export function errorAnswer(err: unknown, requestId: string): { status: number; body: ErrorBody } {
  if (err instanceof KeywardenError)
    return { status: err.status, body: { error: { code: err.code, message: err.message, requestId } } };
  if (err instanceof z.ZodError) {
    const where = [...new Set(err.issues.map((i) => i.path.join('.') || '(body)'))].slice(0, 5).join(', ');
    return {
      status: 400,
      body: { error: { code: 'invalid_input', message: `invalid input: ${where}`, requestId } },
    };
  }
  const fastify = err as { statusCode?: number; code?: string };
  if (fastify.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return {
      status: 413,
      body: { error: { code: 'body_too_large', message: ERROR_CODES.body_too_large.message, requestId } },
    };
  if (typeof fastify.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500)
    return {
      status: 400,
      body: { error: { code: 'bad_request', message: ERROR_CODES.bad_request.message, requestId } },
    };
  const code: ErrorCode = 'internal';
  return { status: 500, body: { error: { code, message: ERROR_CODES[code].message, requestId } } };
}
