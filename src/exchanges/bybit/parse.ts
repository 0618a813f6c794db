/** Bybit request parsing: a strict query and, off GET, a strict JSON object body that travels with the request for classify. */
import { parsedRequest, rawRequest } from '../../core/index.js';
import type { ExchangeRequest, ParseResult } from '../adapter.js';
import { parseParams } from '../params.js';
import { isRecord, parseStrictJson } from '../strict-json.js';
import type { BybitBody } from './classify.js';

export function parseBybit(request: ExchangeRequest): ParseResult<BybitBody> {
  const query = parseParams(request.query);
  if (!query.ok) return query;
  if (request.body === '') return { ok: true, request: parsedRequest(rawRequest(request), {}) };
  // A GET body is signed but meaningless to Bybit: refuse rather than let it hide anything.
  if (request.method.toUpperCase() === 'GET')
    return { ok: false, message: 'GET requests must not have a body' };
  const parsed = parseStrictJson(request.body);
  if (!parsed.ok) return parsed;
  if (!isRecord(parsed.value)) return { ok: false, message: 'body must be a JSON object' };
  return { ok: true, request: parsedRequest(rawRequest(request), parsed.value) };
}
