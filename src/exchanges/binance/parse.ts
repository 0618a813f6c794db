/** Binance request parameters: query and form body, each parsed strictly, once per request. */
import { type AdapterInput, isParsedRequest, parsedRequest, rawRequest } from '../../core/index.js';
import type { ExchangeRequest, ParseResult } from '../adapter.js';
import { headerValue } from '../http-text.js';
import { type Params, parseParams } from '../params.js';

type BinanceParams = { ok: true; params: Params } | { ok: false; message: string };

/** Query and body parameters, each parsed strictly, and refused when one name is in both. */
export function binanceParams(request: ExchangeRequest): BinanceParams {
  // Content type matters only with a body (JSON bodies are refused).
  const contentType = request.body === '' ? undefined : headerValue(request.headers, 'content-type');
  const q = parseParams(request.query);
  if (!q.ok) return q;
  if (request.body !== '' && (contentType ?? '').toLowerCase().includes('json'))
    return { ok: false, message: 'JSON bodies are not accepted' };
  const b = parseParams(request.body);
  if (!b.ok) return b;
  const inQuery = new Set(q.params.map(([k]) => k));
  for (const [k] of b.params) {
    if (inQuery.has(k)) return { ok: false, message: `duplicated parameter "${k.slice(0, 40)}"` };
  }
  return { ok: true, params: [...q.params, ...b.params] };
}

/** The gateway's parse: the parameter list travels with the request, so no later step parses again. */
export function parseBinance(request: ExchangeRequest): ParseResult<Params> {
  const p = binanceParams(request);
  return p.ok ? { ok: true, request: parsedRequest(rawRequest(request), p.params) } : p;
}

/** The parameters of an adapter input: those the parse carries, or parsed now from a wire request. */
export function paramsOf(request: AdapterInput<Params>): BinanceParams {
  return isParsedRequest(request) ? { ok: true, params: request.params } : binanceParams(request);
}
