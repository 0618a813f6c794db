/**
 * Parse once, strictly: no duplicated parameter or JSON key, no body on GET or DELETE, a JSON
 * object body, and a query made only of characters no URL layer encodes or decodes. KuCoin
 * signs the query decoded, CCXT signs it unencoded and sends it so: with nothing to decode,
 * the text verified, classified, signed and forwarded is one and the same.
 */
import type { ExchangeRequest } from '../adapter.js';
import type { ParsedJsonRequest } from '../json-endpoint.js';
import { parseParams } from '../params.js';
import { isRecord, parseStrictJson } from '../strict-json.js';

const PLAIN_QUERY = /^[A-Za-z0-9._~=&,:-]*$/;

export type KucoinParsed = ParsedJsonRequest;

export function kucoinParse(request: ExchangeRequest): KucoinParsed {
  if (!PLAIN_QUERY.test(request.query)) {
    return { ok: false, message: 'query must be plain letters, digits and . _ ~ , : - (nothing encoded)' };
  }
  const query = parseParams(request.query);
  if (!query.ok) return query;
  if (request.body === '') return { ok: true, query: query.params, body: undefined };
  const method = request.method.toUpperCase();
  // KuCoin takes GET and DELETE parameters in the query; a body there is signed but unread.
  if (method === 'GET' || method === 'DELETE')
    return { ok: false, message: `${method} requests must not have a body` };
  const parsed = parseStrictJson(request.body);
  if (!parsed.ok) return parsed;
  if (!isRecord(parsed.value)) return { ok: false, message: 'body must be a JSON object' };
  return { ok: true, query: query.params, body: parsed.value };
}
