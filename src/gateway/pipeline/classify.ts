/**
 * Stage: what the request will do, read by the adapter from its parse (the anonymous relay's
 * was read when it authenticated). A request outside the adapter's strict schema, or with a
 * size, price or leverage that is no finite number within bounds, goes no further.
 */
import { fail, intentRequest, ok, type Result } from '../../core/index.js';
import type { Classification } from '../../exchanges/index.js';
import { advance } from './advance.js';
import { MAX_NUMBER } from './env.js';
import type { Admissible, Classified, Denial } from './types.js';

export function classify(a: Admissible): Result<Classified, Denial> {
  const classification =
    a.caller.kind === 'anonymous' ? a.caller.classification : a.adapter.classify(a.request);
  const learned = { classification };
  if (classification.rejected !== undefined)
    return fail({ code: 'request_rejected', message: classification.rejected, learned });
  const outOfBounds = intentOutOfBounds(classification);
  if (outOfBounds) return fail({ code: 'bad_request', message: outOfBounds, learned });
  return ok(advance(a, { intent: intentRequest(a.request, classification) }));
}

/** A size, price or leverage that is no finite number within bounds: refused before the policy (not a store failure). */
function intentOutOfBounds(c: Classification): string | undefined {
  const bad = (n: number | undefined) =>
    n !== undefined && !(Number.isFinite(n) && n >= 0 && n <= MAX_NUMBER);
  if (bad(c.leverage)) return 'leverage out of bounds';
  for (const o of c.orders) {
    if (bad(o.quantity) || bad(o.quoteQuantity) || bad(o.price) || bad(o.leverage))
      return `order size or price out of bounds (at most ${MAX_NUMBER})`;
    for (const p of o.prices ?? []) if (bad(p.value)) return `${p.field} out of bounds`;
  }
  if (bad(c.withdrawal?.amount)) return 'withdrawal amount out of bounds';
  return undefined;
}
