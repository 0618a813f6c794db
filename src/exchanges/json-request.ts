import type { ExchangeRequest, WireParseResult } from './adapter.js';
import { parseParams } from './params.js';
import { parseStrictJson } from './strict-json.js';

/**
 * Parse check for exchanges that take a strict query and a JSON body: no duplicated parameter
 * or key, no body on GET, and a body of the shape `accepts` allows (else `shapeMessage`).
 */
export function parseJsonRequest(
  request: ExchangeRequest,
  accepts: (body: unknown) => boolean,
  shapeMessage: string,
): WireParseResult {
  const query = parseParams(request.query);
  if (!query.ok) return query;
  if (request.body !== '') {
    // A GET body is signed but meaningless to the exchange: refuse rather than let it hide anything.
    if (request.method.toUpperCase() === 'GET')
      return { ok: false, message: 'GET requests must not have a body' };
    const parsed = parseStrictJson(request.body);
    if (!parsed.ok) return parsed;
    if (!accepts(parsed.value)) return { ok: false, message: shapeMessage };
  }
  return { ok: true, request };
}
