/**
 * OKX request parsing: a strict query and a strict JSON body (object, or array on batch
 * endpoints), parsed once; the parse travels with the request (`ParsedRequest.params`), so
 * classify reads it instead of parsing again.
 */
import { type AdapterInput, isParsedRequest, parsedRequest, rawRequest, wireOf } from '../../core/index.js';
import type { Classification, ExchangeRequest, ParseResult } from '../adapter.js';
import { type Params, parseParams } from '../params.js';
import { parseStrictJson } from '../strict-json.js';
import { okxClassify } from './okx-classify.js';

/** What OKX's parse carries: the query parameters and the JSON body (undefined when empty). */
export interface OkxParse {
  query: Params;
  body: unknown;
}

type OkxParseResult = { ok: true; parse: OkxParse } | { ok: false; message: string };

function okxParse(request: ExchangeRequest): OkxParseResult {
  const query = parseParams(request.query);
  if (!query.ok) return query;
  let body: unknown;
  if (request.body !== '') {
    // A GET body is signed but meaningless to OKX: refuse rather than let it hide anything.
    if (request.method.toUpperCase() === 'GET')
      return { ok: false, message: 'GET requests must not have a body' };
    const parsed = parseStrictJson(request.body);
    if (!parsed.ok) return parsed;
    // Batch endpoints take a JSON array of orders.
    if (typeof parsed.value !== 'object' || parsed.value === null)
      return { ok: false, message: 'body must be a JSON object or array' };
    body = parsed.value;
  }
  return { ok: true, parse: { query: query.params, body } };
}

/** The gateway's parse: query and body travel with the request, so no later step parses again. */
export function parseOkx(request: ExchangeRequest): ParseResult<OkxParse> {
  const p = okxParse(request);
  return p.ok ? { ok: true, request: parsedRequest(rawRequest(request), p.parse) } : p;
}

export function classifyOkxRequest(input: AdapterInput<OkxParse>): Classification {
  const request = wireOf(input);
  const method = request.method.toUpperCase();
  const path = request.path.replace(/\/+$/, '');
  // A wire request (the adapter's own lookups, tests) is parsed here; the gateway's carries its parse.
  const parsed: OkxParseResult = isParsedRequest(input)
    ? { ok: true, parse: input.params }
    : okxParse(request);
  if (!parsed.ok)
    return { action: 'unknown', endpoint: `${method} ${path}`, orders: [], rejected: parsed.message };
  return okxClassify(method, path, parsed.parse.query, parsed.parse.body);
}
