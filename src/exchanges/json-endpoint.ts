/**
 * The JSON-body endpoint table OKX, KuCoin and Bitget share: a known POST endpoint is read only
 * from its body (a query would ride along unread), through a strict schema, and a refused
 * request carries no intent at all, so nothing downstream can read a half-built order. A known
 * read endpoint takes its parameters from the query, each of them listed.
 */
import type { z } from 'zod';
import type { Action } from '../core/index.js';
import type { Classification, ExchangeRequest } from './adapter.js';
import type { Params } from './params.js';
import { checkSchema, text } from './request-schema.js';

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

/** A query parameter not in `allowed`, or a value that is not plain text, refuses the request. */
export function queryProblem(query: Params, allowed: ReadonlySet<string>): string | undefined {
  for (const [k, v] of query) {
    if (!allowed.has(k)) return `query parameter "${k.slice(0, 40)}" is not accepted here`;
    if (!text.safeParse(v).success) return `query parameter "${k}": expected printable text without spaces`;
  }
  return undefined;
}

/** Classify a request to a known read endpoint, whose query may carry only the `allowed` parameters. */
export function classifyRead(endpoint: string, query: Params, allowed: ReadonlySet<string>): Classification {
  const c: Classification = { action: 'read', endpoint, orders: [] };
  const problem = queryProblem(query, allowed);
  if (problem !== undefined) c.rejected = problem;
  return c;
}

/** A request's query and JSON body as an exchange parses them, or why they do not parse. */
export type ParsedJsonRequest = { ok: true; query: Params; body: unknown } | { ok: false; message: string };

/**
 * Parse, then classify by method and path (without trailing slashes); a request that does not
 * parse is refused with no intent.
 */
export function classifyParsed(
  request: ExchangeRequest,
  parse: (request: ExchangeRequest) => ParsedJsonRequest,
  classify: (method: string, path: string, query: Params, body: unknown) => Classification,
): Classification {
  const method = request.method.toUpperCase();
  const path = request.path.replace(/\/+$/, '');
  const parsed = parse(request);
  if (!parsed.ok)
    return { action: 'unknown', endpoint: `${method} ${path}`, orders: [], rejected: parsed.message };
  return classify(method, path, parsed.query, parsed.body);
}
