/**
 * OKX request parsing: a strict query and a strict JSON body (object, or array on batch
 * endpoints), parsed once and kept for classify.
 */
import type { Classification, ExchangeRequest, ParseResult } from '../adapter.js';
import { type Params, parseParams } from '../params.js';
import { parseStrictJson } from '../strict-json.js';
import { okxClassify } from './okx-classify.js';

/** Query and body of each request `parse` accepted, so `classify` does not parse again. */
const PARSED = new WeakMap<ExchangeRequest, { query: Params; body: unknown }>();

export function parseOkx(request: ExchangeRequest): ParseResult {
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
  // Parsed once: classify reads these for the same request object.
  PARSED.set(request, { query: query.params, body });
  return { ok: true, request };
}

export function classifyOkxRequest(request: ExchangeRequest): Classification {
  const method = request.method.toUpperCase();
  const path = request.path.replace(/\/+$/, '');
  let parsed = PARSED.get(request);
  if (!parsed) {
    const again = parseOkx(request);
    parsed = again.ok ? PARSED.get(request) : undefined;
    if (!parsed)
      return {
        action: 'unknown',
        endpoint: `${method} ${path}`,
        orders: [],
        rejected: again.ok ? 'unparsed request' : again.message,
      };
  }
  return okxClassify(method, path, parsed.query, parsed.body);
}
