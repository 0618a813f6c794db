/**
 * The authenticate stage with `edge.session` (a logged-in WebSocket connection's frame): the
 * client is taken from the session without a per-frame signature, but a revoked, unknown or
 * other-exchange key is still refused, and without a session the same unsigned frame is not
 * authenticated at all.
 */
import { describe, expect, it } from 'vitest';
import type { ExchangeAdapter } from '../../../src/exchanges/index.js';
import { okx } from '../../../src/exchanges/okx/index.js';
import { authenticate } from '../../../src/gateway/pipeline/authenticate.js';
import type { Parsed } from '../../../src/gateway/pipeline/types.js';

const ws = okx.ws;
if (!ws) throw new Error('okx has no ws');
const adapter: ExchangeAdapter = {
  ...ws.requestAdapter,
  verifyClient() {
    throw new Error('a session frame must not be verified per frame');
  },
};
const frame = ws.parseFrame(
  JSON.stringify({
    id: '1',
    op: 'order',
    args: [{ instId: 'BTC-USDT', tdMode: 'cash', side: 'buy', ordType: 'limit', sz: '1', px: '1' }],
  }),
  '/ws/v5/private',
);
if (frame.kind !== 'request') throw new Error('not a request');
const parsedRequest = adapter.parse(frame.request);
if (!parsedRequest.ok) throw new Error('unparsable');

function hit(exchange = 'okx') {
  return { client: { record: { id: 'c1', exchange, status: 'active' } }, credential: { verifier: {} } };
}

function env(o: { revoked?: boolean; known?: boolean; exchange?: string }) {
  const lookup = {
    isRevokedKey: () => o.revoked === true,
    isRevokedToken: () => false,
    byApiKey: (k: string) => (o.known === false || k !== 'kw_bound' ? undefined : hit(o.exchange)),
    byTokenHash: () => undefined,
  };
  return {
    config: { server: { anonymousPublicWeightPerMinute: 0 } },
    clients: { current: async () => lookup },
    keys: { follow: () => undefined },
    limiter: { take: async () => 'limited' },
    clock: { now: () => 0 },
    clientNonces: {},
    replays: { accept: () => true },
  } as unknown as Parameters<typeof authenticate>[0];
}

function parsed(session?: string): Parsed {
  return {
    adapter,
    exchange: 'okx',
    request: parsedRequest.ok ? parsedRequest.request : undefined,
    edge: {
      requestId: 'r',
      method: 'POST',
      target: '/okx/api/v5/trade/order',
      headers: {},
      body: '',
      peer: '127.0.0.1',
      ...(session ? { session } : {}),
    },
    host: 'h',
  } as unknown as Parsed;
}

describe('authenticate with a WebSocket session', () => {
  it('takes the bound client without verifying the frame', async () => {
    const r = await authenticate(env({}), parsed('kw_bound'));
    expect(r).toMatchObject({ ok: true, value: { caller: { kind: 'client' } } });
  });

  it('still refuses a revoked, unknown or other-exchange key', async () => {
    expect(await authenticate(env({ revoked: true }), parsed('kw_bound'))).toMatchObject({
      ok: false,
      error: { code: 'client_revoked' },
    });
    expect(await authenticate(env({ known: false }), parsed('kw_bound'))).toMatchObject({
      ok: false,
      error: { code: 'auth_unknown_key' },
    });
    expect(await authenticate(env({ exchange: 'bybit' }), parsed('kw_bound'))).toMatchObject({
      ok: false,
      error: { code: 'auth_unknown_key' },
    });
  });

  it('without a session the unsigned frame is not authenticated', async () => {
    expect(await authenticate(env({}), parsed())).toMatchObject({
      ok: false,
      error: { code: 'auth_missing' },
    });
  });
});
