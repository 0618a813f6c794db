/** Binance request parameters: query and form body, each parsed strictly, once per request object. */
import type { ExchangeRequest, ParseResult } from '../adapter.js';
import { headerValue } from '../http-text.js';
import { type Params, parseParams } from '../params.js';

type BinanceParams = { ok: true; params: Params } | { ok: false; message: string };

// The gateway hands the same request object to parse, verifyClient and classify: parse it once.
// Keyed weakly by that object and re-checked against its inputs, so a changed request is parsed anew.
const parsedParams = new WeakMap<
  ExchangeRequest,
  { query: string; body: string; contentType: string | undefined; result: BinanceParams }
>();

/** Query and body parameters, each parsed strictly, and refused when one name is in both. */
export function binanceParams(request: ExchangeRequest): BinanceParams {
  // Content type matters only with a body (JSON bodies are refused).
  const contentType = request.body === '' ? undefined : headerValue(request.headers, 'content-type');
  const memo = parsedParams.get(request);
  if (memo && memo.query === request.query && memo.body === request.body && memo.contentType === contentType)
    return memo.result;
  const result = parseBinanceParams(request, contentType);
  parsedParams.set(request, { query: request.query, body: request.body, contentType, result });
  return result;
}

function parseBinanceParams(request: ExchangeRequest, contentType: string | undefined): BinanceParams {
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

export function parseBinance(request: ExchangeRequest): ParseResult {
  const p = binanceParams(request);
  return p.ok ? { ok: true, request } : p;
}
