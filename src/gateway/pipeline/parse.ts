/** Stage: the adapter parses the raw request once; duplicates and ambiguous encodings are refused. */
import { fail, ok, parsedRequest, type Result, rawRequest } from '../../core/index.js';
import type { Admitted, Denial, Parsed } from './types.js';

export function parse(a: Admitted): Result<Parsed, Denial> {
  const raw = rawRequest({
    method: a.edge.method.toUpperCase(),
    path: a.path,
    query: a.query,
    headers: a.edge.headers,
    body: a.edge.body,
  });
  const r = a.adapter.parse(raw);
  if (!r.ok) return fail({ code: 'bad_request', message: r.message });
  return ok({ ...a, request: parsedRequest(raw, undefined) });
}
