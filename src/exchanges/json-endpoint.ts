/**
 * The JSON-body endpoint table OKX, KuCoin and Bitget share: a known POST endpoint is read only
 * from its body (a query would ride along unread), through a strict schema, and a refused
 * request carries no intent at all, so nothing downstream can read a half-built order.
 */
import type { z } from 'zod';
import type { Action } from '../core/index.js';
import type { Classification } from './adapter.js';
import type { Params } from './params.js';
import { checkSchema } from './request-schema.js';

export interface JsonEndpoint {
  action: Action;
  /** Fills `c` from the body; a message when the body is refused. */
  check(body: unknown, c: Classification): string | undefined;
}

/** A body checked against `schema`; `then` reads its intents into the classification. */
export function schemaEndpoint<T>(
  action: Action,
  schema: z.ZodType<T>,
  then?: (value: T, c: Classification) => string | undefined,
): JsonEndpoint {
  return {
    action,
    check(body, c) {
      const checked = checkSchema(schema, body, 'body');
      if (!checked.ok) return checked.message;
      return then?.(checked.value, c);
    },
  };
}

/** Classify a request to a known JSON-body endpoint (`query` and `body` as parsed). */
export function classifyJsonEndpoint(
  endpoint: string,
  known: JsonEndpoint,
  query: Params,
  body: unknown,
): Classification {
  const c: Classification = { action: known.action, endpoint, orders: [] };
  if (query.length > 0) c.rejected = 'query parameters are not accepted on this POST endpoint';
  else if (body === undefined) c.rejected = 'the request needs a JSON body';
  else {
    const problem = known.check(body, c);
    if (problem !== undefined) {
      c.rejected = problem;
      c.orders = [];
      delete c.withdrawal;
    }
  }
  return c;
}
