/**
 * An amend is a new order for its resting order's symbol and side: read that order from the
 * exchange (signed with the real key, a read) and fill what the amend does not name. What the
 * amend itself names (a new size or price) stays; a symbol that contradicts the resting order
 * is refused, and so is an amend whose order cannot be read.
 */
import type { Classification } from '../../exchanges/index.js';
import type { KeyRecord } from '../../keys/index.js';
import { MAX_SYMBOLS_PER_REQUEST, type PipelineEnv } from './env.js';
import type { Classified } from './types.js';

/** Fills the amends of `c` in place; a message when one cannot be judged. */
export async function resolveAmends(
  env: Pick<PipelineEnv, 'keys' | 'clock'>,
  at: Classified,
  c: Classification,
  key: KeyRecord,
): Promise<string | undefined> {
  const { adapter, upstream } = at;
  const pending = c.orders.filter(
    (o) =>
      o.amend &&
      o.orderRef &&
      (o.symbol === undefined || o.side === undefined || o.quantity === undefined || o.price === undefined),
  );
  if (pending.length === 0 || !adapter.restingOrderRequest || !adapter.parseRestingOrder) return undefined;
  if (pending.length > MAX_SYMBOLS_PER_REQUEST)
    return `a request may amend at most ${MAX_SYMBOLS_PER_REQUEST} orders`;
  const credential = await env.keys.credential(key);
  for (const o of pending) {
    const lookup = adapter.restingOrderRequest(o, at.request);
    if (!lookup) continue;
    // Leased like the request itself will be (PostgreSQL): this read cannot overtake another
    // instance's request for the key in flight, nor be overtaken (Kraken's "invalid nonce").
    const lease = adapter.sequencedNonces ? await env.keys.leaseNonce(key.id) : undefined;
    let resting: Awaited<ReturnType<NonNullable<typeof adapter.parseRestingOrder>>>;
    try {
      const signed = adapter.sign(lookup, credential, {
        clock: env.clock,
        nonce: lease ?? env.keys.nonce(key.id),
        baseUrl: upstream.baseUrl,
      });
      resting = await upstream
        .send(signed)
        .then((answer) => adapter.parseRestingOrder?.(answer))
        .catch(() => undefined);
    } finally {
      lease?.release();
    }
    // No answer, no amend: an amend is only judged against the order it changes.
    if (!resting) return 'the order to amend could not be read from the exchange (not open, or not found)';
    if (o.symbol !== undefined && o.symbol !== resting.symbol)
      return `the amend names ${o.symbol} but the order it changes is ${resting.symbol}`;
    o.symbol = resting.symbol;
    if (resting.rawSymbol !== undefined) o.rawSymbol ??= resting.rawSymbol;
    if (resting.market !== undefined) o.market = resting.market;
    o.side ??= resting.side;
    if (o.quantity === undefined && o.quoteQuantity === undefined && resting.quantity !== undefined)
      o.quantity = resting.quantity;
    if (o.price === undefined && o.pricing !== 'market' && resting.price !== undefined) {
      // A size-only amend grows an order at its resting price: that price is banded too.
      o.price = resting.price;
      if (o.prices) o.prices.push({ field: 'resting price', value: resting.price });
    }
  }
  return undefined;
}
