/** Stage: the adapter parses the raw request once (duplicates and ambiguous encodings refused) into a `ParsedRequest` carrying its own parse. */
import { fail, ok, type Result, rawRequest } from '../../core/index.js';
import { advance } from './advance.js';
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
  // The parse travels on: authenticate, classify and sign read it instead of parsing again.
  return ok(advance(a, { request: r.request }));
}
