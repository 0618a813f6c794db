/**
 * The gateway's amend read (the resting order an amend changes, signed with the real key) takes
 * the key's nonce lease when the adapter's nonces are sequenced (Kraken) and the sequence is
 * shared (PostgreSQL), as the request's own signing does, and releases it once answered: signed
 * with the leased nonce, the lease held while the read is in flight. Control: an exchange whose
 * nonces are not sequenced (Binance) takes no lease.
 */
import { describe, expect, it } from 'vitest';
import type { Classification, ExchangeResponse, OrderIntent } from '../../src/exchanges/adapter.js';
import { ADAPTERS } from '../../src/exchanges/index.js';
import { resolveAmends } from '../../src/gateway/pipeline/amend.js';
import type { Classified } from '../../src/gateway/pipeline/types.js';
import type { KeyRecord } from '../../src/keys/index.js';

const KEY = { id: 'key_kr', label: 'kraken-main', exchange: 'kraken' } as KeyRecord;

function world(exchange: 'kraken' | 'binance') {
  const events: string[] = [];
  const adapter = ADAPTERS[exchange];
  const keys = {
    credential: async () => ({ apiKey: 'real', secret: Buffer.alloc(64, 1).toString('base64') }),
    nonce: () => ({
      next: () => {
        events.push('unleased draw');
        return '1';
      },
    }),
    leaseNonce: async () => {
      events.push('lease');
      return {
        next: () => '1796000000000000',
        release: () => events.push('release'),
      };
    },
  };
  const upstream = {
    baseUrl: 'http://127.0.0.1:1',
    async send(request: { body: string }): Promise<ExchangeResponse> {
      events.push(`sent ${/nonce=(\d+)/.exec(request.body)?.[1] ?? '-'}`);
      return {
        status: 200,
        headers: {},
        body: JSON.stringify({
          error: [],
          result: {
            OABC: {
              status: 'open',
              vol: '1',
              descr: { pair: 'XBTUSD', type: 'buy', ordertype: 'limit', price: '50000' },
            },
          },
        }),
      };
    },
  };
  const order = { amend: true, orderRef: { orderId: 'OABC' } } as OrderIntent;
  const c = { orders: [order] } as unknown as Classification;
  const at = {
    adapter,
    upstream,
    request: { method: 'POST', path: '/', headers: {}, body: '' },
  } as unknown as Classified;
  const env = { keys, clock: { now: () => 1_796_000_000_000 } } as unknown as Parameters<
    typeof resolveAmends
  >[0];
  return { events, order, run: () => resolveAmends(env, at, c, KEY) };
}

describe('amend reads and the nonce lease', () => {
  it('Kraken: the read is signed with the leased nonce and the lease is released after the answer', async () => {
    const w = world('kraken');
    expect(await w.run()).toBeUndefined();
    expect(w.events).toEqual(['lease', 'sent 1796000000000000', 'release']);
    expect(w.order).toMatchObject({ symbol: 'BTC/USD', side: 'buy' });
  });

  it('control: Binance (no sequenced nonces) takes no lease', async () => {
    const w = world('binance');
    await w.run();
    expect(w.events).not.toContain('lease');
  });
});
