import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { classifyJsonEndpoint, schemaEndpoint } from '../../src/exchanges/json-endpoint.js';

// A withdrawal endpoint that records its intent, then refuses a field it reads afterwards: the
// half-built intent must not survive the refusal.
const withdraw = schemaEndpoint(
  'withdraw',
  z.object({ coin: z.string(), size: z.string() }).strict(),
  (w, c) => {
    c.withdrawal = { coin: w.coin, amount: Number(w.size), address: 'addr' };
    c.orders.push({ symbol: 'BTC/USDT', side: 'sell', type: 'limit' } as (typeof c.orders)[number]);
    return w.size === '0' ? 'size must be positive' : undefined;
  },
);

describe('a known JSON-body endpoint is read from its body only', () => {
  it('reads an accepted body into the classification', () => {
    const c = classifyJsonEndpoint('POST /w', withdraw, [], { coin: 'BTC', size: '1' });
    expect(c).toMatchObject({
      action: 'withdraw',
      endpoint: 'POST /w',
      withdrawal: { coin: 'BTC', amount: 1 },
    });
    expect(c.rejected).toBeUndefined();
  });

  it('keeps no order and no withdrawal of a refused body', () => {
    const c = classifyJsonEndpoint('POST /w', withdraw, [], { coin: 'BTC', size: '0' });
    expect(c.rejected).toBe('size must be positive');
    expect(c.orders).toEqual([]);
    expect(c.withdrawal).toBeUndefined();
  });

  it('refuses an unread field, a query riding along and a missing body', () => {
    expect(
      classifyJsonEndpoint('POST /w', withdraw, [], { coin: 'BTC', size: '1', to: 'x' }).rejected,
    ).toMatch(/field "to" is not accepted/);
    expect(
      classifyJsonEndpoint('POST /w', withdraw, [['coin', 'ETH']], { coin: 'BTC', size: '1' }).rejected,
    ).toBe('query parameters are not accepted on this POST endpoint');
    expect(classifyJsonEndpoint('POST /w', withdraw, [], undefined).rejected).toBe(
      'the request needs a JSON body',
    );
  });
});
